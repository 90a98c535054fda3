//! `POST /api/v1/TicketMessage/{id}/Attachment`: connects uploaded attachments (by id) to the
//! message, after the ones it has (204). The ids come as a JSON array (`[12, 13]`), an XML
//! `ArrayOfInt`, or a form (`attachmentIds=12&attachmentIds=13`). An id that does not exist,
//! belongs to another message or is someone else's pending upload (admins may connect anyone's)
//! is a 400 naming it, and nothing is connected; a message of a ticket outside the caller's
//! reach is a 403.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};

use super::support::MessageId;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::negotiate::accept::essence;
use crate::negotiate::body::read_limited;
use crate::negotiate::id_list::attachment_ids;

pub async fn add_attachments(
    caller: Principal,
    State(state): State<AppState>,
    MessageId(id): MessageId,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    // The service checks too; here a read-only caller hears so before anything about its request.
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
