//! The request-body extractor for entity saves: media type check, size limit, JSON parsing.

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::Value;

use crate::error::{ApiError, ErrorKind};

/// The most bytes a request body may have, shared by every body-reading extractor.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A parsed JSON entity body; `Value::Null` never reaches a handler.
#[derive(Debug)]
pub struct EntityBody(pub Value);

impl<S> FromRequest<S> for EntityBody
where
    S: Send + Sync,
    BodyLimit: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let BodyLimit(limit) = BodyLimit::from_ref(state);
        let (parts, body) = request.into_parts();
        let bytes = read_limited(body, &parts.headers, limit).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::missing_entity());
        }
        let media = MediaKind::of(&parts.headers)?;
        // .NET and Windows clients may lead with a UTF-8 byte-order mark.
        let json = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        let value = match serde_json::from_slice::<Value>(json) {
            Ok(value) => value,
            Err(_) if media == MediaKind::Unspecified => {
                return Err(ApiError::new(
                    ErrorKind::UnsupportedMediaType,
                    "The request body has no Content-Type and is not JSON; send Content-Type: application/json",
                ));
            }
            Err(err) => {
                return Err(ApiError::new(
                    ErrorKind::MalformedJson,
                    format!("The request body is not valid JSON: {err}"),
                ));
            }
        };
        if value.is_null() {
            return Err(ApiError::missing_entity());
        }
        Ok(Self(value))
    }
}

#[derive(Debug, PartialEq, Eq)]
enum MediaKind {
    Json,
    Unspecified,
}

impl MediaKind {
    fn of(headers: &HeaderMap) -> Result<Self, ApiError> {
        let Some(raw) = headers.get(header::CONTENT_TYPE) else {
            return Ok(Self::Unspecified);
        };
        let text = raw.to_str().unwrap_or_default();
        let essence = text
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/json" | "text/json" => Ok(Self::Json),
            "" => Ok(Self::Unspecified),
            _ => Err(ApiError::new(
                ErrorKind::UnsupportedMediaType,
                format!(
                    "Content-Type '{}' is not supported; send application/json or text/json",
                    text.escape_debug()
                ),
            )),
        }
    }
}

/// Reads the whole body, refusing more than `limit` bytes before reading them where
/// `Content-Length` already tells.
async fn read_limited(body: Body, headers: &HeaderMap, limit: usize) -> Result<Vec<u8>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(err) if err.is::<LengthLimitError>() => Err(too_large(limit)),
        Err(err) => Err(ApiError::invalid(format!(
            "The request body could not be read: {err}"
        ))),
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorKind::PayloadTooLarge,
        format!("The request body is larger than the limit of {limit} bytes"),
    )
}
