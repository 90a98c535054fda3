//! `DELETE /api/v1/TicketMessage/{id}`: 204 with no body; the message's headers, attachment
//! info, fields and save records go with it; 404 when there is no such message.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::conditional::Preconditions;
use super::{MessageId, guarded_version};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;

pub async fn delete_message(
    caller: Principal,
    State(state): State<AppState>,
    headers: HeaderMap,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    guarded_version(&state, id, &Preconditions::of(&headers)).await?;
    if state.store.delete_message(id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::message_not_found(id.into()))
    }
}
