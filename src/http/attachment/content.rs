//! `GET /api/v1/Attachment/{id}/Content`: an attachment's bytes, with their stored type. Only
//! raster images open inline; everything else downloads, browsers are told not to guess the
//! type, and a sandbox policy keeps whatever they render off the API's origin.
//! 403 when the attachment's message belongs to a ticket outside the caller's reach.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::pieces::stored_body;
use super::{AttachmentId, not_found};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::ticket_reach::require_attachment_owner;
use crate::negotiate::content::{opens_inline, servable_type};

pub async fn attachment_content(
    caller: Principal,
    State(state): State<AppState>,
    AttachmentId(id): AttachmentId,
) -> Result<Response, ApiError> {
    let (info, owner) = state.store.attachment_with_content(id).await?.ok_or_else(|| not_found(&id))?;
    require_attachment_owner(&state, &caller, id, owner).await?;
    // The bytes follow a piece at a time as the client reads them; the length is known up front.
    let mut response = binary_response(&info.content_type, &info.name, stored_body(state.store.clone(), id));
    if let Ok(size) = u64::try_from(info.size) {
        response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    Ok(response)
}

/// What every download carries: rendered as a document, it gets a unique origin and runs nothing.
const SANDBOX_POLICY: &str = "sandbox; default-src 'none'";

/// Bytes with their media type, a `Content-Disposition` naming the file, `nosniff` and a sandbox
/// policy. The type is checked again here, so rows stored before types were checked are safe too.
pub fn binary_response(content_type: &str, file_name: &str, bytes: impl Into<Body>) -> Response {
    let content_type = servable_type(content_type);
    let disposition = if opens_inline(&content_type) { "inline" } else { "attachment" };
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
    let mut response = (StatusCode::OK, bytes.into()).into_response();
    let headers = response.headers_mut();
    let typed = HeaderValue::from_str(&content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, typed);
    if let Ok(value) =
        HeaderValue::from_str(&format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SANDBOX_POLICY));
    response
}
