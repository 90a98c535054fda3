//! PostgreSQL runs the save's statements on the save's connection ([`Pg`]), in its transaction.

use super::statements::{SaveRecord, SaveStatements};
use crate::store::StoreError;
use crate::store::db::{Db, Value, values};
use crate::store::postgres::pg::Pg;
use crate::store::save_sql as sql;

impl SaveStatements for Pg<'_> {
    /// PostgreSQL binds by number whatever the order.
    async fn run_listed(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError> {
        self.run(sql, values).await
    }

    /// Takes the message's row lock before any other statement of the save: concurrent saves
    /// of one message (and its delete) then run one after the other, so none finds the row gone
    /// between its lookup and its UPDATE, nor races another's child rows. It is a statement of
    /// its own because a statement that waited for the lock still reads everything else as it
    /// was before the wait; the lookup after it sees what the previous save committed.
    async fn lock_message(&mut self, id: i32) -> Result<(), StoreError> {
        self.one(sql::LOCK_MESSAGE, values![id], |_| Ok(())).await?.ok_or(StoreError::NotFound)
    }

    /// One statement, one round trip fewer (see [`sql::update_and_record`]).
    async fn update_and_record(&mut self, values: &[Value<'_>], record: SaveRecord) -> Result<u64, StoreError> {
        let mut bound = values.to_vec();
        bound.extend(values![record.notify, record.associate_id]);
        self.run(sql::update_and_record(), &bound).await
    }
}
