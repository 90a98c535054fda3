//! SQLite's writes of a message's child rows (headers, attachment info, extra and custom
//! fields) inside the save's transaction: the plan of `store::child_diff`, run row by row.
//! Prepared once per connection, a row-at-a-time INSERT costs SQLite about what a row of a
//! multi-row one does.

use rusqlite::{Connection, params};

use super::direct::{all, run};
use crate::domain::{AttachmentInfo, MessageContent, MessageHeader, VendorEnum as _};
use crate::store::StoreError;
use crate::store::child_diff::{self as diff, RowPlan};
use crate::store::save_sql::{self as sql, StoredChildren};

/// Turns the message's stored headers, attachment info and fields into the draft's, writing
/// only the rows that differ.
pub fn write_children(
    conn: &Connection,
    message_id: i32,
    content: &MessageContent,
    stored: StoredChildren,
) -> Result<(), StoreError> {
    let touched = stored.to_replace(content);
    if touched.headers {
        let rows = if stored.headers {
            all(conn, diff::SELECT_HEADERS, params![message_id], |row| diff::stored_header(row))?
        } else {
            Vec::new()
        };
        write_headers(conn, message_id, diff::plan_headers(&rows, &content.headers))?;
    }
    if touched.attachments {
        let rows = if stored.attachments {
            all(conn, diff::SELECT_ATTACHMENTS, params![message_id], |row| diff::stored_attachment(row))?
        } else {
            Vec::new()
        };
        write_attachments(conn, message_id, diff::plan_attachments(&rows, &content.attachments))?;
    }
    if touched.fields {
        let rows = if stored.fields {
            all(conn, diff::SELECT_FIELDS, params![message_id], |row| diff::stored_field(row))?
        } else {
            Vec::new()
        };
        write_fields(conn, message_id, diff::plan_fields(rows, content))?;
    }
    Ok(())
}

fn write_headers(conn: &Connection, message_id: i32, plan: RowPlan<'_, MessageHeader>) -> Result<(), StoreError> {
    if plan.delete_all {
        run(conn, diff::DELETE_ALL_HEADERS, params![message_id])?;
    } else {
        for id in plan.delete {
            run(conn, diff::DELETE_HEADER, params![id])?;
        }
    }
    for (position, h) in plan.update {
        run(
            conn,
            diff::UPDATE_HEADER,
            params![h.id, position, h.name, h.value, h.std_item.ordinal(), h.std_item_col.ordinal()],
        )?;
    }
    for (position, h) in plan.insert {
        run(
            conn,
            diff::INSERT_HEADER,
            params![message_id, position, h.name, h.value, h.std_item.ordinal(), h.std_item_col.ordinal()],
        )?;
    }
    Ok(())
}

/// Kept rows are updated in place, so uploaded bytes stay with them.
fn write_attachments(conn: &Connection, message_id: i32, plan: RowPlan<'_, AttachmentInfo>) -> Result<(), StoreError> {
    for id in plan.delete {
        run(conn, diff::DELETE_ATTACHMENT, params![id])?;
    }
    for (position, a) in plan.update {
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
    }
    for (position, a) in plan.insert {
        let values =
            params![message_id, position, a.name, a.content_type, a.size, a.inline_image, a.content_id, a.auth_key];
        run(conn, sql::INSERT_ATTACHMENT, values)?;
    }
    Ok(())
}

fn write_fields(conn: &Connection, message_id: i32, plan: diff::FieldPlan<'_>) -> Result<(), StoreError> {
    if plan.delete_all {
        run(conn, diff::DELETE_ALL_FIELDS, params![message_id])?;
    } else {
        for (kind, key) in plan.delete {
            run(conn, diff::DELETE_FIELD, params![message_id, kind, key])?;
        }
    }
    for (kind, key, value) in plan.upsert {
        run(conn, diff::UPSERT_FIELD, params![message_id, kind, key, value])?;
    }
    Ok(())
}
