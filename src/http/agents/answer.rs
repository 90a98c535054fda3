//! An Agents call's answer: 200 with the result carrier (serialised as the REST resource does),
//! 200 with `null` when a getter finds nothing, 204 with no body for methods that return nothing.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::TicketMessage;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::ticket_message::support::conditional;
use crate::negotiate::response::render;
use crate::negotiate::wire::{TicketMessageEntity, TicketMessageSummary};

/// What an adapter hands back.
#[derive(Debug)]
pub enum Outcome {
    /// A `TicketMessageEntity` (stored, or the unsaved default).
    Entity(TicketMessage),
    /// The flat `TicketMessage` carrier.
    Summary(TicketMessage),
    /// An array of `TicketMessageEntity`.
    Entities(Vec<TicketMessage>),
    /// A getter's "there is no such message": `null` under the carrier's name.
    Null(&'static str),
    /// A `void` method's success.
    Nothing,
}

pub fn render_outcome(outcome: Outcome, context: &RequestContext) -> Result<Response, ApiError> {
    let (format, locale, access) = (context.format, &context.locale, context.caller.access);
    let mut response = match outcome {
        Outcome::Entity(message) => {
            let entity = TicketMessageEntity::for_caller(&message, access, locale);
            let mut response = render(format, StatusCode::OK, "TicketMessageEntity", &entity)?;
            // `ETag` and `Last-Modified` as REST gives them, for a stored message.
            if message.id > 0 {
                conditional::annotate(response.headers_mut(), &message);
            }
            response
        }
        Outcome::Summary(message) => {
            let summary = TicketMessageSummary::for_caller(&message, access, locale);
            render(format, StatusCode::OK, "TicketMessage", &summary)?
        }
        Outcome::Entities(messages) => {
            let entities: Vec<_> =
                messages.iter().map(|m| TicketMessageEntity::for_caller(m, access, locale)).collect();
            render(format, StatusCode::OK, "ArrayOfTicketMessageEntity", &entities)?
        }
        // JSON `null`; XML `<Root xmlns:i="…" i:nil="true" />`.
        Outcome::Null(root) => render(format, StatusCode::OK, root, &None::<()>)?,
        Outcome::Nothing => return Ok(StatusCode::NO_CONTENT.into_response()),
    };
    locale.annotate(response.headers_mut());
    Ok(response)
}
