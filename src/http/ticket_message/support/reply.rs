//! How a message goes back to its caller: as a `TicketMessageEntity` showing what the caller's
//! rights allow, in the format and locale asked for, with `ETag` and `Last-Modified` when stored.

use axum::response::Response;

use super::conditional;
use crate::domain::TicketMessage;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::negotiate::entity_response;
use crate::negotiate::wire::TicketMessageEntity;

/// Answers with ticket messages as the request's context asks.
pub trait MessageReply {
    /// The message's entity as the caller may see it.
    fn entity<'a>(&'a self, message: &'a TicketMessage) -> TicketMessageEntity<'a>;

    /// A 200 `TicketMessageEntity` answer with the locale's headers (`Content-Language`,
    /// `Warning`) and, for a stored message, its `ETag` and `Last-Modified`.
    fn message_response(
        &self,
        body: &impl serde::Serialize,
        stored: Option<&TicketMessage>,
    ) -> Result<Response, ApiError>;

    /// The stored message as `GET /TicketMessage/{id}` answers with it.
    fn stored_message(&self, message: &TicketMessage) -> Result<Response, ApiError> {
        self.message_response(&self.entity(message), Some(message))
    }
}

impl MessageReply for RequestContext {
    fn entity<'a>(&'a self, message: &'a TicketMessage) -> TicketMessageEntity<'a> {
        TicketMessageEntity::for_caller(message, self.caller.access, &self.locale)
    }

    fn message_response(
        &self,
        body: &impl serde::Serialize,
        stored: Option<&TicketMessage>,
    ) -> Result<Response, ApiError> {
        let mut response = entity_response(self.format, "TicketMessageEntity", body)?;
        self.locale.annotate(response.headers_mut());
        if let Some(message) = stored {
            conditional::annotate(response.headers_mut(), message);
        }
        Ok(response)
    }
}
