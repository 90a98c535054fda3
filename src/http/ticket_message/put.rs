//! `PUT /api/v1/TicketMessage/{id}?notify=`: replaces a stored message (or patches it, for the
//! patch media types); the path id wins over the body's, and a missing id is 404 (PUT never
//! creates). `If-Match` / `If-Unmodified-Since` make it conditional (412); a message of a ticket
//! outside the caller's reach, or a move into such a ticket, is a 403.

use axum::extract::State;
use axum::response::Response;

use super::support::{MessageId, MessageReply, Notify, Preconditions};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::context::RequestContext;
use crate::negotiate::EntityBody;
use crate::service::Edit;

pub async fn put_message(
    ctx: RequestContext,
    State(state): State<AppState>,
    conditions: Preconditions,
    MessageId(id): MessageId,
    Notify(notify): Notify,
    body: EntityBody,
) -> Result<Response, ApiError> {
    let condition = conditions.write_condition(id);
    let saved = state.messages.update(&ctx.caller, id, &Edit::from(body), notify, &condition).await?;
    ctx.stored_message(&saved)
}
