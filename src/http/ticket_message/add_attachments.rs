//! `POST /api/v1/TicketMessage/{id}/Attachment`: connects uploaded attachments (by id) to the
//! message, after the ones it has (204). The ids come as a JSON array (`[12, 13]`), an XML
//! `ArrayOfInt`, or a form (`attachmentIds=12&attachmentIds=13`). An id that does not exist,
//! belongs to another message or is someone else's pending upload (admins may connect anyone's)
//! is a 400 naming it, and nothing is connected; a message of a ticket outside the caller's
//! reach is a 403.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::Value;

use super::support::MessageId;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;
use crate::negotiate::accept::essence;
use crate::negotiate::body::read_limited;

pub async fn add_attachments(
    caller: Principal,
    State(state): State<AppState>,
    MessageId(id): MessageId,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    caller.require_write()?;
    let bytes = read_limited(body, &headers, state.limits.body_bytes).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::missing_entity());
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(essence).unwrap_or_default();
    let ids = attachment_ids(&content_type, &bytes)?;
    state.messages.add_attachments(&caller, id, &ids).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn attachment_ids(content_type: &str, bytes: &[u8]) -> Result<Vec<i32>, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::invalid("The request body is not UTF-8 text"))?;
    let items: Vec<Value> = match content_type {
        "" | "application/json" | "text/json" | "application/json-patch+json" | "application/merge-patch+json" => {
            match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
                Ok(Value::Array(items)) => items,
                Ok(scalar @ (Value::Number(_) | Value::String(_))) => vec![scalar],
                Ok(_) => return Err(not_a_list()),
                Err(err) => {
                    return Err(ApiError::new(
                        ErrorKind::MalformedJson,
                        format!("The request body is not valid JSON: {err}"),
                    ));
                }
            }
        }
        "application/xml" | "text/xml" => match crate::negotiate::xml::xml_to_value(text, "ArrayOfInt")? {
            Value::Object(fields) => {
                fields.into_iter().flat_map(|(_, v)| if let Value::Array(a) = v { a } else { vec![v] }).collect()
            }
            _ => Vec::new(),
        },
        "application/x-www-form-urlencoded" => serde_urlencoded::from_str::<Vec<(String, String)>>(text)
            .map_err(|err| ApiError::invalid(format!("The form body is malformed: {err}")))?
            .into_iter()
            .filter(|(key, _)| key.trim_end_matches("[]").eq_ignore_ascii_case("attachmentIds"))
            .flat_map(|(_, value)| {
                value.split(',').map(|item| Value::String(item.trim().to_owned())).collect::<Vec<_>>()
            })
            .collect(),
        other => {
            return Err(ApiError::new(
                ErrorKind::UnsupportedMediaType,
                format!(
                    "Content-Type '{}' is not supported for attachment ids; send a JSON array",
                    other.escape_debug()
                ),
            ));
        }
    };
    if items.is_empty() {
        return Err(not_a_list());
    }
    items.iter().map(attachment_id).collect()
}

fn attachment_id(item: &Value) -> Result<i32, ApiError> {
    let id = match item {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    id.and_then(|id| i32::try_from(id).ok()).filter(|id| *id > 0).ok_or_else(|| {
        ApiError::invalid(format!(
            "Invalid value '{item}' in 'attachmentIds': expected attachment ids (positive integers)"
        ))
    })
}

fn not_a_list() -> ApiError {
    ApiError::invalid("Invalid value for 'attachmentIds': expected a non-empty array of attachment ids, like [12, 13]")
}
