//! SQLite runs the save's statements on the group-commit writer's connection ([`Lite`]), inside
//! the batch's transaction and the save's own savepoint. Every statement runs to its end in
//! place, so [`in_place`](crate::store::db::in_place) finishes a save.

use super::statements::{SaveRecord, SaveStatements};
use crate::store::StoreError;
use crate::store::db::{Db, Value, values};
use crate::store::save_sql as sql;
use crate::store::sqlite::lite::Lite;

impl SaveStatements for Lite<'_> {
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

    /// The writer runs one save at a time: nothing to lock.
    async fn lock_message(&mut self, _id: i32) -> Result<(), StoreError> {
        Ok(())
    }

    /// Two statements: SQLite has no data-modifying `WITH`.
    async fn update_and_record(&mut self, values: &[Value<'_>], record: SaveRecord) -> Result<u64, StoreError> {
        let changed = self.run(sql::UPDATE_MESSAGE, values).await?;
        if changed > 0 {
            let SaveRecord { message_id, notify, associate_id, now } = record;
            let event = "ticketmessage.changed";
            self.run(sql::RECORD_SAVE, values![message_id, event, notify, associate_id, now]).await?;
        }
        Ok(changed)
    }
}
