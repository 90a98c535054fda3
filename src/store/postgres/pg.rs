//! PostgreSQL's statement runner: the store's operations (`store::ops`) and saves (`store::save`) on a
//! sqlx connection, inside whatever transaction the caller began on it.

use std::future::Future;

use sqlx::postgres::PgArguments;
use sqlx::{PgConnection, Postgres};

use crate::store::StoreError;
use crate::store::columns::Columns;
use crate::store::db::{Db, Value};

/// A sqlx connection running the store's operations.
pub struct Pg<'c>(pub &'c mut PgConnection);

type Query = sqlx::query::Query<'static, Postgres, PgArguments>;

fn bound(sql: &str, values: &[Value<'_>]) -> Query {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for value in values {
        query = match *value {
            Value::Int(value) => query.bind(value),
            Value::Big(value) => query.bind(value),
            Value::Text(value) => query.bind(value),
            Value::Bytes(value) => query.bind(value),
            Value::Flag(value) => query.bind(value),
        };
    }
    query
}

impl Db for Pg<'_> {
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
        let query = bound(sql, values);
        async move {
            let rows = query.fetch_all(&mut *self.0).await?;
            rows.iter().map(|row| map(row)).collect()
        }
    }

    fn run(&mut self, sql: &str, values: &[Value<'_>]) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let query = bound(sql, values);
        async move { Ok(query.execute(&mut *self.0).await?.rows_affected()) }
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
        let query = bound(sql, values);
        async move {
            let row = query.fetch_optional(&mut *self.0).await?;
            row.as_ref().map(|row| map(row)).transpose()
        }
    }
}
