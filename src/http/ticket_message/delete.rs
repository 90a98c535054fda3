//! `DELETE /api/v1/TicketMessage/{id}`: 204 with no body; the message's headers, attachment
//! info, fields and save records go with it; 404 when there is no such message, 403 when its
//! ticket is outside the caller's reach.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::conditional::Preconditions;
use super::{MessageId, guarded_version};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::ticket_reach::{reach_of, require_message_id};

pub async fn delete_message(
    caller: Principal,
    State(state): State<AppState>,
    headers: HeaderMap,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    // Checked before the delete, not inside it: the delete statement is the store's own. A save
    // moving the message to another ticket in between could slip through (see docs/reliability.md).
    let reach = reach_of(&state, &caller).await?;
    require_message_id(&state, &reach, id).await?;
    guarded_version(&state, id, &Preconditions::of(&headers)).await?;
    if state.store.delete_message(id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::message_not_found(id.into()))
    }
}
