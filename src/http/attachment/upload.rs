//! `POST /api/v1/Attachment?name=report.pdf[&inline=true&contentId=…]`: stores the request body
//! as an attachment no message has claimed yet and answers with its `AttachmentEntity`. The
//! `Content-Type` is checked against the bytes; `--attachment-limit` bounds the size (413).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::query::{QueryList, flag};
use crate::negotiate::body::read_limited;
use crate::negotiate::content::settle_content_type;
use crate::negotiate::wire::AttachmentOut;
use crate::negotiate::{ResponseFormat, entity_response};
use crate::store::attachment::NewAttachment;

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
    let content = read_limited(body, &headers, state.limits.attachment_bytes).await?;
    if content.is_empty() {
        return Err(ApiError::invalid("The request body is empty: send the attachment's bytes"));
    }
    let declared = match headers.get(header::CONTENT_TYPE) {
        Some(value) => Some(value.to_str().map_err(|_| ApiError::invalid("Invalid value for header 'Content-Type'"))?),
        None => None,
    };
    let content_type = settle_content_type(declared, &name, &content)
        .map_err(|why| ApiError::invalid(format!("Invalid value for header 'Content-Type': {why}")))?;
    let upload =
        NewAttachment { name, content_type, content, inline_image, content_id, created_by: caller.associate_id };
    let info = state.store.add_attachment(&upload).await?;
    entity_response(format, "AttachmentEntity", &AttachmentOut(&info))
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
