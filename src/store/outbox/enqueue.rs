//! The outbox rows a notifying save writes, decided once for both backends: the backend only
//! runs the statements (inside the save's transaction), through [`OutboxStatements`].

use crate::domain::MessageContent;
use crate::domain::notification::{Channel, EventKind, MessageEvent, recipients};
use crate::domain::webhook::list_wants;
use crate::store::{SaveContext, StoreError, from_ticks};

use super::new_delivery_id;
use super::statements::{OutboxInsert, OutboxStatements, Target};
use super::webhook_events::{Fields, MessageChange, changed_names, message_events};

/// What the outbox rows of one save share.
pub struct SavedMessage<'a> {
    pub message_id: i32,
    pub ticket_id: i32,
    pub kind: EventKind,
    pub content: &'a MessageContent,
    /// The message's columns before an update (for the webhook events' `Changes`).
    pub before: Option<Fields>,
    /// Whether the save connected uploaded attachments (listed as `attachments` in an update's
    /// `Changes`).
    pub connected: bool,
}

/// Which outbox rows a save writes, decided once before it writes: the active webhooks that
/// hear of it (none for the server's own demo data) and whether it notifies people.
pub struct OutboxPlan {
    hooks: Vec<(i32, String)>,
    notify: bool,
}

impl OutboxPlan {
    /// `webhooks`: whether any webhook may be active (when the save's first statement said none
    /// was, they are not asked for).
    pub async fn decide<S: OutboxStatements>(db: &mut S, ctx: SaveContext, webhooks: bool) -> Result<Self, StoreError> {
        let hooks = if ctx.seeding || !webhooks { Vec::new() } else { db.active_webhooks().await? };
        Ok(Self { hooks, notify: ctx.notify })
    }

    /// Whether webhook events are written, and so the message's columns before and after the
    /// save are needed for their `Changes` and values.
    pub fn wants_changes(&self) -> bool {
        !self.hooks.is_empty()
    }
}

/// Writes one outbox row per recipient and channel when the save asked for notification, and
/// the webhook events of the save whether or not it did (webhooks follow the data, not `notify`).
pub async fn enqueue_notifications<S: OutboxStatements>(
    db: &mut S,
    saved: SavedMessage<'_>,
    ctx: SaveContext,
    now: i64,
    plan: &OutboxPlan,
) -> Result<(), StoreError> {
    if !plan.notify && !plan.wants_changes() {
        return Ok(());
    }
    let (title, owner) = db.ticket(saved.ticket_id).await?.ok_or(StoreError::NotFound)?;
    let actor_name =
        db.actor(ctx.associate_id).await?.map(|(full, login)| display_name(full, login)).unwrap_or_default();
    let payload = event_payload(&saved, title.clone(), ctx, actor_name, now)?;
    let row = OutboxInsert {
        channel: Channel::Stream,
        event: saved.kind.name(),
        message_id: saved.message_id,
        payload: &payload,
        now,
    };
    if plan.notify {
        notify_people(db, &row, owner, saved.ticket_id, ctx).await?;
    }
    if !plan.wants_changes() {
        return Ok(());
    }
    let after = db.message_fields(saved.message_id).await?.ok_or(StoreError::NotFound)?;
    let change = MessageChange {
        message_id: saved.message_id,
        ticket_id: saved.ticket_id,
        event: saved.kind.name(),
        changes: saved.before.as_ref().map(|before| changes_of(before, &after, saved.connected)).unwrap_or_default(),
        fields: after,
        data: serde_json::from_str(&payload).ok(),
    };
    queue_events(db, change, ctx, now, &plan.hooks, Some((title, owner))).await
}

/// An update's `Changes`: the columns it changed, then `attachments` when it connected uploads.
fn changes_of(before: &Fields, after: &Fields, connected: bool) -> Vec<String> {
    let mut changes = changed_names(before, after);
    if connected {
        changes.push("attachments".to_owned());
    }
    changes
}

/// The live-stream and e-mail rows of a notifying save: one per recipient and channel.
async fn notify_people<S: OutboxStatements>(
    db: &mut S,
    row: &OutboxInsert<'_>,
    owner: i32,
    ticket_id: i32,
    ctx: SaveContext,
) -> Result<(), StoreError> {
    let found = db.notifiable(owner, ticket_id).await?;
    for (recipient, email) in notified(found, owner, ctx.associate_id) {
        let seq = db.next_stream_seq(recipient).await?.ok_or(StoreError::NotFound)?;
        let stream = Target { recipient: Some(recipient), stream_seq: Some(seq), webhook: None };
        db.insert(row, stream, new_delivery_id()?).await?;
        if ctx.channels.email && !email.is_empty() {
            let email_row = OutboxInsert { channel: Channel::Email, ..*row };
            let target = Target { recipient: Some(recipient), ..Target::default() };
            db.insert(&email_row, target, new_delivery_id()?).await?;
        }
    }
    Ok(())
}

/// The JSON every outbox row of a save carries.
fn event_payload(
    saved: &SavedMessage<'_>,
    ticket_title: String,
    ctx: SaveContext,
    actor_name: String,
    now: i64,
) -> Result<String, StoreError> {
    let content = saved.content;
    let event = MessageEvent {
        event: saved.kind.name().to_owned(),
        ticket_message_id: saved.message_id,
        ticket_id: saved.ticket_id,
        ticket_title,
        changed_by_associate_id: ctx.associate_id,
        changed_by_name: actor_name,
        author: content.author.clone(),
        body: if content.body.is_empty() { content.html_body.clone() } else { content.body.clone() },
        occurred_at: chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(from_ticks(now), chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    serde_json::to_string(&event).map_err(|err| StoreError::Internal(err.to_string()))
}

fn display_name(full_name: String, login: String) -> String {
    if full_name.trim().is_empty() { login } else { full_name }
}

/// Orders the notifiable rows (id, e-mail) as recipients: the owner first, then the followers,
/// never the actor; ascending ids after that, so concurrent saves lock recipients' rows in one
/// order and cannot deadlock.
fn notified(found: Vec<(i32, String)>, owner: i32, actor: i32) -> Vec<(i32, String)> {
    let followers: Vec<i32> = found.iter().map(|(id, _)| *id).filter(|id| *id != owner).collect();
    let owner = if found.iter().any(|(id, _)| *id == owner) { owner } else { 0 };
    let mut ordered: Vec<(i32, String)> = recipients(owner, &followers, actor)
        .into_iter()
        .filter_map(|id| found.iter().find(|(f, _)| *f == id).cloned())
        .collect();
    ordered.sort_unstable_by_key(|(id, _)| *id);
    ordered
}

/// Queues a delete's event and its ticket's `ticket.changed` to every webhook of `plan` that
/// wants them.
pub async fn queue_message_events<S: OutboxStatements>(
    db: &mut S,
    change: MessageChange,
    ctx: SaveContext,
    now: i64,
    plan: &OutboxPlan,
) -> Result<(), StoreError> {
    if !plan.wants_changes() {
        return Ok(());
    }
    let ticket = db.ticket(change.ticket_id).await?;
    queue_events(db, change, ctx, now, &plan.hooks, ticket).await
}

/// Queues the message's event and its ticket's `ticket.changed` (`ticket`: its title and owner
/// when found) to every webhook in `hooks` that wants them.
async fn queue_events<S: OutboxStatements>(
    db: &mut S,
    change: MessageChange,
    ctx: SaveContext,
    now: i64,
    hooks: &[(i32, String)],
    ticket: Option<(String, i32)>,
) -> Result<(), StoreError> {
    let message_id = change.message_id;
    for event in message_events(change, ctx, ticket) {
        let payload = serde_json::to_string(&event).map_err(|err| StoreError::Internal(err.to_string()))?;
        let row = OutboxInsert { channel: Channel::Webhook, event: &event.event, message_id, payload: &payload, now };
        for (hook, events) in hooks {
            if list_wants(events, &event.event) {
                let target = Target { webhook: Some(*hook), ..Target::default() };
                db.insert(&row, target, new_delivery_id()?).await?;
            }
        }
    }
    Ok(())
}
