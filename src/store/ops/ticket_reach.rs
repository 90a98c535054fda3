//! Ticket access.

use std::collections::BTreeSet;

use crate::domain::{TicketAccess, TicketScope};
use crate::store::StoreError;
use crate::store::db::{Db, values};
use crate::store::sql::ticket_reach as sql;

pub async fn ticket_access(db: &mut impl Db, associate_id: i32) -> Result<TicketAccess, StoreError> {
    let rows = db
        .all(sql::SELECT_ACCESS, values![associate_id], |row| {
            Ok((row.flag("restricted")?, row.maybe_text("category_name")?))
        })
        .await?;
    match rows.first() {
        Some((true, _)) => {
            Ok(TicketAccess::Categories(rows.into_iter().filter_map(|(_, name)| name).collect::<BTreeSet<_>>()))
        }
        _ => Ok(TicketAccess::All),
    }
}

/// Replaces a login's access; `false` when there is no such login.
pub async fn set_ticket_access(db: &mut impl Db, login: &str, access: &TicketAccess) -> Result<bool, StoreError> {
    let names: Vec<&String> = match access {
        TicketAccess::All => Vec::new(),
        TicketAccess::Categories(names) => names.iter().collect(),
    };
    let restricted = matches!(access, TicketAccess::Categories(_));
    let key = login.to_lowercase();
    let Some(associate_id) = db.one(sql::SET_RESTRICTED, values![&key, restricted], |row| row.int("id")).await? else {
        return Ok(false);
    };
    db.run(sql::CLEAR_CATEGORIES, values![associate_id]).await?;
    for name in names {
        db.run(sql::ADD_CATEGORY, values![associate_id, name]).await?;
    }
    Ok(true)
}

pub async fn ticket_scope(db: &mut impl Db, ticket_id: i32) -> Result<Option<TicketScope>, StoreError> {
    db.one(sql::SELECT_TICKET_SCOPE, values![ticket_id], |row| sql::ticket_scope(&row)).await
}

pub async fn message_scope(db: &mut impl Db, message_id: i32) -> Result<Option<TicketScope>, StoreError> {
    db.one(sql::SELECT_MESSAGE_SCOPE, values![message_id], |row| sql::ticket_scope(&row)).await
}

pub async fn ticket_categories(db: &mut impl Db) -> Result<Vec<String>, StoreError> {
    let mut names = db.all(sql::SELECT_CATEGORIES, &[], |row| row.text("category_name")).await?;
    // Sorted here, not in SQL: the backends' collations order text differently.
    names.sort();
    Ok(names)
}

/// The messages holding any of these header ids, ascending. One lookup per id: the lists are
/// short (bounded by the caller).
pub async fn header_messages(db: &mut impl Db, header_ids: &[i32]) -> Result<Vec<i32>, StoreError> {
    let mut messages = BTreeSet::new();
    for &id in header_ids {
        messages.extend(db.one(sql::SELECT_HEADER_OWNER, values![id], |row| row.int("message_id")).await?);
    }
    Ok(messages.into_iter().collect())
}
