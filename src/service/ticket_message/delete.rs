//! Deleting a message with its headers, attachment info, fields and save records.

use super::{TicketMessages, WriteCondition};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::service::reach::require_message_id;

impl TicketMessages {
    /// Deletes message `id`: 404 when there is none, 403 for a read-only caller or a ticket out
    /// of reach, 412 when `condition` does not hold.
    pub async fn delete(&self, caller: &Principal, id: i32, condition: &WriteCondition) -> Result<(), ApiError> {
        caller.require_write()?;
        // Checked before the delete, not inside it: the delete statement is the store's own. A
        // save moving the message to another ticket in between could slip through (see
        // docs/reliability.md).
        let reach = self.reach_of(caller).await?;
        require_message_id(self.store.as_ref(), &reach, id).await?;
        if condition.is_set() {
            condition.check(&self.load(id).await?)?;
        }
        if !self.store.delete_message(id).await? {
            return Err(ApiError::message_not_found(id.into()));
        }
        // The delete may have queued webhook events.
        self.notify.maybe_queued_webhook_events();
        Ok(())
    }
}
