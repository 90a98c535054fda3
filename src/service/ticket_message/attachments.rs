//! Connecting uploaded attachments to a message, after the ones it has.

use super::{TicketMessages, message_error};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::service::reach::{pending_uploads_of, require_message_id};

impl TicketMessages {
    /// Connects attachments `ids` to message `id`. An id that does not exist, belongs to another
    /// message or is someone else's pending upload (admins may connect anyone's) is a 400 naming
    /// it, and nothing is connected; 403 for a read-only caller or a ticket out of reach.
    pub async fn add_attachments(&self, caller: &Principal, id: i32, ids: &[i32]) -> Result<(), ApiError> {
        caller.require_write()?;
        if ids.is_empty() {
            return Err(ApiError::invalid("Name at least one attachment id to connect"));
        }
        require_message_id(self.store.as_ref(), &self.reach_of(caller).await?, id).await?;
        self.store.connect_attachments(id, ids, pending_uploads_of(caller)).await.map_err(message_error(id))?;
        // The connection may have queued webhook events.
        self.notify.maybe_queued_webhook_events();
        Ok(())
    }
}
