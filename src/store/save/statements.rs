//! What a backend must run for the save algorithm beyond the store's statement runner ([`Db`]):
//! the few steps the backends take differently (a generated statement's binding, the row lock,
//! the UPDATE with its save record). The algorithm decides what to run; a backend only runs it.

use crate::store::StoreError;
use crate::store::db::{Db, Value};
use crate::store::outbox::statements::OutboxStatements;

/// The `message_events` row of an update, written with its UPDATE.
#[derive(Debug, Clone, Copy)]
pub struct SaveRecord {
    pub message_id: i32,
    pub notify: bool,
    pub associate_id: i32,
    pub now: i64,
}

/// The statements of a save, each run inside the save's transaction: the runner's `run`, `one`
/// and `all`, the outbox's statements, and these.
pub trait SaveStatements: Db + OutboxStatements {
    /// Runs a generated statement whose parameters appear in order (`$1`, `$2`, … `$n`, each
    /// once), as multi-row writes are built; how many rows it changed.
    async fn run_listed(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError>;
    /// Makes concurrent saves of one message run one after the other from here on; `NotFound`
    /// when the message is gone. (The SQLite writer runs saves one at a time already.)
    async fn lock_message(&mut self, id: i32) -> Result<(), StoreError>;
    /// [`crate::store::save_sql::UPDATE_MESSAGE`] with `values` and, when it changed the row,
    /// the update's save record; the UPDATE's row count.
    async fn update_and_record(&mut self, values: &[Value<'_>], record: SaveRecord) -> Result<u64, StoreError>;
}
