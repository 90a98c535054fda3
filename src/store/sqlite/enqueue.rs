//! SQLite's outbox rows for a save that asked for notification, written in the save's own
//! savepoint so they commit with the message or not at all.

use rusqlite::{Connection, params};

use super::direct::{all, one, run};
use crate::domain::notification::{Channel, subscribes_to};
use crate::store::columns::Columns as _;
use crate::store::outbox::new_delivery_id;
use crate::store::save_sql::{self as sql, OutboxInsert, SavedMessage, Target, display_name, event_payload, notified};
use crate::store::{SaveContext, StoreError};

/// Writes one outbox row per recipient and channel (and one per subscribed webhook) when the
/// save asked for notification.
pub fn enqueue_notifications(
    conn: &Connection,
    saved: SavedMessage<'_>,
    ctx: SaveContext,
    now: i64,
) -> Result<(), StoreError> {
    if !ctx.notify {
        return Ok(());
    }
    let (title, owner) = one(conn, sql::SELECT_TICKET_OWNER, params![saved.ticket_id], |row| {
        Ok((row.text("title")?, row.int("owned_by")?))
    })?
    .ok_or(StoreError::NotFound)?;
    let actor_name = one(conn, sql::SELECT_ACTOR, params![ctx.associate_id], |row| {
        Ok(display_name(row.text("full_name")?, row.text("login")?))
    })?
    .unwrap_or_default();
    let payload = event_payload(&saved, title, ctx, actor_name, now)?;
    let row = OutboxInsert {
        channel: Channel::Stream,
        event: saved.kind,
        message_id: saved.message_id,
        payload: &payload,
        now,
    };
    let found = all(conn, sql::SELECT_NOTIFIABLE, params![owner, saved.ticket_id], |row| {
        Ok((row.int("id")?, row.text("email")?))
    })?;
    for (recipient, email) in notified(found, owner, ctx.associate_id) {
        let seq = one(conn, sql::NEXT_STREAM_SEQ, params![recipient], |row| row.big("stream_seq"))?
            .ok_or(StoreError::NotFound)?;
        insert_outbox_row(conn, &row, Target { recipient: Some(recipient), stream_seq: Some(seq), webhook: None })?;
        if ctx.channels.email && !email.is_empty() {
            let email_row = OutboxInsert { channel: Channel::Email, ..row };
            insert_outbox_row(conn, &email_row, Target { recipient: Some(recipient), ..Target::default() })?;
        }
    }
    let hooks = all(conn, sql::SELECT_ACTIVE_WEBHOOKS, params![], |row| Ok((row.int("id")?, row.text("events")?)))?;
    for (hook, events) in hooks {
        if subscribes_to(&events, saved.kind) {
            let target = Target { webhook: Some(hook), ..Target::default() };
            insert_outbox_row(conn, &OutboxInsert { channel: Channel::Webhook, ..row }, target)?;
        }
    }
    Ok(())
}

fn insert_outbox_row(conn: &Connection, row: &OutboxInsert<'_>, target: Target) -> Result<(), StoreError> {
    let values = params![
        new_delivery_id()?,
        row.channel.code(),
        row.event.name(),
        row.message_id,
        target.recipient,
        target.webhook,
        target.stream_seq,
        row.payload,
        row.now,
        row.status()
    ];
    run(conn, sql::INSERT_OUTBOX, values)?;
    Ok(())
}
