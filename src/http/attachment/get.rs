//! `GET /api/v1/Attachment/{id}`: an attachment's information as an `AttachmentEntity`; 403 when
//! its message belongs to a ticket outside the caller's reach, 404 for someone else's pending upload.

use axum::extract::State;
use axum::response::Response;

use super::{AttachmentId, not_found};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::ticket_reach::require_attachment_owner;
use crate::negotiate::wire::AttachmentOut;
use crate::negotiate::{ResponseFormat, entity_response};

pub async fn get_attachment(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    AttachmentId(id): AttachmentId,
) -> Result<Response, ApiError> {
    let (info, owner) = state.store.attachment(id).await?.ok_or_else(|| not_found(&id))?;
    require_attachment_owner(&state, &caller, id, owner).await?;
    entity_response(format, "AttachmentEntity", &AttachmentOut(&info))
}
