//! SQLite's statement runner: the store's operations (`store::ops`) and saves (`store::save`) on a
//! rusqlite connection, a reader's or the writer's. Each statement runs to its end before its future
//! is returned, so an operation never waits and [`in_place`](crate::store::db::in_place) finishes it.

use std::future::{Future, ready};

use rusqlite::Connection;
use rusqlite::types::{ToSql, ToSqlOutput, Value as Owned, ValueRef};

use super::direct::{IndexedRow, all, one, run};
use crate::store::StoreError;
use crate::store::columns::Columns;
use crate::store::db::{Db, Value};

/// A row with more columns than this (the message row with its ticket, creator and person) is
/// read through a name index built once: rusqlite finds a column by comparing its name with
/// every column's in turn, which on such a row costs more than the statement. Narrower rows
/// are cheaper to scan than to index.
const WIDE_ROW: usize = 16;

/// A rusqlite connection running the store's operations.
pub struct Lite<'c>(pub &'c Connection);

impl ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Value::Int(value) => {
                value.map_or(ToSqlOutput::Owned(Owned::Null), |v| ToSqlOutput::Owned(Owned::Integer(v.into())))
            }
            Value::Big(value) => {
                value.map_or(ToSqlOutput::Owned(Owned::Null), |v| ToSqlOutput::Owned(Owned::Integer(v)))
            }
            Value::Text(value) => {
                value.map_or(ToSqlOutput::Owned(Owned::Null), |v| ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())))
            }
            Value::Bytes(value) => ToSqlOutput::Borrowed(ValueRef::Blob(value)),
            Value::Flag(value) => ToSqlOutput::Owned(Owned::Integer(value.into())),
        })
    }
}

fn as_sql<'v>(values: &'v [Value<'_>]) -> Vec<&'v dyn ToSql> {
    values.iter().map(|value| value as &dyn ToSql).collect()
}

impl Db for Lite<'_> {
    fn all<T, F>(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
        mut map: F,
    ) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send
    where
        T: Send,
        F: FnMut(&dyn Columns) -> Result<T, StoreError> + Send,
    {
        ready(all(self.0, sql, &as_sql(values), |row| map(row)))
    }

    fn run(&mut self, sql: &str, values: &[Value<'_>]) -> impl Future<Output = Result<u64, StoreError>> + Send {
        ready(run(self.0, sql, &as_sql(values)).map(|changed| changed as u64))
    }

    fn one<T, F>(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
        map: F,
    ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send
    where
        T: Send,
        F: FnOnce(&dyn Columns) -> Result<T, StoreError> + Send,
    {
        ready(one(self.0, sql, &as_sql(values), |row| {
            if row.as_ref().column_count() > WIDE_ROW { map(&IndexedRow::new(row)) } else { map(row) }
        }))
    }
}
