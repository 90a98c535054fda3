//! Creating, updating and deleting a message: the message row, its child rows, what the save
//! also writes, its save record and its outbox rows, all in the save's transaction, so they
//! commit together or not at all.

use super::children::{ChildIds, write_children};
use super::statements::{SaveRecord, SaveStatements};
use crate::domain::notification::EventKind;
use crate::domain::{MessageDraft, SaveAlso, VendorEnum as _};
use crate::store::child_diff::StoredRows;
use crate::store::db::{Value, values};
use crate::store::outbox::enqueue::{OutboxPlan, SavedMessage, enqueue_notifications, queue_message_events};
use crate::store::outbox::webhook_events::deleted_change;
use crate::store::save_sql::{self as sql, StoredChildren, references_found};
use crate::store::{SaveContext, StoreError, now_ticks, to_ticks};

/// The 22 message columns of [`sql::INSERT_MESSAGE`] and [`sql::UPDATE_MESSAGE`], in their order.
fn message_values<'a>(draft: &'a MessageDraft, ticket_id: i32, created_by: i32, now: i64) -> Vec<Value<'a>> {
    let c = &draft.content;
    let mut values = Vec::with_capacity(24);
    values.extend(values![ticket_id, to_ticks(&c.created_at), created_by, &c.author]);
    values.extend(values![c.slevel.ordinal(), c.message_type.ordinal(), &c.message_id, c.time_spent]);
    values.extend(values![&c.body, &c.html_body, &c.email_header, &c.debug_info, &c.mail_sorter]);
    values.extend(values![c.category.ordinal(), draft.refs.person_id, &c.search_title, c.important]);
    values.extend(values![&c.language, c.sentiment, c.sentiment_confidence, c.badge.ordinal(), now]);
    values
}

/// Writes a new message with all its child rows and its save record; returns its id.
pub async fn create<S: SaveStatements>(
    db: &mut S,
    draft: &MessageDraft,
    ctx: SaveContext,
    now: i64,
) -> Result<i32, StoreError> {
    Ok(create_with_ids(db, draft, ctx, now).await?.0)
}

/// [`create`], answering also the ids its child rows were given.
pub async fn create_with_ids<S: SaveStatements>(
    db: &mut S,
    draft: &MessageDraft,
    ctx: SaveContext,
    now: i64,
) -> Result<(i32, ChildIds), StoreError> {
    let ticket_id = draft.refs.ticket_id.unwrap_or(0);
    let created_by = draft.refs.created_by.unwrap_or(ctx.associate_id);
    let person_id = draft.refs.person_id;
    let refs = values![ticket_id, created_by, person_id.unwrap_or(0)];
    let webhooks = db
        .one(sql::CHECK_REFERENCES, refs, |row| {
            references_found(&row, ticket_id, created_by, person_id)?;
            sql::webhooks_active(&row)
        })
        .await?;
    let plan = OutboxPlan::decide(db, ctx, webhooks.unwrap_or(true)).await?;
    let columns = message_values(draft, ticket_id, created_by, now);
    let id = db.one(sql::INSERT_MESSAGE, &columns, |row| row.int("id")).await?.ok_or(StoreError::NotFound)?;
    let ids = write_children(db, id, &draft.content, StoredChildren::NONE, None).await?;
    let connected = save_also(db, id, ticket_id, &draft.also, now).await?;
    let record = values![id, "ticketmessage.created", ctx.notify, ctx.associate_id, now];
    db.run(sql::RECORD_SAVE, record).await?;
    let saved = SavedMessage {
        message_id: id,
        ticket_id,
        kind: EventKind::Created,
        content: &draft.content,
        before: None,
        connected,
    };
    enqueue_notifications(db, saved, ctx, now, &plan).await?;
    Ok((id, ids))
}

/// What an update wrote that an answer built from it needs.
#[derive(Debug)]
pub struct Updated {
    /// The save's time, stored as the message's `updated_at`.
    pub now: i64,
    pub ids: ChildIds,
}

/// Overwrites a message (when `ctx` expects a version, only that version) with the draft.
pub async fn update<S: SaveStatements>(
    db: &mut S,
    id: i32,
    draft: &MessageDraft,
    ctx: SaveContext,
) -> Result<Updated, StoreError> {
    db.lock_message(id).await?;
    update_locked(db, id, draft, ctx, None).await
}

/// [`update`] by a caller that holds the message's lock already ([`SaveStatements::lock_message`])
/// and may have read its child rows since (`known`), which the save then does not read again.
pub async fn update_locked<S: SaveStatements>(
    db: &mut S,
    id: i32,
    draft: &MessageDraft,
    ctx: SaveContext,
    known: Option<StoredRows>,
) -> Result<Updated, StoreError> {
    let refs = &draft.refs;
    let lookup = values![id, refs.ticket_id, refs.created_by, refs.person_id.unwrap_or(0)];
    let (ticket_id, created_by, children, webhooks) = db
        .one(sql::LOOKUP_FOR_UPDATE, lookup, |stored| {
            let ticket_id = refs.ticket_id.map_or_else(|| stored.int("ticket_id"), Ok)?;
            let created_by = refs.created_by.map_or_else(|| stored.int("created_by"), Ok)?;
            references_found(&stored, ticket_id, created_by, refs.person_id)?;
            Ok((ticket_id, created_by, StoredChildren::of(&stored)?, sql::webhooks_active(&stored)?))
        })
        .await?
        .ok_or(StoreError::NotFound)?;
    let plan = OutboxPlan::decide(db, ctx, webhooks).await?;
    // The columns before the save are read only for the webhook events' `Changes`.
    let before = if plan.wants_changes() { db.message_fields(id).await? } else { None };
    let now = now_ticks();
    let mut columns = message_values(draft, ticket_id, created_by, now);
    columns.extend(values![id, ctx.expected_version]);
    let record = SaveRecord { message_id: id, notify: ctx.notify, associate_id: ctx.associate_id, now };
    if db.update_and_record(&columns, record).await? == 0 {
        return Err(sql::unchanged(ctx));
    }
    let ids = write_children(db, id, &draft.content, children, known).await?;
    let connected = save_also(db, id, ticket_id, &draft.also, now).await?;
    let saved = SavedMessage {
        message_id: id,
        ticket_id,
        kind: EventKind::Changed,
        content: &draft.content,
        before,
        connected,
    };
    enqueue_notifications(db, saved, ctx, now, &plan).await?;
    Ok(Updated { now, ids })
}

/// Connects the draft's uploads after the message's attachments and stamps the ticket's
/// replied-at time, when the draft asks: any failure fails the save. Whether any upload was
/// connected (rather than found to be the message's already).
async fn save_also<S: SaveStatements>(
    db: &mut S,
    id: i32,
    ticket_id: i32,
    also: &SaveAlso,
    now: i64,
) -> Result<bool, StoreError> {
    let mut connected = false;
    if !also.connect_uploads.is_empty() {
        let last = db.one(sql::LAST_ATTACHMENT_POSITION, values![id], |row| row.int("last")).await?;
        let mut position = last.unwrap_or(-1);
        for &upload in &also.connect_uploads {
            let owner = db.one(sql::SELECT_UPLOAD_OWNER, values![upload], |row| sql::upload_owner(&row)).await?;
            if !sql::to_connect(upload, owner, id, also.uploader)? {
                continue;
            }
            position = position.saturating_add(1);
            if db.run(sql::CONNECT_UPLOAD, values![id, position, upload]).await? != 1 {
                return Err(sql::not_connectable(upload));
            }
            connected = true;
        }
    }
    if also.stamp_replied_at {
        db.run(sql::STAMP_REPLIED_AT, values![now, ticket_id]).await?;
    }
    Ok(connected)
}

/// Creates a message and remembers `key` for it, unless this caller used `key` within `window`
/// already: then the earlier message's id comes back with `false`.
pub async fn create_once<S: SaveStatements>(
    db: &mut S,
    draft: &MessageDraft,
    ctx: SaveContext,
    key: &str,
    window: chrono::Duration,
) -> Result<(i32, bool), StoreError> {
    let now = now_ticks();
    let oldest = to_ticks(&(chrono::Utc::now().naive_utc() - window));
    db.run(sql::FORGET_OLD_KEY, values![ctx.associate_id, key, oldest]).await?;
    let earlier = db.one(sql::FIND_KEY, values![ctx.associate_id, key], |row| row.int("message_id")).await?;
    if let Some(earlier) = earlier {
        return Ok((earlier, false));
    }
    let id = create(db, draft, ctx, now).await?;
    db.run(sql::REMEMBER_KEY, values![ctx.associate_id, key, id, now]).await?;
    Ok((id, true))
}

/// Deletes a message; its `ticketmessage.deleted` and `ticket.changed` events carry the values
/// it had, read only when a webhook will hear of them.
pub async fn delete<S: SaveStatements>(db: &mut S, id: i32, ctx: SaveContext) -> Result<bool, StoreError> {
    let plan = OutboxPlan::decide(db, ctx, true).await?;
    let fields = if plan.wants_changes() {
        let Some(fields) = db.message_fields(id).await? else { return Ok(false) };
        Some(fields)
    } else {
        None
    };
    if db.run(sql::DELETE_MESSAGE, values![id]).await? == 0 {
        return Ok(false);
    }
    if let Some(fields) = fields {
        queue_message_events(db, deleted_change(id, fields), ctx, now_ticks(), &plan).await?;
    }
    Ok(true)
}
