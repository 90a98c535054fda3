//! Creating a message — or updating the one the draft's `EjMessageId` names when it exists, as
//! the vendor's save does. With an idempotency key, a retried create within 24 h returns the
//! message the first one made instead of making another.

use super::{TicketMessages, WriteCondition};
use crate::auth::Principal;
use crate::domain::{MessageDraft, TicketMessage, TicketReach};
use crate::error::ApiError;
use crate::service::reach::{require_message_id, require_ticket_id};
use crate::store::SaveContext;

/// How long an idempotency key is remembered.
const IDEMPOTENCY_WINDOW_HOURS: i64 = 24;

/// The message a create made (or, replayed, the one an earlier create with the same key made).
#[derive(Debug, Clone)]
pub struct Created {
    pub message: TicketMessage,
    /// Whether an earlier create with the same idempotency key made the message.
    pub replayed: bool,
}

impl TicketMessages {
    /// Saves `draft` as a new message of the ticket it names (notifying when asked), or onto the
    /// existing message its `requested_id` names. 400 when a new message names no ticket, 403 for
    /// a read-only caller or a ticket (or message) out of reach.
    pub async fn create(
        &self,
        caller: &Principal,
        draft: &MessageDraft,
        notify: bool,
        idempotency_key: Option<&str>,
    ) -> Result<Created, ApiError> {
        caller.require_write()?;
        let ctx = self.save_context(caller, notify);
        let reach = self.reach_of(caller).await?;
        if draft.requested_id > 0
            && let Some(message) = self.update_existing(&reach, draft, ctx).await?
        {
            self.saved(ctx);
            return Ok(Created { message, replayed: false });
        }
        let Some(ticket_id) = draft.refs.ticket_id else {
            return Err(ApiError::invalid(
                "'Ticket.TicketId' is required: a new message must name the ticket it belongs to",
            ));
        };
        require_ticket_id(self.store.as_ref(), &reach, ticket_id).await?;
        let Some(key) = idempotency_key else {
            let message = self.store.create_message_read_back(draft, ctx).await?;
            self.saved(ctx);
            return Ok(Created { message, replayed: false });
        };
        let window = chrono::Duration::hours(IDEMPOTENCY_WINDOW_HOURS);
        let (id, created) = self.store.create_message_once(draft, ctx, key, window).await?;
        if created {
            self.saved(ctx);
        } else {
            // The first create may have been moved to another ticket since.
            require_message_id(self.store.as_ref(), &reach, id).await?;
        }
        self.created(id, !created).await
    }

    /// Saves the draft onto the message its `requested_id` names, the way every update goes,
    /// and returns it as saved; `None` when there is no such message (the draft then creates one).
    async fn update_existing(
        &self,
        reach: &TicketReach,
        draft: &MessageDraft,
        ctx: SaveContext,
    ) -> Result<Option<TicketMessage>, ApiError> {
        let no_condition = WriteCondition::default();
        let replacement = draft.clone();
        self.save_onto_stored(reach, draft.requested_id, ctx, &no_condition, move |_| Ok(replacement.clone())).await
    }

    async fn created(&self, id: i32, replayed: bool) -> Result<Created, ApiError> {
        Ok(Created { message: self.load(id).await?, replayed })
    }
}
