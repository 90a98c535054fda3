//! The ticket message list.

use crate::domain::TicketReach;
use crate::domain::list::{ListQuery, ListRow};
use crate::store::StoreError;
use crate::store::db::{Db, Value};
use crate::store::sql::list as sql;

/// Up to `limit` rows of `query` over the messages of the tickets `reach` permits.
pub async fn list(
    db: &mut impl Db,
    query: &ListQuery,
    limit: u32,
    reach: Option<&TicketReach>,
) -> Result<Vec<ListRow>, StoreError> {
    let (statement, literals) = sql::list_statement(query, limit, reach);
    let values: Vec<Value<'_>> = literals.iter().map(sql::bound).collect();
    db.all(&statement, &values, |row| sql::list_row(&row, query)).await
}
