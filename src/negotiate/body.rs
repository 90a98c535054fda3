//! The request-body extractor for entity saves: the size limit, the media type and charset, and
//! decoding into the JSON shape the wire decoder reads (or the patch document for patch types).

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::Value;

use super::accept::essence;
use super::charset::Charset;
use super::{form, xml};
use crate::error::{ApiError, ErrorKind};

/// The most bytes a request body may have, shared by every body-reading extractor.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// What a body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A whole `TicketMessageEntity` (JSON, XML or form).
    Entity,
    /// An RFC 6902 JSON Patch document.
    JsonPatch,
    /// An RFC 7396 JSON Merge Patch document.
    MergePatch,
}

/// A decoded request body; `Value::Null` never reaches a handler.
#[derive(Debug)]
pub struct EntityBody {
    pub kind: BodyKind,
    pub value: Value,
    /// Whether the body was JSON (of any JSON media type, or untyped JSON).
    pub is_json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    Json,
    Xml,
    Form,
    JsonPatch,
    MergePatch,
    Unspecified,
}

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
        let content_type = parts.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("\u{fffd}"));
        let media = media_of(content_type)?;
        let charset = content_type.map(Charset::of_content_type).transpose()?.flatten();
        let (kind, value) = match media {
            Media::Xml => (BodyKind::Entity, read_xml(&bytes, charset)?),
            Media::Form => (BodyKind::Entity, form::form_to_value(&bytes, charset.unwrap_or(Charset::Utf8))?),
            Media::Json => (BodyKind::Entity, read_json(&bytes, charset)?),
            Media::JsonPatch => (BodyKind::JsonPatch, read_json(&bytes, charset)?),
            Media::MergePatch => (BodyKind::MergePatch, read_json(&bytes, charset)?),
            Media::Unspecified => (BodyKind::Entity, read_json(&bytes, None).map_err(|_| untyped_not_json())?),
        };
        if value.is_null() {
            return Err(ApiError::missing_entity());
        }
        let is_json = !matches!(media, Media::Xml | Media::Form);
        Ok(Self { kind, value, is_json })
    }
}

fn media_of(content_type: Option<&str>) -> Result<Media, ApiError> {
    let Some(content_type) = content_type else {
        return Ok(Media::Unspecified);
    };
    match essence(content_type).as_str() {
        "application/json" | "text/json" => Ok(Media::Json),
        "application/xml" | "text/xml" => Ok(Media::Xml),
        "application/x-www-form-urlencoded" => Ok(Media::Form),
        "application/json-patch+json" => Ok(Media::JsonPatch),
        "application/merge-patch+json" => Ok(Media::MergePatch),
        "" => Ok(Media::Unspecified),
        _ => Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            format!(
                "Content-Type '{}' is not supported; send application/json, text/json, application/xml, text/xml, \
                 application/x-www-form-urlencoded, application/json-patch+json or application/merge-patch+json",
                content_type.escape_debug()
            ),
        )),
    }
}

/// The 415 for a body that has no Content-Type and does not parse as JSON.
pub(crate) fn untyped_not_json() -> ApiError {
    ApiError::new(
        ErrorKind::UnsupportedMediaType,
        "The request body has no Content-Type and is not JSON; send a Content-Type header",
    )
}

/// A JSON body, after a UTF-8 byte-order mark and in the declared charset; a 400 naming the parse error.
pub(crate) fn read_json(bytes: &[u8], charset: Option<Charset>) -> Result<Value, ApiError> {
    // .NET and Windows clients may lead with a UTF-8 byte-order mark.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let parsed = match charset {
        Some(Charset::Latin1) => serde_json::from_str(&Charset::Latin1.decode(bytes)?),
        _ => serde_json::from_slice(bytes),
    };
    parsed.map_err(|err| ApiError::new(ErrorKind::MalformedJson, format!("The request body is not valid JSON: {err}")))
}

fn read_xml(bytes: &[u8], charset: Option<Charset>) -> Result<Value, ApiError> {
    let charset = match charset {
        Some(charset) => charset,
        None => xml::declared_encoding(bytes).map_or(Ok(Charset::Utf8), |label| Charset::from_label(&label))?,
    };
    let text = charset.decode(bytes)?;
    xml::xml_to_value(&text, "TicketMessageEntity")
}

/// Reads the whole body, refusing more than `limit` bytes (before reading, when
/// `Content-Length` already tells).
pub async fn read_limited(body: Body, headers: &HeaderMap, limit: usize) -> Result<Vec<u8>, ApiError> {
    refuse_declared(headers, limit)?;
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(err) if err.is::<LengthLimitError>() => Err(too_large(limit)),
        Err(err) => Err(ApiError::invalid(format!("The request body could not be read: {err}"))),
    }
}

/// Refuses a body before reading it: compressed, or declared (`Content-Length`) over `limit`.
pub(crate) fn refuse_declared(headers: &HeaderMap, limit: usize) -> Result<(), ApiError> {
    refuse_compressed(headers)?;
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit));
    }
    Ok(())
}

/// Compressed request bodies are not read (nothing to bomb): any `Content-Encoding` but
/// `identity` is a 415 naming it.
fn refuse_compressed(headers: &HeaderMap) -> Result<(), ApiError> {
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let text = value.to_str().unwrap_or("\u{fffd}").trim();
        if !text.is_empty() && !text.eq_ignore_ascii_case("identity") {
            return Err(ApiError::new(
                ErrorKind::UnsupportedMediaType,
                format!("Content-Encoding '{}' is not supported; send the body uncompressed", text.escape_debug()),
            ));
        }
    }
    Ok(())
}

pub(crate) fn too_large(limit: usize) -> ApiError {
    ApiError::new(ErrorKind::PayloadTooLarge, format!("The request body is larger than the limit of {limit} bytes"))
}
