//! Updating a stored message: every update (REST PUT and PATCH, a POST naming an existing
//! message, the Agents API's save) goes one way. The message is read, the caller's reach over
//! its ticket (and over the ticket the save moves it to) and the write condition are checked,
//! the edit is made into a draft, and the save lands only on the version read. A save in between
//! — which may have moved the message to another ticket — makes it stale; it is then read and
//! checked again, so no write lands on a version the checks did not see.

use super::{Edit, TicketMessages, WriteCondition, message_error};
use crate::auth::Principal;
use crate::domain::{MessageDraft, TicketMessage, TicketReach};
use crate::error::ApiError;
use crate::service::reach::{require_message, require_ticket_id};
use crate::store::{SaveContext, StoreError};

/// Times a save without a write condition is tried again when concurrent saves keep
/// overtaking it.
const SAVE_ATTEMPTS: u32 = 20;

impl TicketMessages {
    /// Saves `edit` onto message `id` (notifying when asked) and returns the message as stored.
    /// 404 when there is no such message (an update never creates), 403 for a read-only caller
    /// or a ticket out of reach, 412 when `condition` does not hold.
    pub async fn update(
        &self,
        caller: &Principal,
        id: i32,
        edit: &Edit,
        notify: bool,
        condition: &WriteCondition,
    ) -> Result<TicketMessage, ApiError> {
        caller.require_write()?;
        let reach = self.reach_of(caller).await?;
        let ctx = self.save_context(caller, notify);
        if !self.save_onto_stored(&reach, id, ctx, condition, |stored| edit.draft_onto(stored)).await? {
            return Err(ApiError::message_not_found(id.into()));
        }
        self.saved(ctx);
        self.load(id).await
    }

    /// An update that notifies no one, as the vendor's PATCH does.
    pub async fn patch(
        &self,
        caller: &Principal,
        id: i32,
        edit: &Edit,
        condition: &WriteCondition,
    ) -> Result<TicketMessage, ApiError> {
        self.update(caller, id, edit, false, condition).await
    }

    /// Saves the draft `draft_of` makes from the stored message onto that same version; `false`
    /// when there is no such message. With a write condition an overtaken save is a 412;
    /// without, it is applied again to the newer version (pausing a little longer each time, so
    /// competing writers get through).
    pub(super) async fn save_onto_stored(
        &self,
        reach: &TicketReach,
        id: i32,
        ctx: SaveContext,
        condition: &WriteCondition,
        draft_of: impl Fn(&TicketMessage) -> Result<MessageDraft, ApiError>,
    ) -> Result<bool, ApiError> {
        // Edits of one message in this process take turns; only saves from elsewhere (another
        // instance) can still overtake one.
        let _turn = self.edit_turns.of(id).await;
        let mut attempt = 0;
        loop {
            let Some(stored) = self.store.message(id).await? else { return Ok(false) };
            require_message(reach, &stored)?;
            condition.check(&stored)?;
            let draft = draft_of(&stored)?;
            let current_ticket = stored.ticket.as_ref().map(|ticket| ticket.ticket_id);
            if let Some(target) = draft.refs.ticket_id.filter(|target| Some(*target) != current_ticket) {
                require_ticket_id(self.store.as_ref(), reach, target).await?;
            }
            let ctx = SaveContext { expected_version: Some(stored.version), ..ctx };
            match self.store.update_message(id, &draft, ctx).await {
                Ok(()) => return Ok(true),
                Err(StoreError::Stale) if !condition.is_set() && attempt < SAVE_ATTEMPTS => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt))).await;
                }
                Err(err) => return Err(message_error(id)(err)),
            }
        }
    }
}
