//! PostgreSQL's writes of a message's child rows (headers, attachment info, extra and custom
//! fields), inside the save's transaction, with multi-row INSERTs where the rows allow.

use std::collections::HashSet;

use sqlx::{PgConnection, Postgres, Row as _};

use crate::domain::{AttachmentInfo, MessageContent, MessageHeader, VendorEnum as _};
use crate::store::StoreError;
use crate::store::message_rows::{FIELD_KIND_CUSTOM, FIELD_KIND_EXTRA};
use crate::store::save_sql::{self as sql, StoredChildren};

type Conn = PgConnection;

/// Rows per multi-row INSERT: keeps the bound parameters far below PostgreSQL's limit.
const ROWS_PER_INSERT: usize = 500;

/// Replaces the message's headers, attachment info and fields with the draft's.
///
/// An item keeps its id only when that id already belongs to this message and has not been
/// used earlier in the same list; every other item gets a fresh id, so a client's stale or
/// repeated ids never collide.
pub async fn replace_children(
    conn: &mut Conn,
    message_id: i32,
    content: &MessageContent,
    stored: StoredChildren,
) -> Result<(), StoreError> {
    let touched = stored.to_replace(content);
    if touched.headers {
        replace_headers(conn, message_id, &content.headers, stored.headers).await?;
    }
    if touched.attachments {
        replace_attachments(conn, message_id, &content.attachments).await?;
    }
    if touched.fields {
        replace_fields(conn, message_id, content, stored.fields).await?;
    }
    Ok(())
}

async fn replace_headers(
    conn: &mut Conn,
    message_id: i32,
    headers: &[MessageHeader],
    stored: bool,
) -> Result<(), StoreError> {
    let own: HashSet<i32> = if stored {
        let rows = sqlx::query(sql::DELETE_HEADERS).bind(message_id).fetch_all(&mut *conn).await?;
        rows.iter().map(|row| row.try_get::<i32, _>("id")).collect::<Result<_, _>>()?
    } else {
        HashSet::new()
    };
    let (kept, fresh) = sql::split_headers(headers, own);
    insert_headers(conn, message_id, &kept, true).await?;
    insert_headers(conn, message_id, &fresh, false).await
}

/// Inserts headers with one multi-row INSERT per chunk; `keep_ids` writes their own ids, else
/// the database assigns fresh ones.
async fn insert_headers(
    conn: &mut Conn,
    message_id: i32,
    rows: &[(i32, &MessageHeader)],
    keep_ids: bool,
) -> Result<(), StoreError> {
    let columns = if keep_ids {
        "position, name, value, std_item, std_item_col, id"
    } else {
        "position, name, value, std_item, std_item_col"
    };
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut insert =
            sqlx::QueryBuilder::<Postgres>::new(format!("INSERT INTO message_headers (message_id, {columns}) "));
        insert.push_values(chunk, |mut row, (position, h)| {
            row.push_bind(message_id).push_bind(*position).push_bind(&h.name).push_bind(&h.value);
            row.push_bind(h.std_item.ordinal()).push_bind(h.std_item_col.ordinal());
            if keep_ids {
                row.push_bind(h.id);
            }
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Updates the attachment rows the message keeps (in place, so uploaded bytes stay with them),
/// inserts the new ones and deletes the ones it no longer lists.
async fn replace_attachments(
    conn: &mut Conn,
    message_id: i32,
    attachments: &[AttachmentInfo],
) -> Result<(), StoreError> {
    let rows = sqlx::query(sql::SELECT_ATTACHMENT_IDS).bind(message_id).fetch_all(&mut *conn).await?;
    let mut own: HashSet<i32> = rows.iter().map(|row| row.try_get::<i32, _>("id")).collect::<Result<_, _>>()?;
    for (position, a) in attachments.iter().enumerate() {
        let keep = own.remove(&a.id);
        let query = sqlx::query(if keep { sql::UPDATE_KEPT_ATTACHMENT } else { sql::INSERT_ATTACHMENT });
        let query = query
            .bind(message_id)
            .bind(position as i32)
            .bind(&a.name)
            .bind(&a.content_type)
            .bind(a.size)
            .bind(a.inline_image)
            .bind(&a.content_id)
            .bind(&a.auth_key);
        if keep { query.bind(a.id) } else { query }.execute(&mut *conn).await?;
    }
    for id in own {
        sqlx::query(sql::DELETE_ATTACHMENT).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn replace_fields(
    conn: &mut Conn,
    message_id: i32,
    content: &MessageContent,
    stored: bool,
) -> Result<(), StoreError> {
    if stored {
        sqlx::query(sql::DELETE_FIELDS).bind(message_id).execute(&mut *conn).await?;
    }
    let kinds = [(FIELD_KIND_EXTRA, &content.extra_fields), (FIELD_KIND_CUSTOM, &content.custom_fields)];
    let fields: Vec<(i32, &String, &String)> = kinds
        .into_iter()
        .flat_map(|(kind, fields)| fields.iter().map(move |(key, value)| (kind, key, value)))
        .collect();
    for chunk in fields.chunks(ROWS_PER_INSERT) {
        let mut insert = sqlx::QueryBuilder::<Postgres>::new(
            "INSERT INTO message_fields (message_id, kind, field_key, field_value) ",
        );
        insert.push_values(chunk, |mut row, (kind, key, value)| {
            row.push_bind(message_id).push_bind(*kind).push_bind(*key).push_bind(*value);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}
