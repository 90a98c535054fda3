//! `GET /api/v1/TicketMessage/{id}/ForeignKey`: the foreign keys outside systems attached to a
//! message, as a flat object (`{}` when none); 404 when the message does not exist, 403 when its
//! ticket is outside the caller's reach.

use axum::extract::State;
use axum::response::Response;

use super::support::MessageId;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::negotiate::{ResponseFormat, entity_response};

pub async fn foreign_keys(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    let keys = state.messages.foreign_keys(&caller, id).await?;
    entity_response(format, "StringDictionary", &keys)
}
