//! SQLite runs the save's statements on the group-commit writer's connection, inside the batch's
//! transaction and the save's own savepoint. Every statement runs to its end in place, so the
//! save's future never waits: polling it once finishes it.

use std::future::Future;

use futures_util::FutureExt as _;
use rusqlite::params;
use rusqlite::types::{ToSql, ToSqlOutput};

use super::statements::{MapEach, MapOne, SaveRecord, SaveStatements, Value};
use crate::store::StoreError;
pub use crate::store::outbox::sqlite::Writer;
use crate::store::save_sql as sql;
use crate::store::sqlite::direct::{all, one, run};

impl ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Value::Int(value) => value.to_sql(),
            Value::MaybeInt(value) => value.to_sql(),
            Value::Big(value) => value.to_sql(),
            Value::MaybeBig(value) => value.to_sql(),
            Value::Flag(value) => value.to_sql(),
            Value::Text(value) => value.to_sql(),
        }
    }
}

fn as_params<'v>(values: &'v [Value<'_>]) -> Vec<&'v dyn ToSql> {
    values.iter().map(|value| value as &dyn ToSql).collect()
}

impl SaveStatements for Writer<'_> {
    async fn run(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError> {
        Ok(run(self.0, sql, &as_params(values))? as u64)
    }

    /// Binds by position: in a statement that names each parameter once, in order, SQLite's
    /// index of `$n` is `n`. (Binding by name would look each name up among all of them.)
    async fn run_listed(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError> {
        let mut statement = self.0.prepare_cached(sql)?;
        if statement.parameter_count() != values.len() {
            return Err(rusqlite::Error::InvalidParameterCount(values.len(), statement.parameter_count()).into());
        }
        for (at, value) in values.iter().enumerate() {
            statement.raw_bind_parameter(at + 1, value)?;
        }
        Ok(statement.raw_execute()? as u64)
    }

    async fn one<T>(&mut self, sql: &str, values: &[Value<'_>], map: impl MapOne<T>) -> Result<Option<T>, StoreError> {
        one(self.0, sql, &as_params(values), |row| map(row))
    }

    async fn all<T>(&mut self, sql: &str, args: &[Value<'_>], mut map: impl MapEach<T>) -> Result<Vec<T>, StoreError> {
        all(self.0, sql, &as_params(args), |row| map(row))
    }

    /// The writer runs one save at a time: nothing to lock.
    async fn lock_message(&mut self, _id: i32) -> Result<(), StoreError> {
        Ok(())
    }

    /// Two statements: SQLite has no data-modifying `WITH`.
    async fn update_and_record(&mut self, values: &[Value<'_>], record: SaveRecord) -> Result<u64, StoreError> {
        let changed = run(self.0, sql::UPDATE_MESSAGE, &as_params(values))?;
        if changed > 0 {
            let SaveRecord { message_id, notify, associate_id, now } = record;
            run(self.0, sql::RECORD_SAVE, params![message_id, "ticketmessage.changed", notify, associate_id, now])?;
        }
        Ok(changed as u64)
    }
}

/// Finishes a save's algorithm running on [`Writer`]: its statements never wait, so one poll
/// runs it to its end.
pub fn in_place<T>(save: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    save.now_or_never()
        .unwrap_or_else(|| Err(StoreError::Internal("save statements waited on the writer thread".into())))
}
