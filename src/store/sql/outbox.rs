//! The outbox's SQL text and row mappings, run as written by both backends.

use std::time::Duration;

use crate::domain::notification::{Channel, DeliveryStatus};
use crate::store::columns::Columns;
use crate::store::outbox::{
    ClaimedDelivery, MailRecipient, OutboxCount, OutboxRow, StreamItem, WebhookInfo, WebhookTarget,
};
use crate::store::{StoreError, from_ticks};

// What a notifying save runs (see `enqueue`).
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
/// A `Send`/`Sms` row queued on request: `$1` delivery id, `$2` channel, `$3` event, `$4`
/// message, `$5` payload, `$6` now.
pub const INSERT_OUTGOING: &str = "INSERT INTO outbox (delivery_id, channel, event, message_id, payload, next_attempt_at, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $6)";

// Claiming and settling (see `NotificationStore`).
/// Marks up to `$4` due rows as claimed by `$1` until `$2` (`$3` is now). On PostgreSQL the
/// pick skips rows another instance has locked, so several instances never claim one row.
pub const CLAIM_DUE_SQLITE: &str = "UPDATE outbox SET claimed_by = $1, claim_expires_at = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 0 AND next_attempt_at <= $3 AND claim_expires_at <= $3 \
     ORDER BY next_attempt_at, id LIMIT $4)";
pub const CLAIM_DUE_POSTGRES: &str = "UPDATE outbox SET claimed_by = $1, claim_expires_at = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 0 AND next_attempt_at <= $3 AND claim_expires_at <= $3 \
     ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)";
/// The columns [`outbox_row`] maps, as a literal so statements can be `concat!`ed from it.
macro_rules! columns {
    () => {
        "o.id, o.delivery_id, o.channel, o.event, o.message_id, o.recipient_id, o.webhook_id, \
         o.payload, o.status, o.attempts, o.next_attempt_at, o.last_error, o.created_at"
    };
}
/// The rows a claim took (a claim is told apart from the worker's earlier ones by its expiry
/// stamp), with where each goes: `$1` worker, `$2` expiry.
pub const SELECT_CLAIMED: &str = concat!(
    "SELECT ",
    columns!(),
    ", a.email, a.full_name, a.language, w.url, w.secret FROM outbox o \
     LEFT JOIN associates a ON a.id = o.recipient_id AND a.deleted = FALSE \
     LEFT JOIN webhooks w ON w.id = o.webhook_id AND w.active = TRUE \
     WHERE o.claimed_by = $1 AND o.claim_expires_at = $2 AND o.status = 0 ORDER BY o.id"
);
/// `$1` id, `$2` worker, `$3` now.
pub const SETTLE_DELIVERED: &str = "UPDATE outbox SET status = 1, delivered_at = $3, claimed_by = NULL, claim_expires_at = 0, \
     last_error = '' WHERE id = $1 AND claimed_by = $2";
/// `$1` id, `$2` worker, `$3` next attempt, `$4` error.
pub const SETTLE_RETRY: &str = "UPDATE outbox SET next_attempt_at = $3, last_error = $4, claimed_by = NULL, claim_expires_at = 0 \
     WHERE id = $1 AND claimed_by = $2";
/// `$1` id, `$2` worker, `$3` error.
pub const SETTLE_DEAD: &str = "UPDATE outbox SET status = 2, last_error = $3, claimed_by = NULL, claim_expires_at = 0 \
     WHERE id = $1 AND claimed_by = $2";
/// Frees `$1`'s claims without counting the attempt.
pub const RELEASE_WORKER: &str = "UPDATE outbox SET claimed_by = NULL, claim_expires_at = 0, attempts = attempts - 1 \
     WHERE status = 0 AND claimed_by = $1 AND attempts > 0";
pub const RELEASE_ALL: &str =
    "UPDATE outbox SET claimed_by = NULL, claim_expires_at = 0 WHERE status = 0 AND claimed_by IS NOT NULL";
/// `$1` status or NULL, `$2` limit.
pub const SELECT_ROWS: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM outbox o WHERE (CAST($1 AS INTEGER) IS NULL OR o.status = CAST($1 AS INTEGER)) ORDER BY o.id DESC LIMIT $2"
);
/// `$1` now, `$2` id or NULL (every dead row).
pub const RETRY_DEAD: &str = "UPDATE outbox SET status = 0, attempts = 0, next_attempt_at = $1, last_error = '' \
     WHERE status = 2 AND (CAST($2 AS BIGINT) IS NULL OR id = CAST($2 AS BIGINT))";
pub const PURGE_SETTLED: &str = "DELETE FROM outbox WHERE status IN (1, 2) AND created_at < $1";
pub const COUNTS: &str =
    "SELECT channel, status, COUNT(*) AS n FROM outbox GROUP BY channel, status ORDER BY channel, status";
/// `$1` recipient, `$2` after, `$3` limit.
pub const STREAM_AFTER: &str = "SELECT stream_seq, event, payload FROM outbox WHERE recipient_id = $1 AND stream_seq > $2 \
     ORDER BY stream_seq LIMIT $3";
pub const LAST_STREAM_ID: &str = "SELECT stream_seq FROM associates WHERE id = $1";

// Followers and webhook subscriptions.
/// `$1` login key.
pub const ASSOCIATE_BY_LOGIN: &str = "SELECT id FROM associates WHERE login_key = $1";
pub const TICKET_EXISTS: &str = "SELECT id FROM tickets WHERE id = $1";
pub const MESSAGE_EXISTS: &str = "SELECT id FROM ticket_messages WHERE id = $1";
/// `$1` ticket, `$2` associate, `$3` now.
pub const FOLLOW: &str = "INSERT INTO ticket_followers (ticket_id, associate_id, created_at) VALUES ($1, $2, $3) \
     ON CONFLICT (ticket_id, associate_id) DO NOTHING";
/// `$1` ticket, `$2` associate.
pub const UNFOLLOW: &str = "DELETE FROM ticket_followers WHERE ticket_id = $1 AND associate_id = $2";
pub const FOLLOWERS: &str = "SELECT associate_id FROM ticket_followers WHERE ticket_id = $1 ORDER BY associate_id";
/// `$1` url, `$2` events, `$3` secret, `$4` now.
pub const ADD_WEBHOOK: &str =
    "INSERT INTO webhooks (url, events, secret, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
pub const WEBHOOKS: &str = "SELECT id, url, events, active FROM webhooks ORDER BY id";
pub const REMOVE_WEBHOOK: &str = "DELETE FROM webhooks WHERE id = $1";

/// A lease as stored ticks (100 ns).
pub fn duration_ticks(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX / 20).saturating_mul(10)
}

/// An outbox row of [`SELECT_ROWS`] or [`SELECT_CLAIMED`].
pub fn outbox_row(row: &impl Columns) -> Result<OutboxRow, StoreError> {
    let corrupt = |what: &str| StoreError::Internal(format!("outbox row with unknown {what}"));
    Ok(OutboxRow {
        id: row.big("id")?,
        delivery_id: row.text("delivery_id")?,
        channel: Channel::from_code(row.int("channel")?).ok_or_else(|| corrupt("channel"))?,
        event: row.text("event")?,
        message_id: row.int("message_id")?,
        recipient_id: row.maybe_int("recipient_id")?,
        webhook_id: row.maybe_int("webhook_id")?,
        payload: row.text("payload")?,
        status: DeliveryStatus::from_code(row.int("status")?).ok_or_else(|| corrupt("status"))?,
        attempts: row.int("attempts")?,
        next_attempt_at: from_ticks(row.big("next_attempt_at")?),
        last_error: row.text("last_error")?,
        created_at: from_ticks(row.big("created_at")?),
    })
}

/// A row of [`SELECT_CLAIMED`].
pub fn claimed_delivery(row: &impl Columns) -> Result<ClaimedDelivery, StoreError> {
    let recipient = match row.maybe_text("email")? {
        Some(email) if !email.is_empty() => Some(MailRecipient {
            email,
            full_name: row.maybe_text("full_name")?.unwrap_or_default(),
            language: row.maybe_text("language")?.unwrap_or_default(),
        }),
        _ => None,
    };
    let webhook = match (row.maybe_text("url")?, row.maybe_text("secret")?) {
        (Some(url), Some(secret)) => Some(WebhookTarget { id: row.maybe_int("webhook_id")?.unwrap_or(0), url, secret }),
        _ => None,
    };
    Ok(ClaimedDelivery { row: outbox_row(row)?, recipient, webhook })
}

/// A row of [`COUNTS`]; `None` for a channel or state this build does not know.
pub fn outbox_count(row: &impl Columns) -> Result<Option<OutboxCount>, StoreError> {
    let (Some(channel), Some(status)) =
        (Channel::from_code(row.int("channel")?), DeliveryStatus::from_code(row.int("status")?))
    else {
        return Ok(None);
    };
    Ok(Some(OutboxCount { channel, status, rows: row.big("n")? }))
}

/// A row of [`WEBHOOKS`].
pub fn webhook_info(row: &impl Columns) -> Result<WebhookInfo, StoreError> {
    Ok(WebhookInfo {
        id: row.int("id")?,
        url: row.text("url")?,
        events: row.text("events")?,
        active: row.flag("active")?,
    })
}

/// A row of [`STREAM_AFTER`].
pub fn stream_item(row: &impl Columns) -> Result<StreamItem, StoreError> {
    Ok(StreamItem { id: row.big("stream_seq")?, event: row.text("event")?, payload: row.text("payload")? })
}
