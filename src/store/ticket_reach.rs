//! Ticket access: an associate's stored access (every ticket, or some ticket categories), the
//! category and owner of the ticket a request addresses (`Store::list_messages` limits the list
//! to a caller's reach). What the access allows is decided in `domain::ticket_reach`.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{TicketAccess, TicketScope};

#[async_trait]
pub trait TicketReachStore: Send + Sync {
    /// An associate's stored ticket access (`All` for an associate that does not exist).
    async fn ticket_access(&self, associate_id: i32) -> Result<TicketAccess, StoreError>;
    /// Replaces a login's ticket access; `false` when there is no such login.
    async fn set_ticket_access(&self, login: &str, access: &TicketAccess) -> Result<bool, StoreError>;
    /// The category and owner of a ticket; `None` when it does not exist.
    async fn ticket_scope(&self, ticket_id: i32) -> Result<Option<TicketScope>, StoreError>;
    /// The category and owner of the ticket a message belongs to; `None` when the message does
    /// not exist.
    async fn message_scope(&self, message_id: i32) -> Result<Option<TicketScope>, StoreError>;
    /// Every category name tickets have, sorted.
    async fn ticket_categories(&self) -> Result<Vec<String>, StoreError>;
}
