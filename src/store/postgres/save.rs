//! PostgreSQL's message saves: each runs in the request's own transaction, so a save commits
//! the message, its child rows, its save record and its outbox rows together or not at all.

use std::sync::LazyLock;

use sqlx::{PgConnection, Row as _};

use super::children::write_children;
use crate::domain::notification::EventKind;
use crate::domain::{MessageDraft, SaveAlso};
use crate::store::outbox::enqueue::SavedMessage;
use crate::store::outbox::enqueue::{OutboxStatements as _, enqueue_notifications, queue_message_events};
use crate::store::outbox::webhook_events::deleted_change;
use crate::store::save_sql::{self as sql, StoredChildren, references_found};
use crate::store::{SaveContext, StoreError, now_ticks, to_ticks};

/// Binds the 22 message columns in the order of [`sql::INSERT_MESSAGE`] and [`sql::UPDATE_MESSAGE`].
macro_rules! bind_message_columns {
    ($query:expr, $ticket_id:expr, $created_by:expr, $draft:expr, $now:expr) => {{
        let c = &$draft.content;
        $query
            .bind($ticket_id)
            .bind(to_ticks(&c.created_at))
            .bind($created_by)
            .bind(&c.author)
            .bind(c.slevel.ordinal())
            .bind(c.message_type.ordinal())
            .bind(&c.message_id)
            .bind(c.time_spent)
            .bind(&c.body)
            .bind(&c.html_body)
            .bind(&c.email_header)
            .bind(&c.debug_info)
            .bind(&c.mail_sorter)
            .bind(c.category.ordinal())
            .bind($draft.refs.person_id)
            .bind(&c.search_title)
            .bind(c.important)
            .bind(&c.language)
            .bind(c.sentiment)
            .bind(c.sentiment_confidence)
            .bind(c.badge.ordinal())
            .bind($now)
    }};
}

/// Writes a new message with all its child rows and its save record; returns its id.
pub async fn create_in(
    conn: &mut PgConnection,
    draft: &MessageDraft,
    ctx: SaveContext,
    now: i64,
) -> Result<i32, StoreError> {
    use crate::domain::VendorEnum as _;
    let ticket_id = draft.refs.ticket_id.unwrap_or(0);
    let created_by = draft.refs.created_by.unwrap_or(ctx.associate_id);
    let found = sqlx::query(sql::CHECK_REFERENCES)
        .bind(ticket_id)
        .bind(created_by)
        .bind(draft.refs.person_id.unwrap_or(0))
        .fetch_one(&mut *conn)
        .await?;
    references_found(&found, ticket_id, created_by, draft.refs.person_id)?;
    let query = sqlx::query(sql::INSERT_MESSAGE);
    let id: i32 =
        bind_message_columns!(query, ticket_id, created_by, draft, now).fetch_one(&mut *conn).await?.try_get("id")?;
    write_children(conn, id, &draft.content, StoredChildren::NONE).await?;
    let connected = save_also(conn, id, ticket_id, &draft.also, now).await?;
    record_save(conn, id, "ticketmessage.created", ctx, now).await?;
    let saved = SavedMessage {
        message_id: id,
        ticket_id,
        kind: EventKind::Created,
        content: &draft.content,
        before: None,
        connected,
    };
    enqueue_notifications(conn, saved, ctx, now).await?;
    Ok(id)
}

pub async fn update_in(
    conn: &mut PgConnection,
    id: i32,
    draft: &MessageDraft,
    ctx: SaveContext,
) -> Result<(), StoreError> {
    use crate::domain::VendorEnum as _;
    lock_message(conn, id).await?;
    let stored = sqlx::query(sql::LOOKUP_FOR_UPDATE)
        .bind(id)
        .bind(draft.refs.ticket_id)
        .bind(draft.refs.created_by)
        .bind(draft.refs.person_id.unwrap_or(0))
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let ticket_id = draft.refs.ticket_id.map_or_else(|| stored.try_get("ticket_id"), Ok)?;
    let created_by = draft.refs.created_by.map_or_else(|| stored.try_get("created_by"), Ok)?;
    references_found(&stored, ticket_id, created_by, draft.refs.person_id)?;
    let children = StoredChildren::of(&stored)?;
    let before = conn.message_fields(id).await?;
    let now = now_ticks();
    let query = sqlx::query(update_and_record());
    let recorded = bind_message_columns!(query, ticket_id, created_by, draft, now)
        .bind(id)
        .bind(ctx.expected_version)
        .bind(ctx.notify)
        .bind(ctx.associate_id)
        .execute(&mut *conn)
        .await?;
    if recorded.rows_affected() == 0 {
        return Err(sql::unchanged(ctx));
    }
    write_children(conn, id, &draft.content, children).await?;
    let connected = save_also(conn, id, ticket_id, &draft.also, now).await?;
    let saved = SavedMessage {
        message_id: id,
        ticket_id,
        kind: EventKind::Changed,
        content: &draft.content,
        before,
        connected,
    };
    enqueue_notifications(conn, saved, ctx, now).await
}

/// [`sql::UPDATE_MESSAGE`] and its `ticketmessage.changed` save record in one statement, one
/// round trip fewer: the record is written only when the UPDATE changed the row, so the
/// statement's row count is the UPDATE's. `$25` is the notify flag, `$26` the caller.
fn update_and_record() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "WITH changed AS ({} RETURNING id) \
             INSERT INTO message_events (message_id, event, notify, associate_id, created_at) \
             SELECT id, 'ticketmessage.changed', $25, $26, $22 FROM changed",
            sql::UPDATE_MESSAGE
        )
    });
    &SQL
}

/// Takes the message's row lock before any other statement of the save: concurrent saves of
/// one message (and its delete) then run one after the other, so none finds the row gone
/// between its lookup and its UPDATE, nor races another's child rows. It is a statement of its
/// own because a statement that waited for the lock still reads everything else as it was
/// before the wait; the lookup after it sees what the previous save committed. `NO KEY` leaves
/// free the lock that child-row inserts take on their parent.
async fn lock_message(conn: &mut PgConnection, id: i32) -> Result<(), StoreError> {
    sqlx::query("SELECT id FROM ticket_messages WHERE id = $1 FOR NO KEY UPDATE")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(())
}

/// Connects the draft's uploads after the message's attachments and stamps the ticket's
/// replied-at time, when the draft asks: any failure fails the save. Whether any upload was
/// connected (rather than found to be the message's already).
async fn save_also(
    conn: &mut PgConnection,
    id: i32,
    ticket_id: i32,
    also: &SaveAlso,
    now: i64,
) -> Result<bool, StoreError> {
    let mut connected = false;
    if !also.connect_uploads.is_empty() {
        let last = sqlx::query(sql::LAST_ATTACHMENT_POSITION).bind(id).fetch_one(&mut *conn).await?;
        let mut position: i32 = last.try_get("last")?;
        for &upload in &also.connect_uploads {
            let row = sqlx::query(sql::SELECT_UPLOAD_OWNER).bind(upload).fetch_optional(&mut *conn).await?;
            let owner = row.as_ref().map(sql::upload_owner).transpose()?;
            if !sql::to_connect(upload, owner, id, also.uploader)? {
                continue;
            }
            position = position.saturating_add(1);
            let done =
                sqlx::query(sql::CONNECT_UPLOAD).bind(id).bind(position).bind(upload).execute(&mut *conn).await?;
            if done.rows_affected() != 1 {
                return Err(sql::not_connectable(upload));
            }
            connected = true;
        }
    }
    if also.stamp_replied_at {
        sqlx::query(sql::STAMP_REPLIED_AT).bind(now).bind(ticket_id).execute(&mut *conn).await?;
    }
    Ok(connected)
}

async fn record_save(
    conn: &mut PgConnection,
    message_id: i32,
    event: &str,
    ctx: SaveContext,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(sql::RECORD_SAVE)
        .bind(message_id)
        .bind(event)
        .bind(ctx.notify)
        .bind(ctx.associate_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Creates a message and remembers `key` for it, unless this caller used `key` within `window`
/// already: then the earlier message's id comes back with `false`.
pub async fn create_once_in(
    conn: &mut PgConnection,
    draft: &MessageDraft,
    ctx: SaveContext,
    key: &str,
    window: chrono::Duration,
) -> Result<(i32, bool), StoreError> {
    let now = now_ticks();
    let oldest = to_ticks(&(chrono::Utc::now().naive_utc() - window));
    sqlx::query(sql::FORGET_OLD_KEY).bind(ctx.associate_id).bind(key).bind(oldest).execute(&mut *conn).await?;
    let earlier = sqlx::query(sql::FIND_KEY).bind(ctx.associate_id).bind(key).fetch_optional(&mut *conn).await?;
    if let Some(row) = earlier {
        return Ok((row.try_get("message_id")?, false));
    }
    let id = create_in(conn, draft, ctx, now).await?;
    sqlx::query(sql::REMEMBER_KEY).bind(ctx.associate_id).bind(key).bind(id).bind(now).execute(&mut *conn).await?;
    Ok((id, true))
}

/// Deletes a message; its `ticketmessage.deleted` and `ticket.changed` events carry the values
/// it had.
pub async fn delete_in(conn: &mut PgConnection, id: i32, ctx: SaveContext) -> Result<bool, StoreError> {
    let Some(fields) = conn.message_fields(id).await? else { return Ok(false) };
    let done = sqlx::query(sql::DELETE_MESSAGE).bind(id).execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    queue_message_events(conn, deleted_change(id, fields), ctx, now_ticks()).await?;
    Ok(true)
}
