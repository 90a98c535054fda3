//! Retention: the kinds of rows that pile up with use (save events, delivered notifications,
//! idempotency keys, dead secrets, unclaimed uploads) and the batched statements that count and
//! delete the ones past their age. How old is too old is the caller's to say.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::Timestamp;

/// A kind of row that is deleted once it is older than its retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetentionKind {
    /// `message_events`: one row per save.
    SaveEvents,
    /// Outbox rows delivered (dead ones stay for `outbox retry` and `outbox purge`).
    DeliveredNotifications,
    /// Idempotency keys, by when the create they remember was made.
    IdempotencyKeys,
    /// Sessions, tickets and tokens past their expiry, and revoked ones, by expiry or creation.
    ExpiredSecrets,
    /// Uploads no message claimed, by when they were uploaded.
    PendingUploads,
}

impl RetentionKind {
    /// Every kind, in the order `ticketd purge` reports them.
    pub const ALL: [Self; 5] = [
        Self::SaveEvents,
        Self::DeliveredNotifications,
        Self::IdempotencyKeys,
        Self::ExpiredSecrets,
        Self::PendingUploads,
    ];

    /// The name logs and `ticketd purge` use.
    pub fn name(self) -> &'static str {
        match self {
            Self::SaveEvents => "message-events",
            Self::DeliveredNotifications => "delivered-outbox",
            Self::IdempotencyKeys => "idempotency-keys",
            Self::ExpiredSecrets => "expired-secrets",
            Self::PendingUploads => "pending-uploads",
        }
    }
}

#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// How many rows of `kind` are past `before`.
    async fn count_expired(&self, kind: RetentionKind, before: Timestamp) -> Result<u64, StoreError>;
    /// Deletes at most `batch` rows of `kind` past `before`, oldest first, in one short write
    /// transaction; how many went. Fewer than `batch` means none (or almost none) are left.
    async fn delete_expired(&self, kind: RetentionKind, before: Timestamp, batch: u32) -> Result<u64, StoreError>;
}
