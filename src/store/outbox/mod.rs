//! The notification side of the store: ticket followers, webhook subscriptions and the outbox
//! the dispatcher claims, delivers and settles. This module owns the outbox rows: the rows a
//! notifying save writes (`enqueue`, one algorithm over the store's statement runner, its
//! statements in `statements`), and the operations that claim, settle, list and count them
//! (`store::ops::outbox`, over the statements of `store::sql::outbox`).

pub(crate) mod enqueue;
pub(crate) mod statements;
pub(crate) mod webhook_events;

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use crate::domain::Timestamp;
use crate::domain::notification::{Channel, DeliveryStatus};

/// One outbox row, as operators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub delivery_id: String,
    pub channel: Channel,
    pub event: String,
    pub message_id: i32,
    pub recipient_id: Option<i32>,
    pub webhook_id: Option<i32>,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Timestamp,
    pub last_error: String,
    pub created_at: Timestamp,
}

/// Where an e-mail delivery goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRecipient {
    pub email: String,
    pub full_name: String,
    /// The associate's language code; empty when unknown.
    pub language: String,
}

/// Where a webhook delivery goes, and the key it is signed with.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    pub id: i32,
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for WebhookTarget {
    /// Leaves out the signing secret and any credentials in the URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("id", &self.id)
            .field("url", &crate::notify::redact::text(&self.url))
            .finish_non_exhaustive()
    }
}

/// A row this worker holds the claim on, with what delivering it needs.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub row: OutboxRow,
    /// Set for e-mail rows whose associate still exists.
    pub recipient: Option<MailRecipient>,
    /// Set for webhook rows whose subscription still exists and is active.
    pub webhook: Option<WebhookTarget>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    Delivered,
    /// Failed for now; try again at `at`.
    Retry {
        error: String,
        at: Timestamp,
    },
    /// Failed for good (or too often): park the row as dead.
    Dead {
        error: String,
    },
}

/// A webhook subscription.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookInfo {
    pub id: i32,
    pub url: String,
    pub events: String,
    pub active: bool,
}

/// A live-stream notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamItem {
    /// The recipient's sequence number: the event id a client resumes from.
    pub id: i64,
    pub event: String,
    pub payload: String,
}

/// How many outbox rows are in one channel and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxCount {
    pub channel: Channel,
    pub status: DeliveryStatus,
    pub rows: i64,
}

/// Followers, webhooks and the outbox. Every write is one transaction.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Whether several servers may share this database's outbox (PostgreSQL). With SQLite one
    /// dispatcher owns the outbox, so claims left by a crashed process can be freed at start.
    fn shares_outbox(&self) -> bool;
    /// Makes a login follow a ticket, or stop following it; `NotFound` when either is missing.
    async fn set_following(&self, login: &str, ticket_id: i32, follow: bool) -> Result<(), StoreError>;
    /// The ids of the associates following a ticket.
    async fn followers(&self, ticket_id: i32) -> Result<Vec<i32>, StoreError>;
    /// Queues messages sent on request (`Send` e-mail or `Sms` rows), one row per payload, for
    /// an existing message; `NotFound` when the message does not exist.
    async fn enqueue_outgoing(&self, message_id: i32, channel: Channel, payloads: &[String]) -> Result<(), StoreError>;
    /// Adds a webhook subscription and returns its id.
    async fn add_webhook(&self, url: &str, events: &str, secret: &str) -> Result<i32, StoreError>;
    /// Every webhook subscription, by id.
    async fn webhooks(&self) -> Result<Vec<WebhookInfo>, StoreError>;
    /// Removes a webhook subscription; `false` when there was none with this id.
    async fn remove_webhook(&self, id: i32) -> Result<bool, StoreError>;
    /// Claims up to `limit` due rows for `worker` for `lease`, counting an attempt on each.
    async fn claim_deliveries(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;
    /// Settles a claimed row; does nothing if the claim has passed to another worker.
    async fn finish_delivery(&self, id: i64, worker: &str, result: &DeliveryResult) -> Result<(), StoreError>;
    /// Frees the claims of `worker` without counting the attempt, or (with `None`) every claim.
    async fn release_claims(&self, worker: Option<&str>) -> Result<u64, StoreError>;
    /// Outbox rows, newest first, optionally of one status.
    async fn outbox(&self, status: Option<DeliveryStatus>, limit: u32) -> Result<Vec<OutboxRow>, StoreError>;
    /// Makes dead rows (one by id, or all) due again with a fresh attempt count; how many.
    async fn retry_outbox(&self, id: Option<i64>) -> Result<u64, StoreError>;
    /// Deletes delivered and dead rows created before `before`; how many.
    async fn purge_outbox(&self, before: Timestamp) -> Result<u64, StoreError>;
    /// Row counts per channel and status.
    async fn outbox_counts(&self) -> Result<Vec<OutboxCount>, StoreError>;
    /// An associate's live-stream notifications with sequence numbers after `after`, in order.
    /// They are readable once their save committed, in commit order.
    async fn stream_after(&self, recipient: i32, after: i64, limit: u32) -> Result<Vec<StreamItem>, StoreError>;
    /// The sequence number of an associate's newest live-stream notification (0 when none).
    async fn last_stream_id(&self, recipient: i32) -> Result<i64, StoreError>;
}

/// A new delivery id: a random version-4 UUID, the form the vendor uses for event ids.
pub(crate) fn new_delivery_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|err| StoreError::Internal(err.to_string()))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}
