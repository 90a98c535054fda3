//! `DELETE /api/v1/TicketMessage/{id}`: 204 with no body; the message's headers, attachment
//! info, fields and save records go with it; 404 when there is no such message, 403 when its
//! ticket is outside the caller's reach.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::support::{MessageId, Preconditions};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;

pub async fn delete_message(
    caller: Principal,
    State(state): State<AppState>,
    conditions: Preconditions,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    state.messages.delete(&caller, id, &conditions.write_condition(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
