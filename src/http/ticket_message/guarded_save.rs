//! Saving onto a stored message with the checks tied to the version saved: PATCH always saves
//! this way, PUT and POST do for callers limited to some tickets. The message is read, the
//! caller's reach over its ticket (and over the ticket the save moves it to) and the client's
//! preconditions are checked, and the save happens only onto the version read. A save in
//! between — which may have moved the message to another ticket — makes it stale; it is then
//! read and checked again, so no write lands on a version the checks did not see.

use super::conditional::Preconditions;
use super::{load_message, message_error};
use crate::domain::{MessageDraft, TicketMessage, TicketReach};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::ticket_reach::{require_message, require_ticket_id};
use crate::store::{SaveContext, StoreError};

/// Times a save without a client precondition is tried again when concurrent saves keep
/// overtaking it.
const SAVE_ATTEMPTS: u32 = 20;

/// Saves the draft `draft_of` makes from the stored message onto that same version. With
/// `If-Match`/`If-Unmodified-Since` an overtaken save is a 412; without, it is applied again to
/// the newer version (pausing a little longer each time, so competing writers get through).
pub async fn save_onto_stored(
    state: &AppState,
    reach: &TicketReach,
    id: i32,
    ctx: SaveContext,
    conditions: &Preconditions,
    draft_of: impl Fn(&TicketMessage) -> Result<MessageDraft, ApiError>,
) -> Result<(), ApiError> {
    // Edits of one message in this process take turns; only saves from elsewhere (another
    // instance, a plain PUT) can still overtake one.
    let _turn = state.edit_turns.of(id).await;
    let mut attempt = 0;
    loop {
        let stored = load_message(state, id).await?;
        require_message(reach, &stored)?;
        conditions.check_write(&stored)?;
        let draft = draft_of(&stored)?;
        let current_ticket = stored.ticket.as_ref().map(|ticket| ticket.ticket_id);
        if let Some(target) = draft.refs.ticket_id.filter(|target| Some(*target) != current_ticket) {
            require_ticket_id(state, reach, target).await?;
        }
        let ctx = SaveContext { expected_version: Some(stored.version), ..ctx };
        match state.store.update_message(id, &draft, ctx).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Stale) if !conditions.guard_writes() && attempt < SAVE_ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt))).await;
            }
            Err(err) => return Err(message_error(id)(err)),
        }
    }
}
