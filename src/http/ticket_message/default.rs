//! `GET /api/v1/TicketMessage/default`: a new, unsaved message with the server's defaults and
//! the caller as its creator; nothing is stored.

use axum::extract::State;
use axum::response::Response;

use super::support::MessageReply;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::context::RequestContext;

pub async fn default_message(ctx: RequestContext, State(state): State<AppState>) -> Result<Response, ApiError> {
    let message = state.messages.default_message(&ctx.caller).await?;
    ctx.message_response(&ctx.entity(&message), None)
}
