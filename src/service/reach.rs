//! Object-level authorization over ticket messages, tickets and attachments: the caller's reach
//! is read on every operation (so `ticketd associate access` applies from the next one on), and
//! a ticket outside it is a 403 naming the ticket. Which tickets are reachable is decided in
//! `domain::ticket_reach`, nowhere else.

use crate::auth::Principal;
use crate::domain::{Role, TicketAccess, TicketMessage, TicketReach, TicketScope};
use crate::error::{ApiError, ErrorKind};
use crate::store::Store;
use crate::store::attachment::AttachmentOwner;

/// The tickets the caller reaches.
pub async fn reach_of(store: &dyn Store, caller: &Principal) -> Result<TicketReach, ApiError> {
    // Admins reach every ticket whatever is stored, so their requests skip the read.
    if caller.access.role == Role::Admin {
        return Ok(TicketReach::new(caller.associate_id, caller.access.role, TicketAccess::All));
    }
    let stored = store.ticket_access(caller.associate_id).await?;
    Ok(TicketReach::new(caller.associate_id, caller.access.role, stored))
}

/// 403 unless the caller reaches this ticket.
pub fn require_ticket(reach: &TicketReach, ticket: &TicketScope) -> Result<(), ApiError> {
    if reach.permits(ticket) { Ok(()) } else { Err(no_access(ticket.ticket_id)) }
}

/// 403 unless the caller reaches the ticket of a message already read.
pub fn require_message(reach: &TicketReach, message: &TicketMessage) -> Result<(), ApiError> {
    match &message.ticket {
        Some(ticket) => require_ticket(
            reach,
            &TicketScope {
                ticket_id: ticket.ticket_id,
                category_name: ticket.category_name.clone(),
                owned_by: ticket.owned_by,
            },
        ),
        // Every stored message has a ticket; should one lack it, only unlimited callers see it.
        None if reach.limited_to().is_none() => Ok(()),
        None => Err(no_access(0)),
    }
}

/// 403 unless the caller reaches the ticket of message `id`; 404 when there is no such message.
/// Unlimited callers pass without a read (the operation itself answers 404 for them).
pub async fn require_message_id(store: &dyn Store, reach: &TicketReach, id: i32) -> Result<(), ApiError> {
    if reach.limited_to().is_none() {
        return Ok(());
    }
    match store.message_scope(id).await? {
        Some(ticket) => require_ticket(reach, &ticket),
        None => Err(ApiError::message_not_found(id.into())),
    }
}

/// 403 unless the caller reaches ticket `id`. A ticket that does not exist passes: the save then
/// answers 400 naming `Ticket.TicketId`, as it does for every caller.
pub async fn require_ticket_id(store: &dyn Store, reach: &TicketReach, id: i32) -> Result<(), ApiError> {
    if reach.limited_to().is_none() {
        return Ok(());
    }
    match store.ticket_scope(id).await? {
        Some(ticket) => require_ticket(reach, &ticket),
        None => Ok(()),
    }
}

/// The vendor's access-denied error, naming the ticket.
fn no_access(ticket_id: i32) -> ApiError {
    ApiError::new(
        ErrorKind::Forbidden,
        format!(
            "No access to ticket {ticket_id}: its category is not one of the caller's and the caller does not own it"
        ),
    )
}

/// 403 unless the caller reaches the ticket of the message an attachment belongs to. An upload
/// no message has claimed yet is its uploader's (and the admins'): for anyone else it does not
/// exist (404), so walking the ids finds nothing.
pub async fn require_attachment_owner(
    store: &dyn Store,
    caller: &Principal,
    id: i32,
    owner: AttachmentOwner,
) -> Result<(), ApiError> {
    match owner.message_id {
        Some(message_id) => require_message_id(store, &reach_of(store, caller).await?, message_id).await,
        None if caller.access.role == Role::Admin || owner.uploaded_by == Some(caller.associate_id) => Ok(()),
        None => Err(ApiError::new(ErrorKind::NotFound, format!("Attachment id {id} not found"))),
    }
}

/// Whose pending uploads the caller may connect to a message: `None` for admins (anyone's),
/// else only the caller's own.
pub fn pending_uploads_of(caller: &Principal) -> Option<i32> {
    (caller.access.role != Role::Admin).then_some(caller.associate_id)
}
