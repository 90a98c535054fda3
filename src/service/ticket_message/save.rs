//! Updating a stored message: every update (REST PUT and PATCH, a POST naming an existing
//! message, the Agents API's save) goes one way. The store reads the message inside the write
//! that saves it; there the caller's reach over its ticket and the write condition are checked
//! and the edit is made into a draft, so the save lands on exactly the version checked, and the
//! message as saved comes back from that same write.
//!
//! One check needs the store from outside: whether a limited caller reaches the ticket a draft
//! moves the message to. The edit then refuses with [`MovesTo`]; that ticket is checked and the
//! edit is run again, allowed to move the message there. Unlimited callers never meet this.

use std::sync::Arc;

use super::{Edit, TicketMessages, WriteCondition, message_error};
use crate::auth::Principal;
use crate::domain::{MessageDraft, TicketMessage, TicketReach};
use crate::error::ApiError;
use crate::service::reach::{require_message, require_ticket_id};
use crate::store::{EditFailure, EditRefusal, MessageEdit, SaveContext, StoreError};

/// How many tickets one update may ask to have checked before it gives up: a draft moves the
/// message to one ticket, but a patch may name another once the stored message has changed.
const MOVE_CHECKS: usize = 3;

/// An edit's refusal to move the message to a ticket whose reach has not been checked yet.
#[derive(Debug)]
struct MovesTo(i32);

impl std::fmt::Display for MovesTo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the save moves the message to ticket {}, not checked yet", self.0)
    }
}

impl std::error::Error for MovesTo {}

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
        let edit = edit.clone();
        let saved = self.save_onto_stored(&reach, id, ctx, condition, move |stored| edit.draft_onto(stored)).await?;
        let saved = saved.ok_or_else(|| ApiError::message_not_found(id.into()))?;
        self.saved(ctx);
        Ok(saved)
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

    /// Saves the draft `draft_of` makes from the stored message onto that same version, in one
    /// write, and returns the message as saved; `None` when there is no such message. Nothing
    /// can overtake the save, so a request without a condition is never refused as stale.
    pub(super) async fn save_onto_stored(
        &self,
        reach: &TicketReach,
        id: i32,
        ctx: SaveContext,
        condition: &WriteCondition,
        draft_of: impl Fn(&TicketMessage) -> Result<MessageDraft, ApiError> + Send + Sync + 'static,
    ) -> Result<Option<TicketMessage>, ApiError> {
        let draft_of: DraftOf = Arc::new(draft_of);
        let mut may_move_to = Vec::new();
        loop {
            let edit = checked_edit(reach, condition, &may_move_to, &draft_of);
            let refusal = match self.store.edit_message(id, edit, ctx).await {
                Ok(saved) => return Ok(Some(saved)),
                Err(EditFailure::Store(StoreError::NotFound)) => return Ok(None),
                Err(EditFailure::Store(err)) => return Err(message_error(id)(err)),
                Err(EditFailure::Refused(refusal)) => refusal,
            };
            match refusal.downcast::<MovesTo>() {
                Ok(target) if may_move_to.len() < MOVE_CHECKS => {
                    require_ticket_id(self.store.as_ref(), reach, target.0).await?;
                    may_move_to.push(target.0);
                }
                Ok(target) => return Err(ApiError::internal(target)),
                Err(other) => return Err(api_error(other)),
            }
        }
    }
}

type DraftOf = Arc<dyn Fn(&TicketMessage) -> Result<MessageDraft, ApiError> + Send + Sync>;

/// The edit the store runs on the stored message: the reach and condition checks, then the
/// draft. A limited caller's draft that moves the message to a ticket not in `may_move_to` is
/// refused with [`MovesTo`]: that ticket's reach needs a store read of its own, which an edit
/// running inside the write cannot make.
fn checked_edit(
    reach: &TicketReach,
    condition: &WriteCondition,
    may_move_to: &[i32],
    draft_of: &DraftOf,
) -> MessageEdit {
    let (reach, condition, may_move_to, draft_of) =
        (reach.clone(), condition.clone(), may_move_to.to_vec(), Arc::clone(draft_of));
    Arc::new(move |stored: &TicketMessage| -> Result<MessageDraft, EditRefusal> {
        require_message(&reach, stored)?;
        condition.check(stored)?;
        let draft = draft_of(stored)?;
        let current_ticket = stored.ticket.as_ref().map(|ticket| ticket.ticket_id);
        if let Some(target) = draft.refs.ticket_id.filter(|target| Some(*target) != current_ticket)
            && reach.limited_to().is_some()
            && !may_move_to.contains(&target)
        {
            return Err(Box::new(MovesTo(target)));
        }
        Ok(draft)
    })
}

/// The service's error an edit refused with.
fn api_error(refusal: EditRefusal) -> ApiError {
    match refusal.downcast::<ApiError>() {
        Ok(error) => *error,
        Err(other) => ApiError::internal(other),
    }
}
