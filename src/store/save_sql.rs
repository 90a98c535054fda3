//! The statements a message save runs and the decisions it takes on their rows; PostgreSQL runs
//! them through sqlx, SQLite through the group-commit writer on rusqlite.

use std::collections::HashSet;

use super::columns::Columns;
use super::{SaveContext, StoreError, from_ticks};
use crate::domain::notification::{Channel, DeliveryStatus, EventKind, MessageEvent, recipients};
use crate::domain::{MessageContent, MessageHeader};

/// What the draft leaves as stored, the relations it ends up with and the child-row counts:
/// `$1` message id, `$2` new ticket id or NULL, `$3` new creator or NULL, `$4` person id or 0.
pub const LOOKUP_FOR_UPDATE: &str = "SELECT m.ticket_id, m.created_by, \
     (SELECT COUNT(*) FROM tickets WHERE id = COALESCE($2, m.ticket_id)) AS tickets, \
     (SELECT COUNT(*) FROM associates WHERE id = COALESCE($3, m.created_by)) AS associates, \
     (SELECT COUNT(*) FROM persons WHERE id = $4) AS persons, \
     (SELECT COUNT(*) FROM message_headers WHERE message_id = m.id) AS headers, \
     (SELECT COUNT(*) FROM attachments WHERE message_id = m.id) AS attachments, \
     (SELECT COUNT(*) FROM message_fields WHERE message_id = m.id) AS fields \
     FROM ticket_messages m WHERE m.id = $1";

pub const CHECK_REFERENCES: &str = "SELECT (SELECT COUNT(*) FROM tickets WHERE id = $1) AS tickets, \
     (SELECT COUNT(*) FROM associates WHERE id = $2) AS associates, \
     (SELECT COUNT(*) FROM persons WHERE id = $3) AS persons";

/// The 22 message columns are bound in this order by both statements below.
pub const INSERT_MESSAGE: &str = "INSERT INTO ticket_messages (ticket_id, created_at, created_by, author, slevel, message_type, \
     message_id, time_spent, body, html_body, email_header, debug_info, mail_sorter, category, \
     person_id, search_title, important, language, sentiment, sentiment_confidence, badge, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) \
     RETURNING id";

/// `$23` is the message id, `$24` the version the caller expects (NULL: any).
pub const UPDATE_MESSAGE: &str = "UPDATE ticket_messages SET ticket_id = $1, created_at = $2, created_by = $3, author = $4, \
     slevel = $5, message_type = $6, message_id = $7, time_spent = $8, body = $9, html_body = $10, \
     email_header = $11, debug_info = $12, mail_sorter = $13, category = $14, person_id = $15, \
     search_title = $16, important = $17, language = $18, sentiment = $19, \
     sentiment_confidence = $20, badge = $21, updated_at = $22, version = version + 1 \
     WHERE id = $23 AND (CAST($24 AS BIGINT) IS NULL OR version = CAST($24 AS BIGINT))";

pub const RECORD_SAVE: &str =
    "INSERT INTO message_events (message_id, event, notify, associate_id, created_at) VALUES ($1, $2, $3, $4, $5)";

/// Child rows go by ON DELETE CASCADE, in the same transaction.
pub const DELETE_MESSAGE: &str = "DELETE FROM ticket_messages WHERE id = $1";

pub const FORGET_OLD_KEY: &str =
    "DELETE FROM idempotency_keys WHERE associate_id = $1 AND idempotency_key = $2 AND created_at < $3";
pub const FIND_KEY: &str = "SELECT message_id FROM idempotency_keys WHERE associate_id = $1 AND idempotency_key = $2";
pub const REMEMBER_KEY: &str =
    "INSERT INTO idempotency_keys (associate_id, idempotency_key, message_id, created_at) VALUES ($1, $2, $3, $4)";

pub const DELETE_HEADERS: &str = "DELETE FROM message_headers WHERE message_id = $1 RETURNING id";
pub const SELECT_ATTACHMENT_IDS: &str = "SELECT id FROM attachments WHERE message_id = $1";
/// Rows with uploaded bytes keep the type and size those bytes have.
pub const UPDATE_KEPT_ATTACHMENT: &str = "UPDATE attachments SET message_id = $1, position = $2, name = $3, \
     content_type = CASE WHEN content IS NULL THEN $4 ELSE content_type END, \
     att_size = CASE WHEN content IS NULL THEN $5 ELSE att_size END, \
     inline_image = $6, content_id = $7, auth_key = $8 WHERE id = $9";
pub const INSERT_ATTACHMENT: &str = "INSERT INTO attachments (message_id, position, name, content_type, att_size, inline_image, \
     content_id, auth_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const DELETE_ATTACHMENT: &str = "DELETE FROM attachments WHERE id = $1";
pub const DELETE_FIELDS: &str = "DELETE FROM message_fields WHERE message_id = $1";

pub const SELECT_TICKET_OWNER: &str = "SELECT title, owned_by FROM tickets WHERE id = $1";
pub const SELECT_ACTOR: &str = "SELECT login, full_name FROM associates WHERE id = $1";
pub const NEXT_STREAM_SEQ: &str =
    "UPDATE associates SET stream_seq = stream_seq + 1 WHERE id = $1 RETURNING stream_seq";
pub const SELECT_ACTIVE_WEBHOOKS: &str = "SELECT id, events FROM webhooks WHERE active = TRUE ORDER BY id";
/// `$1` the ticket's owner, `$2` the ticket.
pub const SELECT_NOTIFIABLE: &str = "SELECT id, email FROM associates WHERE deleted = FALSE \
     AND (id = $1 OR id IN (SELECT associate_id FROM ticket_followers WHERE ticket_id = $2)) ORDER BY id";
pub const INSERT_OUTBOX: &str = "INSERT INTO outbox (delivery_id, channel, event, message_id, recipient_id, webhook_id, \
     stream_seq, payload, next_attempt_at, created_at, status, delivered_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, CASE WHEN $10 = 1 THEN $9 ELSE 0 END)";

/// Fails with the first relation of the draft that a lookup row counted as missing.
pub fn references_found(
    row: &impl Columns,
    ticket_id: i32,
    created_by: i32,
    person_id: Option<i32>,
) -> Result<(), StoreError> {
    if row.big("tickets")? == 0 {
        return Err(StoreError::UnknownReference { field: "Ticket.TicketId", id: ticket_id });
    }
    if row.big("associates")? == 0 {
        return Err(StoreError::UnknownReference { field: "CreatedBy.AssociateId", id: created_by });
    }
    match person_id {
        Some(id) if row.big("persons")? == 0 => Err(StoreError::UnknownReference { field: "Person.PersonId", id }),
        _ => Ok(()),
    }
}

/// Which child tables hold rows of the message before the save.
#[derive(Debug, Clone, Copy)]
pub struct StoredChildren {
    pub headers: bool,
    pub attachments: bool,
    pub fields: bool,
}

impl StoredChildren {
    pub const NONE: Self = Self { headers: false, attachments: false, fields: false };

    /// The child-row counts of a [`LOOKUP_FOR_UPDATE`] row.
    pub fn of(row: &impl Columns) -> Result<Self, StoreError> {
        Ok(Self {
            headers: row.big("headers")? > 0,
            attachments: row.big("attachments")? > 0,
            fields: row.big("fields")? > 0,
        })
    }

    /// Whether the save has to touch each child table: it held rows, or the content brings some.
    pub fn to_replace(self, content: &MessageContent) -> Self {
        Self {
            headers: self.headers || !content.headers.is_empty(),
            attachments: self.attachments || !content.attachments.is_empty(),
            fields: self.fields || !content.extra_fields.is_empty() || !content.custom_fields.is_empty(),
        }
    }
}

/// A message's headers with their positions, split into those that keep their id (it belonged to
/// the message before the save, and no earlier header of the list took it) and those that get a
/// fresh one. `own` holds the ids the message had.
pub type PlacedHeader<'a> = (i32, &'a MessageHeader);

pub fn split_headers(
    headers: &[MessageHeader],
    mut own: HashSet<i32>,
) -> (Vec<PlacedHeader<'_>>, Vec<PlacedHeader<'_>>) {
    let (mut kept, mut fresh) = (Vec::new(), Vec::new());
    for (position, header) in headers.iter().enumerate() {
        let placed = (position as i32, header);
        if own.remove(&header.id) { kept.push(placed) } else { fresh.push(placed) }
    }
    (kept, fresh)
}

/// What the outbox rows of one save share.
pub struct SavedMessage<'a> {
    pub message_id: i32,
    pub ticket_id: i32,
    pub kind: EventKind,
    pub content: &'a MessageContent,
}

/// The JSON every outbox row of a save carries.
pub fn event_payload(
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

pub fn display_name(full_name: String, login: String) -> String {
    if full_name.trim().is_empty() { login } else { full_name }
}

/// Orders the [`SELECT_NOTIFIABLE`] rows (id, e-mail) as recipients: the owner first, then the
/// followers, never the actor; ascending ids after that, so concurrent saves lock recipients'
/// rows in one order and cannot deadlock.
pub fn notified(found: Vec<(i32, String)>, owner: i32, actor: i32) -> Vec<(i32, String)> {
    let followers: Vec<i32> = found.iter().map(|(id, _)| *id).filter(|id| *id != owner).collect();
    let owner = if found.iter().any(|(id, _)| *id == owner) { owner } else { 0 };
    let mut ordered: Vec<(i32, String)> = recipients(owner, &followers, actor)
        .into_iter()
        .filter_map(|id| found.iter().find(|(f, _)| *f == id).cloned())
        .collect();
    ordered.sort_unstable_by_key(|(id, _)| *id);
    ordered
}

/// One outbox row of a save.
#[derive(Clone, Copy)]
pub struct OutboxInsert<'a> {
    pub channel: Channel,
    pub event: EventKind,
    pub message_id: i32,
    pub payload: &'a str,
    pub now: i64,
}

impl OutboxInsert<'_> {
    /// Stream rows are delivered by the commit itself: the stream serves them from the outbox.
    pub fn status(&self) -> i32 {
        if self.channel == Channel::Stream { DeliveryStatus::Delivered } else { DeliveryStatus::Pending }.code()
    }
}

/// Whom an outbox row is for.
#[derive(Clone, Copy, Default)]
pub struct Target {
    pub recipient: Option<i32>,
    pub stream_seq: Option<i64>,
    pub webhook: Option<i32>,
}
