//! `GET /api/v1/TicketMessage/{id}`: one message, 404 when there is none, 403 when its ticket
//! is outside the caller's reach, 304 when the
//! client's copy (`If-None-Match`, `If-Modified-Since`) is current; `$select`, `fk` and
//! `embedImages` as the vendor documents them.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::support::embed::embed_images;
use super::support::{GetOptions, LinkBase, MessageId, MessageReply, Preconditions, conditional};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::context::RequestContext;

pub async fn get_message(
    ctx: RequestContext,
    State(state): State<AppState>,
    conditions: Preconditions,
    link_base: LinkBase,
    RawQuery(query): RawQuery,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    let options = GetOptions::parse(query.as_deref().unwrap_or_default())?;
    // Reach is checked before the 304 too: a tag match would tell an outsider the version.
    let stored = state.messages.get(&ctx.caller, id).await?;
    if conditions.not_modified(&stored) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        conditional::annotate(response.headers_mut(), &stored);
        return Ok(response);
    }
    let mut document = serde_json::to_value(ctx.entity(&stored)).map_err(ApiError::internal)?;
    let foreign_keys =
        if options.foreign_keys { Some(state.messages.foreign_keys(&ctx.caller, id).await?) } else { None };
    if let Some(mode) = options.embed_images {
        document["HtmlBody"] = embed_images(&state, &stored, mode, &link_base.url()?).await?.into();
    }
    options.apply(&mut document, foreign_keys);
    ctx.message_response(&document, Some(&stored))
}
