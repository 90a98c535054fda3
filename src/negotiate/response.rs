//! Writing entity responses (JSON, `charset=utf-8`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::ApiError;

/// The response `Content-Type` of JSON bodies.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Serialises `value` as a 200 JSON response.
pub fn entity_response(value: &impl Serialize) -> Result<Response, ApiError> {
    json_response(StatusCode::OK, value)
}

/// Serialises `value` as a JSON response with the given status.
pub fn json_response(status: StatusCode, value: &impl Serialize) -> Result<Response, ApiError> {
    let bytes = serde_json::to_vec(value).map_err(ApiError::internal)?;
    let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))];
    Ok((status, content_type, bytes).into_response())
}
