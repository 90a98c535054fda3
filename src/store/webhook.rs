//! The webhook side of the store: registered webhooks as the vendor's carrier describes them,
//! the state the dispatcher keeps on each, and events queued to them outside a message save.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::webhook::{Webhook, WebhookEvent};

/// How one delivery attempt to a webhook ended, as its counters see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookCall {
    /// A 2xx answer.
    Succeeded,
    /// Anything else; the text becomes `LastError`.
    Failed(String),
}

/// Registered webhooks. Every write is one transaction; events a write raises (a state change)
/// are queued in it.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// One webhook, or `None`.
    async fn webhook(&self, id: i32) -> Result<Option<Webhook>, StoreError>;
    /// Every webhook, by id.
    async fn all_webhooks(&self) -> Result<Vec<Webhook>, StoreError>;
    /// Stores a new webhook (its counters start at zero) and returns its id.
    async fn create_webhook(&self, hook: &Webhook) -> Result<i32, StoreError>;
    /// Replaces what a caller may set on webhook `hook.id`; `NotFound` when there is none. A
    /// change of state queues `webhook{ID}.started`/`.stopped`; back to Active clears the
    /// consecutive-error count.
    async fn update_webhook(&self, hook: &Webhook) -> Result<(), StoreError>;
    /// Counts an attempt on a webhook. With `limit` consecutive failures an active webhook
    /// turns `TooManyErrors`: `webhook{ID}.errors` is queued and each of its `ErrorEmails` gets
    /// one mail, in the same transaction. Returns whether this call stopped it.
    async fn record_webhook_call(&self, id: i32, call: &WebhookCall, limit: u32) -> Result<bool, StoreError>;
    /// Queues `event` to every active webhook that wants it; how many rows were queued.
    async fn signal_webhook_event(&self, event: &WebhookEvent, message_id: i32) -> Result<u64, StoreError>;
}
