//! The ticket-message operations — get, default, create, update, patch, delete, list, send,
//! send SMS, add attachments — with their checks, transaction, outbox rows and version bump, one
//! file per operation. Every face of the server calls these, so both answer alike.

mod attachments;
mod condition;
mod create;
mod delete;
mod edit;
mod get;
mod list;
mod parts;
mod save;
mod send;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use condition::{VersionMatch, WriteCondition, whole_seconds};
pub use create::Created;
pub use edit::Edit;
pub use list::ListPage;
pub use parts::{Save, TICKET_MESSAGES_LIMIT};
pub use send::MailRequest;

use crate::auth::Principal;
use crate::domain::{TicketMessage, TicketReach};
use crate::error::ApiError;
use crate::locale::BaseZone;
use crate::notify::NotifyHandle;
use crate::store::{SaveContext, Store, StoreError};

/// The ticket-message operations over one store, and what a save wakes.
#[derive(Clone)]
pub struct TicketMessages {
    store: Arc<dyn Store>,
    notify: NotifyHandle,
    base_zone: BaseZone,
}

impl TicketMessages {
    /// The operations over `store`; saves queue notifications on `notify`'s channels and wake it.
    pub fn new(store: Arc<dyn Store>, notify: NotifyHandle, base_zone: BaseZone) -> Self {
        Self { store, notify, base_zone }
    }

    /// The store the operations read and write.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The channels notifications go out on, and the bell that wakes their dispatcher.
    pub fn notify(&self) -> &NotifyHandle {
        &self.notify
    }

    /// The zone stored dates (other than stamps) are in.
    pub fn base_zone(&self) -> BaseZone {
        self.base_zone
    }

    /// The context of a save by `caller`, notifying over the configured channels when asked.
    pub fn save_context(&self, caller: &Principal, notify: bool) -> SaveContext {
        SaveContext {
            associate_id: caller.associate_id,
            notify,
            channels: self.notify.channels,
            expected_version: None,
            context: crate::store::acting::current().context,
            seeding: false,
        }
    }

    /// Wakes the dispatcher and this server's live streams after a notifying save; after any
    /// other save, the dispatcher only while webhooks are busy (see
    /// [`NotifyHandle::maybe_queued_webhook_events`](crate::notify::NotifyHandle::maybe_queued_webhook_events)).
    pub fn saved(&self, ctx: SaveContext) {
        if ctx.notify {
            self.notify.queued();
            self.notify.stream_delivered();
        } else {
            self.notify.maybe_queued_webhook_events();
        }
    }

    /// The tickets the caller reaches.
    pub async fn reach_of(&self, caller: &Principal) -> Result<TicketReach, ApiError> {
        crate::service::reach::reach_of(self.store.as_ref(), caller).await
    }

    /// The stored message, or 404.
    async fn load(&self, id: i32) -> Result<TicketMessage, ApiError> {
        self.store.message(id).await?.ok_or_else(|| ApiError::message_not_found(id.into()))
    }
}

/// A store error where "not found" means the addressed message.
fn message_error(id: i32) -> impl FnOnce(StoreError) -> ApiError {
    move |err| match err {
        StoreError::NotFound => ApiError::message_not_found(id.into()),
        other => other.into(),
    }
}
