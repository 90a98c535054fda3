//! PostgreSQL runs the save's statements on the save's connection, in its transaction.

use sqlx::PgConnection;
use sqlx::postgres::{PgArguments, Postgres};
use sqlx::query::Query;

use super::statements::{MapEach, MapOne, SaveRecord, SaveStatements, Value};
use crate::store::StoreError;
use crate::store::save_sql as sql;

/// `sql` with `values` bound in order, each as the Rust type it came from. The text is the
/// store's own (constants, and rows of placeholders generated from them), never a client's.
fn bound(sql: &str, values: &[Value<'_>]) -> Query<'static, Postgres, PgArguments> {
    values.iter().fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |query, value| match *value {
        Value::Int(value) => query.bind(value),
        Value::MaybeInt(value) => query.bind(value),
        Value::Big(value) => query.bind(value),
        Value::MaybeBig(value) => query.bind(value),
        Value::Flag(value) => query.bind(value),
        Value::Text(value) => query.bind(value),
    })
}

impl SaveStatements for PgConnection {
    async fn run(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError> {
        Ok(bound(sql, values).execute(self).await?.rows_affected())
    }

    /// PostgreSQL binds by number whatever the order.
    async fn run_listed(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError> {
        self.run(sql, values).await
    }

    async fn one<T>(&mut self, sql: &str, values: &[Value<'_>], map: impl MapOne<T>) -> Result<Option<T>, StoreError> {
        let row = bound(sql, values).fetch_optional(self).await?;
        row.as_ref().map(|row| map(row)).transpose()
    }

    async fn all<T>(&mut self, sql: &str, args: &[Value<'_>], mut map: impl MapEach<T>) -> Result<Vec<T>, StoreError> {
        let rows = bound(sql, args).fetch_all(self).await?;
        rows.iter().map(|row| map(row)).collect()
    }

    /// Takes the message's row lock before any other statement of the save: concurrent saves
    /// of one message (and its delete) then run one after the other, so none finds the row gone
    /// between its lookup and its UPDATE, nor races another's child rows. It is a statement of
    /// its own because a statement that waited for the lock still reads everything else as it
    /// was before the wait; the lookup after it sees what the previous save committed.
    async fn lock_message(&mut self, id: i32) -> Result<(), StoreError> {
        sqlx::query(sql::LOCK_MESSAGE).bind(id).fetch_optional(self).await?.ok_or(StoreError::NotFound)?;
        Ok(())
    }

    /// One statement, one round trip fewer (see [`sql::update_and_record`]).
    async fn update_and_record(&mut self, values: &[Value<'_>], record: SaveRecord) -> Result<u64, StoreError> {
        let query = bound(sql::update_and_record(), values).bind(record.notify).bind(record.associate_id);
        Ok(query.execute(self).await?.rows_affected())
    }
}
