//! `GET /api/v1/Attachment/{id}`: an attachment's information as an `AttachmentEntity`.

use axum::extract::State;
use axum::response::Response;

use super::{AttachmentId, not_found};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::negotiate::wire::AttachmentOut;
use crate::negotiate::{ResponseFormat, entity_response};

pub async fn get_attachment(
    _caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    AttachmentId(id): AttachmentId,
) -> Result<Response, ApiError> {
    let (info, _) = state.store.attachment(id).await?.ok_or_else(|| not_found(&id))?;
    entity_response(format, "AttachmentEntity", &AttachmentOut(&info))
}
