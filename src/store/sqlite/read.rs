//! SQLite's reads of a whole message and of an associate's credentials, on a reader connection.

use rusqlite::{Connection, params};

use super::direct::{IndexedRow, all, one};
use crate::domain::{FieldMap, TicketMessage};
use crate::store::message_rows::{self as rows, MessageRow};
use crate::store::{Credentials, StoreError};

/// Loads a message and everything it refers to, inside one read snapshot (the open
/// transaction's, on the writer connection).
pub fn load_message(conn: &Connection, id: i32) -> Result<Option<TicketMessage>, StoreError> {
    let snapshot = conn.is_autocommit().then(|| conn.unchecked_transaction()).transpose()?;
    let Some(mut message) =
        one(conn, rows::SELECT_MESSAGE, params![id], |row| rows::message_row(&IndexedRow::new(row)))?
    else {
        return Ok(None);
    };
    load_children(conn, id, &mut message)?;
    snapshot.map(rusqlite::Transaction::commit).transpose()?;
    Ok(Some(message.into_message(id)))
}

/// Child tables the message has no rows in are not asked.
fn load_children(conn: &Connection, id: i32, message: &mut MessageRow) -> Result<(), StoreError> {
    let content = &mut message.content;
    if message.has_headers {
        content.headers = all(conn, rows::SELECT_HEADERS, params![id], |row| rows::header(row))?;
    }
    if message.has_attachments {
        content.attachments = all(conn, rows::SELECT_ATTACHMENTS, params![id], |row| rows::attachment_info(row))?;
    }
    if message.has_fields {
        let (mut extra, mut custom) = (FieldMap::new(), FieldMap::new());
        all(conn, rows::SELECT_FIELDS, params![id], |row| rows::add_field(row, &mut extra, &mut custom))?;
        (content.extra_fields, content.custom_fields) = (extra, custom);
    }
    Ok(())
}

/// The credentials of the associate with `login` (by login key) or with id `id`.
pub fn load_credentials(conn: &Connection, login: Option<&str>, id: i32) -> Result<Option<Credentials>, StoreError> {
    let (login_key, id) = rows::credentials_key(login, id);
    one(conn, rows::SELECT_CREDENTIALS, params![login_key, id], |row| rows::credentials(row))
}

/// The counter the associates' triggers move on every credentials change.
pub fn load_credentials_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(one(conn, rows::SELECT_CREDENTIALS_VERSION, params![], |row| Ok(row.get::<_, i64>(0)?))?.unwrap_or(0))
}
