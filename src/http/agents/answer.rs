//! An Agents call's answer: 200 with the result carrier (serialised as the REST resource does),
//! 200 with `null` when a getter finds nothing, 204 with no body for methods that return nothing.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::domain::TicketMessage;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::ticket_message::support::{GetOptions, conditional};
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
    /// Any other carrier, already serialised, under its root name.
    Value(&'static str, Value),
}

/// The answer to `outcome`, with `$select` (as on REST's GET) applied to each carrier when the
/// query names one.
pub fn render_outcome(outcome: Outcome, context: &RequestContext, query: &str) -> Result<Response, ApiError> {
    let selection = GetOptions::parse(query)?;
    let select = selection.select.is_some().then_some(&selection);
    let (locale, access) = (&context.locale, context.caller.access);
    let mut response = match outcome {
        Outcome::Entity(message) => {
            let entity = TicketMessageEntity::for_caller(&message, access, locale);
            let mut response = carrier(context, "TicketMessageEntity", &entity, select)?;
            // `ETag` and `Last-Modified` as REST gives them, for a stored message.
            if message.id > 0 {
                conditional::annotate(response.headers_mut(), &message);
            }
            response
        }
        Outcome::Summary(message) => {
            let summary = TicketMessageSummary::for_caller(&message, access, locale);
            carrier(context, "TicketMessage", &summary, select)?
        }
        Outcome::Entities(messages) => {
            let entities: Vec<_> =
                messages.iter().map(|m| TicketMessageEntity::for_caller(m, access, locale)).collect();
            carrier(context, "ArrayOfTicketMessageEntity", &entities, select)?
        }
        // JSON `null`; XML `<Root xmlns:i="…" i:nil="true" />`.
        Outcome::Null(root) => render(context.format, StatusCode::OK, root, &None::<()>)?,
        Outcome::Nothing => return Ok(StatusCode::NO_CONTENT.into_response()),
        Outcome::Value(root, value) => render(context.format, StatusCode::OK, root, &value)?,
    };
    locale.annotate(response.headers_mut());
    Ok(response)
}

/// A 200 with `body` under `root`; with `$select`, every unselected property is `null` (each
/// item's, for a list).
fn carrier(
    context: &RequestContext,
    root: &str,
    body: &impl Serialize,
    select: Option<&GetOptions>,
) -> Result<Response, ApiError> {
    let Some(select) = select else { return render(context.format, StatusCode::OK, root, body) };
    let mut value = serde_json::to_value(body).map_err(ApiError::internal)?;
    match &mut value {
        Value::Array(items) => items.iter_mut().for_each(|item| select.apply(item, None)),
        single => select.apply(single, None),
    }
    render(context.format, StatusCode::OK, root, &value)
}
