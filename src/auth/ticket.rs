//! `Authorization: SoTicket 7T:…`: session tickets issued by `ticketd ticket issue` or the
//! session login, stored only as a hash, with an expiry, revocable.

use super::{Authenticator, Principal, is_live, secrets, unauthorized};
use crate::domain::Scope;
use crate::error::ApiError;
use crate::store::SecretKind;

/// The prefix of every ticket, as on the vendor's tickets.
pub const TICKET_PREFIX: &str = "7T:";

pub(super) async fn authenticate(auth: &Authenticator, ticket: &str) -> Result<Principal, ApiError> {
    if ticket.is_empty() {
        return Err(unauthorized("The SoTicket header carries no ticket"));
    }
    let stored = auth.store().find_secret(SecretKind::Ticket, &secrets::digest(ticket)).await?;
    match stored.filter(is_live) {
        Some(secret) => auth.principal_for(secret.associate_id.unwrap_or(0), Scope::ReadWrite).await,
        None => Err(unauthorized("The ticket is unknown, expired or revoked")),
    }
}
