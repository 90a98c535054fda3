//! `POST /api/v1/Attachment?name=report.pdf[&inline=true&contentId=…]`: stores the request body
//! as an attachment no message has claimed yet and answers with its `AttachmentEntity`. The
//! `Content-Type` is checked against the bytes; `--attachment-limit` bounds the size (413).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;

use super::pieces::{BodyPieces, Unfinished};
use crate::auth::Principal;
use crate::domain::AttachmentInfo;
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;
use crate::http::query::{QueryList, flag};
use crate::negotiate::body::refuse_declared;
use crate::negotiate::content::settle_content_type;
use crate::negotiate::wire::AttachmentOut;
use crate::negotiate::{ResponseFormat, entity_response};
use crate::store::StoreError;
use crate::store::attachment::NewAttachment;

/// Stores the body as it arrives, a piece at a time. The type is settled on the first piece
/// (every signature the sniffer knows lies well inside it), before anything is stored.
pub async fn upload_attachment(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let query = QueryList::parse(&uri)?;
    let name = file_name(query.last("name"))?;
    let inline_image = flag(&query, "inline")?;
    let content_id = query.last("contentId").unwrap_or_default().trim().to_owned();
    let limit = state.limits.attachment_bytes;
    refuse_declared(&headers, limit)?;
    let mut pieces = BodyPieces::new(body, limit);
    let Some(first) = pieces.next_piece().await? else {
        return Err(ApiError::invalid("The request body is empty: send the attachment's bytes"));
    };
    let declared = headers.get(header::CONTENT_TYPE).map(|value| value.to_str());
    let settled = match declared.transpose() {
        Ok(declared) => settle_content_type(declared, &name, &first)
            .map_err(|why| ApiError::invalid(format!("Invalid value for header 'Content-Type': {why}"))),
        Err(_) => Err(ApiError::invalid("Invalid value for header 'Content-Type'")),
    };
    let stored = match settled {
        Ok(content_type) => {
            let upload =
                NewAttachment { name, content_type, inline_image, content_id, created_by: caller.associate_id };
            store_upload(&state, &upload, first, &mut pieces).await
        }
        Err(err) => Err(err),
    };
    match stored {
        Ok(info) => entity_response(format, "AttachmentEntity", &AttachmentOut(&info)),
        Err(err) => {
            // Read what is left (up to the limit, dropping it) so the answer reaches a client
            // still sending, and its connection stays usable.
            pieces.discard_rest().await;
            Err(err)
        }
    }
}

/// Stores `first` and the pieces that follow it as a new upload; on any failure, what was
/// stored of it is deleted.
async fn store_upload(
    state: &AppState,
    upload: &NewAttachment,
    first: Vec<u8>,
    pieces: &mut BodyPieces,
) -> Result<AttachmentInfo, ApiError> {
    let id = state.store.begin_upload(upload).await?;
    let unfinished = Unfinished::new(state.store.clone(), id);
    let mut next = Some(first);
    let mut seq = 0;
    while let Some(piece) = next {
        state.store.append_upload(id, seq, &piece).await?;
        drop(piece);
        seq += 1;
        next = pieces.next_piece().await?;
    }
    let size = i32::try_from(pieces.received()).unwrap_or(i32::MAX);
    let info = state.store.finish_upload(id, size).await.map_err(|err| match err {
        // Only an upload that took longer than --pending-upload-ttl can be swept meanwhile.
        StoreError::NotFound => ApiError::new(
            ErrorKind::Conflict,
            "The upload took longer than the pending-upload time to live and was deleted before its last byte; \
             send it again",
        ),
        other => other.into(),
    })?;
    unfinished.finished();
    Ok(info)
}

/// A file name: required, at most 255 characters, no path and no control characters.
fn file_name(raw: Option<&str>) -> Result<String, ApiError> {
    let name = raw.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::invalid("Query parameter 'name' is required: the attachment's file name"));
    }
    if name.chars().count() > 255 || name.contains(['/', '\\']) || name.chars().any(char::is_control) || name == ".." {
        return Err(ApiError::invalid(format!(
            "Invalid value '{}' for query parameter 'name': a file name without a path, at most 255 characters",
            name.escape_debug()
        )));
    }
    Ok(name.to_owned())
}
