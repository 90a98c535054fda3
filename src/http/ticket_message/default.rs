//! `GET /api/v1/TicketMessage/default`: a new, unsaved message with the server's defaults and
//! the caller as its creator; nothing is stored.

use axum::extract::State;
use axum::response::Response;

use super::Reply;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::ResponseFormat;
use crate::negotiate::wire::TicketMessageEntity;

pub async fn default_message(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
) -> Result<Response, ApiError> {
    let message = state.messages.default_message(&caller).await?;
    let reply = Reply::new(format, locale, &caller);
    let entity = TicketMessageEntity::for_caller(&message, reply.access, &reply.locale);
    reply.message_response(&entity, None)
}
