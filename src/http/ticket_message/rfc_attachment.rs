//! `GET /api/v1/TicketMessage/RfcAttachment/{attachmentId}/{position}`: one part of an attached
//! e-mail (`message/rfc822`): the `position`-th (0-based) leaf part in document order — bodies,
//! attachments, nested messages — with its own media type. 403 when the attachment's message
//! belongs to a ticket outside the caller's reach.

use axum::extract::{Path, State};
use axum::response::Response;

use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;
use crate::http::ticket_reach::require_attachment_owner;
use crate::negotiate::content::{PartError, message_part};

pub async fn rfc_attachment_part(
    caller: Principal,
    State(state): State<AppState>,
    Path((attachment, position)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let not_found = |what: String| ApiError::new(ErrorKind::NotFound, what);
    let id = crate::http::path::positive_id(&attachment)
        .ok_or_else(|| not_found(format!("Attachment id {} not found", attachment.escape_debug())))?;
    let position = position.trim().parse::<usize>().map_err(|_| {
        ApiError::invalid(format!(
            "Invalid value '{}' for 'position': expected a part number from 0",
            position.escape_debug()
        ))
    })?;
    let file =
        state.store.attachment_content(id).await?.ok_or_else(|| not_found(format!("Attachment id {id} not found")))?;
    require_attachment_owner(&state, &caller, id, file.owner).await?;
    if !file.info.content_type.eq_ignore_ascii_case("message/rfc822") {
        return Err(ApiError::invalid(format!(
            "Attachment id {id} is not an RFC 822 message (it is {})",
            file.info.content_type
        )));
    }
    let part = message_part(&file.content, position).map_err(|err| match err {
        PartError::NotAMessage => ApiError::invalid(format!("Attachment id {id} is not an RFC 822 message")),
        PartError::NoSuchPart { parts } => {
            not_found(format!("Attachment id {id} has no part {position} (it has {parts}, numbered from 0)"))
        }
    })?;
    Ok(crate::http::attachment::binary_response(&part.content_type, &format!("part{position}"), part.bytes))
}
