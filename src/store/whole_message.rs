//! A whole message read over the statement runner, written once for both backends and both
//! callers: its row (with its ticket, creator and person), then only the child tables that hold
//! its rows, read in list order with their positions. The readers answer a GET with it; an edit
//! reads the message it saves onto with it and hands the child rows to the save's diff.

use super::StoreError;
use super::child_diff::{self as diff, StoredRows};
use super::db::{Db, values};
use super::message_rows::{self as rows, FIELD_KIND_EXTRA, MessageRow};
use crate::domain::TicketMessage;

/// The message row of `id`, `None` when there is no such message.
pub async fn message_row<D: Db>(db: &mut D, id: i32) -> Result<Option<MessageRow>, StoreError> {
    db.one(rows::SELECT_MESSAGE, values![id], |row| rows::message_row(&row)).await
}

/// Whether any child table holds rows of the message.
pub fn has_children(row: &MessageRow) -> bool {
    row.has_headers || row.has_attachments || row.has_fields
}

/// The message's child rows, asking only the tables its row says hold some.
pub async fn child_rows<D: Db>(db: &mut D, id: i32, row: &MessageRow) -> Result<StoredRows, StoreError> {
    let mut stored = StoredRows::default();
    if row.has_headers {
        stored.headers = db.all(diff::SELECT_HEADERS, values![id], |row| diff::stored_header(&row)).await?;
    }
    if row.has_attachments {
        stored.attachments = db.all(diff::SELECT_ATTACHMENTS, values![id], |row| diff::stored_attachment(&row)).await?;
    }
    if row.has_fields {
        stored.fields = db.all(diff::SELECT_FIELDS, values![id], |row| diff::stored_field(&row)).await?;
    }
    Ok(stored)
}

/// The message of `row` with `stored` as its headers, attachment information and fields.
pub fn into_message(row: MessageRow, id: i32, stored: StoredRows) -> TicketMessage {
    let mut message = row.into_message(id);
    let content = &mut message.content;
    content.headers = stored.headers.into_iter().map(|(_, header)| header).collect();
    content.attachments = stored.attachments.into_iter().map(|(_, attachment)| attachment).collect();
    for (kind, key, value) in stored.fields {
        let map = if kind == FIELD_KIND_EXTRA { &mut content.extra_fields } else { &mut content.custom_fields };
        map.insert(key, value);
    }
    message
}

/// Message `id` whole, `None` when there is no such message.
pub async fn read<D: Db>(db: &mut D, id: i32) -> Result<Option<TicketMessage>, StoreError> {
    let Some(row) = message_row(db, id).await? else { return Ok(None) };
    let stored = child_rows(db, id, &row).await?;
    Ok(Some(into_message(row, id, stored)))
}

/// [`read`], with the child rows as stored besides.
pub async fn read_with_rows<D: Db>(db: &mut D, id: i32) -> Result<Option<(TicketMessage, StoredRows)>, StoreError> {
    let Some(row) = message_row(db, id).await? else { return Ok(None) };
    let stored = child_rows(db, id, &row).await?;
    Ok(Some((into_message(row, id, stored.clone()), stored)))
}
