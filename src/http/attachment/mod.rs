//! `/api/v1/Attachment`: uploading attachment bytes, which `POST /TicketMessage/{id}/Attachment`
//! then connects to a message, and reading them back.

mod content;
mod get;
mod pieces;
mod upload;

pub use content::binary_response;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::routing::{get, post};

use super::routes::Routes;
use crate::error::{ApiError, ErrorKind};

pub fn routes() -> Routes {
    Routes::new()
        .route("/api/v1/Attachment", post(upload::upload_attachment))
        .route("/api/v1/Attachment/{id}", get(get::get_attachment))
        .route("/api/v1/Attachment/{id}/Content", get(content::attachment_content))
}

/// The `{id}` of an attachment route; anything but a positive int32 names no attachment (404).
pub struct AttachmentId(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for AttachmentId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::invalid("The attachment id is missing from the path"))?;
        crate::http::path::positive_id(&raw).map(Self).ok_or_else(|| not_found(&raw))
    }
}

pub fn not_found(id: &dyn std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::NotFound, format!("Attachment id {id} not found"))
}
