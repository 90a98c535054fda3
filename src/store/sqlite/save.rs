//! SQLite's message saves, run by the group-commit writer inside the batch's transaction (and
//! the save's own savepoint), so a save commits the message, its child rows, its save record
//! and its outbox rows together or not at all.

use rusqlite::types::ToSql;
use rusqlite::{Connection, params};

use super::children::write_children;
use super::direct::{one, run};
use crate::domain::notification::EventKind;
use crate::domain::{MessageContent, MessageDraft, SaveAlso, VendorEnum as _};
use crate::store::columns::Columns as _;
use crate::store::outbox::enqueue::SavedMessage;
use crate::store::outbox::sqlite::{enqueue_notifications, message_fields, queue_deleted};
use crate::store::outbox::webhook_events::deleted_change;
use crate::store::save_sql::{self as sql, StoredChildren, references_found};
use crate::store::{SaveContext, StoreError, now_ticks, to_ticks};

/// The message columns computed from a draft, for [`sql::INSERT_MESSAGE`] and [`sql::UPDATE_MESSAGE`].
struct MessageColumns<'a> {
    content: &'a MessageContent,
    person_id: Option<i32>,
    ticket_id: i32,
    created_by: i32,
    created_at: i64,
    ordinals: [i32; 4],
    now: i64,
}

impl<'a> MessageColumns<'a> {
    fn of(draft: &'a MessageDraft, ticket_id: i32, created_by: i32, now: i64) -> Self {
        let c = &draft.content;
        Self {
            content: c,
            person_id: draft.refs.person_id,
            ticket_id,
            created_by,
            created_at: to_ticks(&c.created_at),
            ordinals: [c.slevel.ordinal(), c.message_type.ordinal(), c.category.ordinal(), c.badge.ordinal()],
            now,
        }
    }

    /// The 22 values, in the statements' order.
    fn values(&self) -> Vec<&dyn ToSql> {
        let c = self.content;
        let [slevel, message_type, category, badge] = &self.ordinals;
        vec![
            &self.ticket_id,
            &self.created_at,
            &self.created_by,
            &c.author,
            slevel,
            message_type,
            &c.message_id,
            &c.time_spent,
            &c.body,
            &c.html_body,
            &c.email_header,
            &c.debug_info,
            &c.mail_sorter,
            category,
            &self.person_id,
            &c.search_title,
            &c.important,
            &c.language,
            &c.sentiment,
            &c.sentiment_confidence,
            badge,
            &self.now,
        ]
    }
}

/// Writes a new message with all its child rows and its save record; returns its id.
pub fn create_in(conn: &Connection, draft: &MessageDraft, ctx: SaveContext, now: i64) -> Result<i32, StoreError> {
    let ticket_id = draft.refs.ticket_id.unwrap_or(0);
    let created_by = draft.refs.created_by.unwrap_or(ctx.associate_id);
    let person_id = draft.refs.person_id;
    one(conn, sql::CHECK_REFERENCES, params![ticket_id, created_by, person_id.unwrap_or(0)], |row| {
        references_found(row, ticket_id, created_by, person_id)
    })?;
    let columns = MessageColumns::of(draft, ticket_id, created_by, now);
    let id = one(conn, sql::INSERT_MESSAGE, &columns.values(), |row| row.int("id"))?.ok_or(StoreError::NotFound)?;
    write_children(conn, id, &draft.content, StoredChildren::NONE)?;
    let connected = save_also(conn, id, ticket_id, &draft.also, now)?;
    record_save(conn, id, "ticketmessage.created", ctx, now)?;
    let saved = SavedMessage {
        message_id: id,
        ticket_id,
        kind: EventKind::Created,
        content: &draft.content,
        before: None,
        connected,
    };
    enqueue_notifications(conn, saved, ctx, now)?;
    Ok(id)
}

pub fn update_in(conn: &Connection, id: i32, draft: &MessageDraft, ctx: SaveContext) -> Result<(), StoreError> {
    let refs = &draft.refs;
    let lookup = params![id, refs.ticket_id, refs.created_by, refs.person_id.unwrap_or(0)];
    let (ticket_id, created_by, children) = one(conn, sql::LOOKUP_FOR_UPDATE, lookup, |stored| {
        let ticket_id = refs.ticket_id.map_or_else(|| stored.int("ticket_id"), Ok)?;
        let created_by = refs.created_by.map_or_else(|| stored.int("created_by"), Ok)?;
        references_found(stored, ticket_id, created_by, refs.person_id)?;
        Ok((ticket_id, created_by, StoredChildren::of(stored)?))
    })?
    .ok_or(StoreError::NotFound)?;
    let now = now_ticks();
    let before = message_fields(conn, id)?;
    let columns = MessageColumns::of(draft, ticket_id, created_by, now);
    let mut values = columns.values();
    values.extend([&id as &dyn ToSql, &ctx.expected_version]);
    if run(conn, sql::UPDATE_MESSAGE, &values)? == 0 {
        return Err(sql::unchanged(ctx));
    }
    write_children(conn, id, &draft.content, children)?;
    let connected = save_also(conn, id, ticket_id, &draft.also, now)?;
    record_save(conn, id, "ticketmessage.changed", ctx, now)?;
    let saved = SavedMessage {
        message_id: id,
        ticket_id,
        kind: EventKind::Changed,
        content: &draft.content,
        before,
        connected,
    };
    enqueue_notifications(conn, saved, ctx, now)
}

/// Connects the draft's uploads after the message's attachments and stamps the ticket's
/// replied-at time, when the draft asks: any failure fails the save. Whether any upload was
/// connected (rather than found to be the message's already).
fn save_also(conn: &Connection, id: i32, ticket_id: i32, also: &SaveAlso, now: i64) -> Result<bool, StoreError> {
    let mut connected = false;
    if !also.connect_uploads.is_empty() {
        let last = one(conn, sql::LAST_ATTACHMENT_POSITION, params![id], |row| row.int("last"))?;
        let mut position = last.unwrap_or(-1);
        for &upload in &also.connect_uploads {
            let owner = one(conn, sql::SELECT_UPLOAD_OWNER, params![upload], |row| sql::upload_owner(row))?;
            if !sql::to_connect(upload, owner, id, also.uploader)? {
                continue;
            }
            position = position.saturating_add(1);
            if run(conn, sql::CONNECT_UPLOAD, params![id, position, upload])? != 1 {
                return Err(sql::not_connectable(upload));
            }
            connected = true;
        }
    }
    if also.stamp_replied_at {
        run(conn, sql::STAMP_REPLIED_AT, params![now, ticket_id])?;
    }
    Ok(connected)
}

fn record_save(conn: &Connection, message_id: i32, event: &str, ctx: SaveContext, now: i64) -> Result<(), StoreError> {
    run(conn, sql::RECORD_SAVE, params![message_id, event, ctx.notify, ctx.associate_id, now])?;
    Ok(())
}

/// Creates a message and remembers `key` for it, unless this caller used `key` within `window`
/// already: then the earlier message's id comes back with `false`.
pub fn create_once_in(
    conn: &Connection,
    draft: &MessageDraft,
    ctx: SaveContext,
    key: &str,
    window: chrono::Duration,
) -> Result<(i32, bool), StoreError> {
    let now = now_ticks();
    let oldest = to_ticks(&(chrono::Utc::now().naive_utc() - window));
    run(conn, sql::FORGET_OLD_KEY, params![ctx.associate_id, key, oldest])?;
    if let Some(earlier) = one(conn, sql::FIND_KEY, params![ctx.associate_id, key], |row| row.int("message_id"))? {
        return Ok((earlier, false));
    }
    let id = create_in(conn, draft, ctx, now)?;
    run(conn, sql::REMEMBER_KEY, params![ctx.associate_id, key, id, now])?;
    Ok((id, true))
}

/// Deletes a message; its `ticketmessage.deleted` and `ticket.changed` events carry the values
/// it had.
pub fn delete_in(conn: &Connection, id: i32, ctx: SaveContext) -> Result<bool, StoreError> {
    let Some(fields) = message_fields(conn, id)? else { return Ok(false) };
    if run(conn, sql::DELETE_MESSAGE, params![id])? == 0 {
        return Ok(false);
    }
    queue_deleted(conn, deleted_change(id, fields), ctx, now_ticks())?;
    Ok(true)
}
