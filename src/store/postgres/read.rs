//! PostgreSQL's reads of a whole message and of an associate's credentials.

use sqlx::PgConnection;

use crate::domain::{FieldMap, TicketMessage};
use crate::store::message_rows::{self as rows, MessageRow};
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
    let Some(row) = sqlx::query(rows::SELECT_MESSAGE).bind(id).fetch_optional(&mut *conn).await? else {
        return Ok(Loaded::Message(Box::new(None)));
    };
    let mut message = rows::message_row(&row)?;
    if !read_children && (message.has_headers || message.has_attachments || message.has_fields) {
        return Ok(Loaded::HasChildren);
    }
    load_children(conn, id, &mut message).await?;
    Ok(Loaded::Message(Box::new(Some(message.into_message(id)))))
}

/// Child tables the message has no rows in are not asked: each statement has its cost.
async fn load_children(conn: &mut PgConnection, id: i32, message: &mut MessageRow) -> Result<(), StoreError> {
    let content = &mut message.content;
    if message.has_headers {
        let found = sqlx::query(rows::SELECT_HEADERS).bind(id).fetch_all(&mut *conn).await?;
        content.headers = found.iter().map(rows::header).collect::<Result<_, _>>()?;
    }
    if message.has_attachments {
        let found = sqlx::query(rows::SELECT_ATTACHMENTS).bind(id).fetch_all(&mut *conn).await?;
        content.attachments = found.iter().map(rows::attachment_info).collect::<Result<_, _>>()?;
    }
    if message.has_fields {
        let (mut extra, mut custom) = (FieldMap::new(), FieldMap::new());
        for row in sqlx::query(rows::SELECT_FIELDS).bind(id).fetch_all(&mut *conn).await? {
            rows::add_field(&row, &mut extra, &mut custom)?;
        }
        (content.extra_fields, content.custom_fields) = (extra, custom);
    }
    Ok(())
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
