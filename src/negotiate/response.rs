//! Writing responses in the negotiated format (JSON or XML, `charset=utf-8`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::accept::ResponseFormat;
use super::xml::to_xml;
use crate::error::ApiError;

/// The response `Content-Type` of JSON bodies.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Serialises `value` in `format`; `root` names the XML root element (the carrier type).
pub fn render(
    format: ResponseFormat,
    status: StatusCode,
    root: &str,
    value: &impl Serialize,
) -> Result<Response, ApiError> {
    let bytes = encode(format, root, value)?;
    let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()))];
    Ok((status, content_type, bytes).into_response())
}

/// The body bytes of `value` in `format`.
pub fn encode(format: ResponseFormat, root: &str, value: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    if format.is_xml() {
        Ok(to_xml(root, value).map_err(ApiError::internal)?.into_bytes())
    } else {
        serde_json::to_vec(value).map_err(ApiError::internal)
    }
}

/// A 200 entity response.
pub fn entity_response(format: ResponseFormat, root: &str, value: &impl Serialize) -> Result<Response, ApiError> {
    render(format, StatusCode::OK, root, value)
}

/// A JSON response with the given status (for endpoints outside the vendor's API).
pub fn json_response(status: StatusCode, value: &impl Serialize) -> Result<Response, ApiError> {
    render(ResponseFormat::Json, status, "Response", value)
}
