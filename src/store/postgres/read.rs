//! PostgreSQL's reads of a whole message and of an associate's credentials.

use sqlx::PgConnection;

use super::pg::Pg;
use crate::domain::TicketMessage;
use crate::store::message_rows as rows;
use crate::store::whole_message;
use crate::store::{Credentials, StoreError};

/// What [`load_message`] found.
pub enum Loaded {
    Message(Box<Option<TicketMessage>>),
    /// The message has child rows, which were not read: reading them needs a snapshot.
    HasChildren,
}

/// Loads a message and everything it refers to. With `read_children` false, a message that has
/// child rows is not read further, so a caller outside a transaction can start one and read it
/// whole; one without is a row plus the entities it names, which need no common snapshot.
pub async fn load_message(conn: &mut PgConnection, id: i32, read_children: bool) -> Result<Loaded, StoreError> {
    let mut db = Pg(conn);
    let Some(row) = whole_message::message_row(&mut db, id).await? else {
        return Ok(Loaded::Message(Box::new(None)));
    };
    if !read_children && whole_message::has_children(&row) {
        return Ok(Loaded::HasChildren);
    }
    let stored = whole_message::child_rows(&mut db, id, &row).await?;
    Ok(Loaded::Message(Box::new(Some(whole_message::into_message(row, id, stored)))))
}

/// The credentials of the associate with `login` (by login key) or with id `id`.
pub async fn load_credentials(
    conn: &mut PgConnection,
    login: Option<&str>,
    id: i32,
) -> Result<Option<Credentials>, StoreError> {
    let (login_key, id) = rows::credentials_key(login, id);
    let row = sqlx::query(rows::SELECT_CREDENTIALS).bind(login_key).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(rows::credentials).transpose()
}
