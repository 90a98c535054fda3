//! `GET /api/v1/Attachment/{id}/Content`: an attachment's bytes, with their stored type. Only
//! images open inline; everything else downloads, and browsers are told not to guess the type.
//! 403 when the attachment's message belongs to a ticket outside the caller's reach.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AttachmentId, not_found};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::ticket_access::require_attachment_owner;

pub async fn attachment_content(
    caller: Principal,
    State(state): State<AppState>,
    AttachmentId(id): AttachmentId,
) -> Result<Response, ApiError> {
    let file = state.store.attachment_content(id).await?.ok_or_else(|| not_found(&id))?;
    require_attachment_owner(&state, &caller, id, file.owner).await?;
    Ok(binary_response(&file.info.content_type, &file.info.name, file.content))
}

/// Bytes with their media type, a `Content-Disposition` naming the file, and `nosniff`.
pub fn binary_response(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let disposition =
        if content_type.starts_with("image/") && content_type != "image/svg+xml" { "inline" } else { "attachment" };
    let ascii: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    let typed = HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, typed);
    if let Ok(value) =
        HeaderValue::from_str(&format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
