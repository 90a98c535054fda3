//! `GET /api/v1/TicketMessage/{id}/Attachment` and `…/Attachment/Noninline`: the message's
//! attachment information (all of it, or without inline images); 404 for a missing message, 403
//! for one of a ticket outside the caller's reach.

use axum::extract::State;
use axum::response::Response;

use super::support::MessageId;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::negotiate::wire::AttachmentOut;
use crate::negotiate::{ResponseFormat, entity_response};

pub async fn all_attachments(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    attachments(&state, &caller, format, id, true).await
}

pub async fn noninline_attachments(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    attachments(&state, &caller, format, id, false).await
}

async fn attachments(
    state: &AppState,
    caller: &Principal,
    format: ResponseFormat,
    id: i32,
    inline_too: bool,
) -> Result<Response, ApiError> {
    let message = state.messages.get(caller, id).await?;
    let items: Vec<AttachmentOut> =
        message.content.attachments.iter().filter(|a| inline_too || !a.inline_image).map(AttachmentOut).collect();
    entity_response(format, "ArrayOfAttachmentEntity", &items)
}
