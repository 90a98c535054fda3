//! SQLite's reads of a whole message and of an associate's credentials, on a reader connection.

use rusqlite::{Connection, params};

use super::direct::one;
use super::lite::Lite;
use crate::domain::TicketMessage;
use crate::store::db::in_place;
use crate::store::message_rows as rows;
use crate::store::whole_message;
use crate::store::{Credentials, StoreError};

/// Loads a message and everything it refers to, inside one read snapshot (the open
/// transaction's, on the writer connection).
pub fn load_message(conn: &Connection, id: i32) -> Result<Option<TicketMessage>, StoreError> {
    let snapshot = conn.is_autocommit().then(|| conn.unchecked_transaction()).transpose()?;
    let message = in_place(whole_message::read(&mut Lite(conn), id))?;
    snapshot.map(rusqlite::Transaction::commit).transpose()?;
    Ok(message)
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
