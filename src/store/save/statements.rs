//! What a backend must run for the save algorithm: statements of given SQL text with typed
//! values, and the few steps the backends take differently (the row lock, the UPDATE with its
//! save record). The algorithm decides what to run; a backend only runs it.

use crate::store::StoreError;
use crate::store::columns::Columns;
use crate::store::outbox::enqueue::OutboxStatements;

/// One bound value. The variants are the Rust types the save binds, so each backend binds
/// exactly what it did when it bound the fields directly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Int(i32),
    MaybeInt(Option<i32>),
    Big(i64),
    MaybeBig(Option<i64>),
    Flag(bool),
    Text(&'a str),
}

impl From<i32> for Value<'_> {
    fn from(value: i32) -> Self {
        Self::Int(value)
    }
}

impl From<Option<i32>> for Value<'_> {
    fn from(value: Option<i32>) -> Self {
        Self::MaybeInt(value)
    }
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Self::Big(value)
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(value: Option<i64>) -> Self {
        Self::MaybeBig(value)
    }
}

impl From<bool> for Value<'_> {
    fn from(value: bool) -> Self {
        Self::Flag(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(value)
    }
}

/// The values of a statement, in parameter order: `values![a, b, c]`.
macro_rules! values {
    ($($value:expr),* $(,)?) => {
        [$($crate::store::save::statements::Value::from($value)),*]
    };
}
pub(crate) use values;

/// The `message_events` row of an update, written with its UPDATE.
#[derive(Debug, Clone, Copy)]
pub struct SaveRecord {
    pub message_id: i32,
    pub notify: bool,
    pub associate_id: i32,
    pub now: i64,
}

/// Maps the row a statement answered.
pub trait MapOne<T>: FnOnce(&dyn Columns) -> Result<T, StoreError> + Send {}
impl<T, F: FnOnce(&dyn Columns) -> Result<T, StoreError> + Send> MapOne<T> for F {}

/// Maps each row a statement answered.
pub trait MapEach<T>: FnMut(&dyn Columns) -> Result<T, StoreError> + Send {}
impl<T, F: FnMut(&dyn Columns) -> Result<T, StoreError> + Send> MapEach<T> for F {}

/// The statements of a save, each run inside the save's transaction. Statement text uses
/// `$1`, `$2`… so both engines run the same text.
pub trait SaveStatements: OutboxStatements {
    /// Runs a statement of fixed text (its parameters bound by number); how many rows it changed.
    async fn run(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError>;
    /// Runs a generated statement whose parameters appear in order (`$1`, `$2`, … `$n`, each
    /// once), as multi-row writes are built; how many rows it changed.
    async fn run_listed(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError>;
    /// The first row of a statement's answer, mapped; `None` when it answered none.
    async fn one<T>(&mut self, sql: &str, values: &[Value<'_>], map: impl MapOne<T>) -> Result<Option<T>, StoreError>;
    /// Every row of a statement's answer, mapped.
    async fn all<T>(&mut self, sql: &str, values: &[Value<'_>], map: impl MapEach<T>) -> Result<Vec<T>, StoreError>;
    /// Makes concurrent saves of one message run one after the other from here on; `NotFound`
    /// when the message is gone. (The SQLite writer runs saves one at a time already.)
    async fn lock_message(&mut self, id: i32) -> Result<(), StoreError>;
    /// [`crate::store::save_sql::UPDATE_MESSAGE`] with `values` and, when it changed the row,
    /// the update's save record; the UPDATE's row count.
    async fn update_and_record(&mut self, values: &[Value<'_>], record: SaveRecord) -> Result<u64, StoreError>;
}
