//! SQLite's writes of a message's child rows (headers, attachment info, extra and custom
//! fields) inside the save's transaction. Prepared once per connection, a row-at-a-time
//! INSERT costs SQLite about what a row of a multi-row one does.

use std::collections::HashSet;

use rusqlite::{Connection, params};

use super::direct::{all, run};
use crate::domain::{AttachmentInfo, MessageContent, MessageHeader, VendorEnum as _};
use crate::store::StoreError;
use crate::store::columns::Columns as _;
use crate::store::message_rows::{FIELD_KIND_CUSTOM, FIELD_KIND_EXTRA};
use crate::store::save_sql::{self as sql, StoredChildren};

const INSERT_HEADER: &str = "INSERT INTO message_headers (message_id, position, name, value, std_item, std_item_col) VALUES ($1, $2, $3, $4, $5, $6)";
const INSERT_HEADER_WITH_ID: &str = "INSERT INTO message_headers (message_id, position, name, value, std_item, std_item_col, id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const INSERT_FIELD: &str =
    "INSERT INTO message_fields (message_id, kind, field_key, field_value) VALUES ($1, $2, $3, $4)";

/// Replaces the message's headers, attachment info and fields with the draft's.
///
/// An item keeps its id only when that id already belongs to this message and has not been
/// used earlier in the same list; every other item gets a fresh id, so a client's stale or
/// repeated ids never collide.
pub fn replace_children(
    conn: &Connection,
    message_id: i32,
    content: &MessageContent,
    stored: StoredChildren,
) -> Result<(), StoreError> {
    let touched = stored.to_replace(content);
    if touched.headers {
        replace_headers(conn, message_id, &content.headers, stored.headers)?;
    }
    if touched.attachments {
        replace_attachments(conn, message_id, &content.attachments)?;
    }
    if touched.fields {
        replace_fields(conn, message_id, content, stored.fields)?;
    }
    Ok(())
}

fn replace_headers(
    conn: &Connection,
    message_id: i32,
    headers: &[MessageHeader],
    stored: bool,
) -> Result<(), StoreError> {
    let own: HashSet<i32> = if stored {
        all(conn, sql::DELETE_HEADERS, params![message_id], |row| row.int("id"))?.into_iter().collect()
    } else {
        HashSet::new()
    };
    let (kept, fresh) = sql::split_headers(headers, own);
    // Kept ids go in first, so the ids SQLite hands the fresh rows cannot be one of theirs.
    for (position, h) in kept {
        let values =
            params![message_id, position, h.name, h.value, h.std_item.ordinal(), h.std_item_col.ordinal(), h.id];
        run(conn, INSERT_HEADER_WITH_ID, values)?;
    }
    for (position, h) in fresh {
        run(
            conn,
            INSERT_HEADER,
            params![message_id, position, h.name, h.value, h.std_item.ordinal(), h.std_item_col.ordinal()],
        )?;
    }
    Ok(())
}

/// Updates the attachment rows the message keeps (in place, so uploaded bytes stay with them),
/// inserts the new ones and deletes the ones it no longer lists.
fn replace_attachments(conn: &Connection, message_id: i32, attachments: &[AttachmentInfo]) -> Result<(), StoreError> {
    let mut own: HashSet<i32> =
        all(conn, sql::SELECT_ATTACHMENT_IDS, params![message_id], |row| row.int("id"))?.into_iter().collect();
    for (position, a) in attachments.iter().enumerate() {
        let position = position as i32;
        if own.remove(&a.id) {
            let values = params![
                message_id,
                position,
                a.name,
                a.content_type,
                a.size,
                a.inline_image,
                a.content_id,
                a.auth_key,
                a.id
            ];
            run(conn, sql::UPDATE_KEPT_ATTACHMENT, values)?;
        } else {
            let values =
                params![message_id, position, a.name, a.content_type, a.size, a.inline_image, a.content_id, a.auth_key];
            run(conn, sql::INSERT_ATTACHMENT, values)?;
        }
    }
    for id in own {
        run(conn, sql::DELETE_ATTACHMENT, params![id])?;
    }
    Ok(())
}

fn replace_fields(
    conn: &Connection,
    message_id: i32,
    content: &MessageContent,
    stored: bool,
) -> Result<(), StoreError> {
    if stored {
        run(conn, sql::DELETE_FIELDS, params![message_id])?;
    }
    for (kind, fields) in [(FIELD_KIND_EXTRA, &content.extra_fields), (FIELD_KIND_CUSTOM, &content.custom_fields)] {
        for (key, value) in fields {
            run(conn, INSERT_FIELD, params![message_id, kind, key, value])?;
        }
    }
    Ok(())
}
