//! PostgreSQL's writes of a message's child rows (headers, attachment info, extra and custom
//! fields) inside the save's transaction: the plan of `store::child_diff`, with new rows in
//! multi-row INSERTs and deletions by id list, so each kind of write is one round trip.

use sqlx::{PgConnection, Postgres};

use crate::domain::{AttachmentInfo, MessageContent, MessageHeader, VendorEnum as _};
use crate::store::StoreError;
use crate::store::child_diff::{self as diff, RowPlan};
use crate::store::save_sql::{self as sql, StoredChildren};

type Conn = PgConnection;

/// Rows per multi-row INSERT: keeps the bound parameters far below PostgreSQL's limit.
const ROWS_PER_INSERT: usize = 500;

/// Turns the message's stored headers, attachment info and fields into the draft's, writing
/// only the rows that differ.
pub async fn write_children(
    conn: &mut Conn,
    message_id: i32,
    content: &MessageContent,
    stored: StoredChildren,
) -> Result<(), StoreError> {
    let touched = stored.to_replace(content);
    if touched.headers {
        let rows = if stored.headers {
            stored_rows(conn, diff::SELECT_HEADERS, message_id, diff::stored_header).await?
        } else {
            Vec::new()
        };
        write_headers(conn, message_id, diff::plan_headers(&rows, &content.headers)).await?;
    }
    if touched.attachments {
        let rows = if stored.attachments {
            stored_rows(conn, diff::SELECT_ATTACHMENTS, message_id, diff::stored_attachment).await?
        } else {
            Vec::new()
        };
        write_attachments(conn, message_id, diff::plan_attachments(&rows, &content.attachments)).await?;
    }
    if touched.fields {
        let rows = if stored.fields {
            stored_rows(conn, diff::SELECT_FIELDS, message_id, diff::stored_field).await?
        } else {
            Vec::new()
        };
        write_fields(conn, message_id, diff::plan_fields(rows, content)).await?;
    }
    Ok(())
}

async fn stored_rows<T>(
    conn: &mut Conn,
    statement: &'static str,
    message_id: i32,
    map: impl Fn(&sqlx::postgres::PgRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let rows = sqlx::query(statement).bind(message_id).fetch_all(&mut *conn).await?;
    rows.iter().map(map).collect()
}

async fn write_headers(conn: &mut Conn, message_id: i32, plan: RowPlan<'_, MessageHeader>) -> Result<(), StoreError> {
    if plan.delete_all {
        sqlx::query(diff::DELETE_ALL_HEADERS).bind(message_id).execute(&mut *conn).await?;
    } else if !plan.delete.is_empty() {
        sqlx::query("DELETE FROM message_headers WHERE id = ANY($1)").bind(&plan.delete).execute(&mut *conn).await?;
    }
    for (position, h) in &plan.update {
        sqlx::query(diff::UPDATE_HEADER)
            .bind(h.id)
            .bind(position)
            .bind(&h.name)
            .bind(&h.value)
            .bind(h.std_item.ordinal())
            .bind(h.std_item_col.ordinal())
            .execute(&mut *conn)
            .await?;
    }
    for chunk in plan.insert.chunks(ROWS_PER_INSERT) {
        let mut insert = sqlx::QueryBuilder::<Postgres>::new(
            "INSERT INTO message_headers (message_id, position, name, value, std_item, std_item_col) ",
        );
        insert.push_values(chunk, |mut row, (position, h)| {
            row.push_bind(message_id).push_bind(*position).push_bind(&h.name).push_bind(&h.value);
            row.push_bind(h.std_item.ordinal()).push_bind(h.std_item_col.ordinal());
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Kept rows are updated in place, so uploaded bytes stay with them.
async fn write_attachments(
    conn: &mut Conn,
    message_id: i32,
    plan: RowPlan<'_, AttachmentInfo>,
) -> Result<(), StoreError> {
    if !plan.delete.is_empty() {
        sqlx::query("DELETE FROM attachments WHERE id = ANY($1)").bind(&plan.delete).execute(&mut *conn).await?;
    }
    for (position, a) in &plan.update {
        sqlx::query(sql::UPDATE_KEPT_ATTACHMENT)
            .bind(message_id)
            .bind(position)
            .bind(&a.name)
            .bind(&a.content_type)
            .bind(a.size)
            .bind(a.inline_image)
            .bind(&a.content_id)
            .bind(&a.auth_key)
            .bind(a.id)
            .execute(&mut *conn)
            .await?;
    }
    for chunk in plan.insert.chunks(ROWS_PER_INSERT) {
        let mut insert = sqlx::QueryBuilder::<Postgres>::new(
            "INSERT INTO attachments (message_id, position, name, content_type, att_size, inline_image, content_id, auth_key) ",
        );
        insert.push_values(chunk, |mut row, (position, a)| {
            row.push_bind(message_id).push_bind(*position).push_bind(&a.name).push_bind(&a.content_type);
            row.push_bind(a.size).push_bind(a.inline_image).push_bind(&a.content_id).push_bind(&a.auth_key);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn write_fields(conn: &mut Conn, message_id: i32, plan: diff::FieldPlan<'_>) -> Result<(), StoreError> {
    if plan.delete_all {
        sqlx::query(diff::DELETE_ALL_FIELDS).bind(message_id).execute(&mut *conn).await?;
    } else {
        for (kind, key) in &plan.delete {
            sqlx::query(diff::DELETE_FIELD).bind(message_id).bind(kind).bind(key).execute(&mut *conn).await?;
        }
    }
    for chunk in plan.upsert.chunks(ROWS_PER_INSERT) {
        let mut insert = sqlx::QueryBuilder::<Postgres>::new(
            "INSERT INTO message_fields (message_id, kind, field_key, field_value) ",
        );
        insert.push_values(chunk, |mut row, (kind, key, value)| {
            row.push_bind(message_id).push_bind(*kind).push_bind(*key).push_bind(*value);
        });
        insert.push(" ON CONFLICT (message_id, kind, field_key) DO UPDATE SET field_value = excluded.field_value");
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}
