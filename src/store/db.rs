//! The statement runner the store's operations are written over (`store::ops`): run a statement
//! with bound values, map its rows through [`Columns`]. SQLite implements it on rusqlite
//! (`sqlite::lite`), PostgreSQL on sqlx (`postgres::pg`); which connection or transaction a
//! runner stands for is the backend's to choose.

use std::future::Future;

use super::StoreError;
use super::columns::Columns;

/// A value bound to a statement's `$N` parameter. The nullable forms carry their type, which
/// PostgreSQL needs for a NULL.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Int(Option<i32>),
    Big(Option<i64>),
    Text(Option<&'a str>),
    Bytes(&'a [u8]),
    Flag(bool),
}

impl From<i32> for Value<'_> {
    fn from(value: i32) -> Self {
        Self::Int(Some(value))
    }
}

impl From<Option<i32>> for Value<'_> {
    fn from(value: Option<i32>) -> Self {
        Self::Int(value)
    }
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Self::Big(Some(value))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(value: Option<i64>) -> Self {
        Self::Big(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(Some(value))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(Some(value))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(value: &'a Option<String>) -> Self {
        Self::Text(value.as_deref())
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self::Bytes(value)
    }
}

impl From<bool> for Value<'_> {
    fn from(value: bool) -> Self {
        Self::Flag(value)
    }
}

/// The values of a statement, in `$1`, `$2`… order.
macro_rules! values {
    ($($value:expr),* $(,)?) => { &[$($crate::store::db::Value::from($value)),*] };
}
pub(crate) use values;

/// Runs statements on one connection (inside whatever transaction the backend opened). Every
/// statement is SQL text both backends accept, with `$N` parameters.
pub trait Db {
    /// Every row of `sql`, mapped.
    fn all<T, F>(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
        map: F,
    ) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send
    where
        T: Send,
        F: FnMut(&dyn Columns) -> Result<T, StoreError> + Send;

    /// Runs `sql`; how many rows it changed.
    fn run(&mut self, sql: &str, values: &[Value<'_>]) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The first row of `sql`, mapped; `None` when there is none.
    fn one<T, F>(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
        map: F,
    ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send
    where
        T: Send,
        F: FnOnce(&dyn Columns) -> Result<T, StoreError> + Send;
}

/// Finishes an operation whose statements all ran in place (SQLite's runner never waits):
/// polling it once completes it.
pub fn in_place<T>(operation: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    use futures_util::FutureExt as _;
    operation
        .now_or_never()
        .unwrap_or_else(|| Err(StoreError::Internal("a statement waited on a SQLite connection".into())))
}
