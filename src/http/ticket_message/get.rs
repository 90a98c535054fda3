//! `GET /api/v1/TicketMessage/{id}`: one message, 404 when there is none, 403 when its ticket
//! is outside the caller's reach, 304 when the
//! client's copy (`If-None-Match`, `If-Modified-Since`) is current; `$select`, `fk` and
//! `embedImages` as the vendor documents them.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::conditional::{self, Preconditions};
use super::select::GetOptions;
use super::{MessageId, Reply};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::ResponseFormat;
use crate::negotiate::wire::TicketMessageEntity;

#[allow(clippy::too_many_arguments)]
pub async fn get_message(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
    headers: HeaderMap,
    origin: crate::http::origin::Origin,
    tenant: Option<axum::Extension<crate::http::path::Tenant>>,
    RawQuery(query): RawQuery,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    let options = GetOptions::parse(query.as_deref().unwrap_or_default())?;
    // Reach is checked before the 304 too: a tag match would tell an outsider the version.
    let stored = state.messages.get(&caller, id).await?;
    if Preconditions::of(&headers).not_modified(&stored) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        conditional::annotate(response.headers_mut(), &stored);
        return Ok(response);
    }
    let reply = Reply::new(format, locale, &caller);
    let entity = TicketMessageEntity::for_caller(&stored, reply.access, &reply.locale);
    let mut document = serde_json::to_value(entity).map_err(ApiError::internal)?;
    let foreign_keys = if options.foreign_keys { Some(state.messages.foreign_keys(&caller, id).await?) } else { None };
    if let Some(mode) = options.embed_images {
        let base = super::base_url(&origin, tenant.map(|t| t.0))?;
        document["HtmlBody"] = super::embed::embed_images(&state, &stored, mode, &base).await?.into();
    }
    options.apply(&mut document, foreign_keys);
    reply.message_response(&document, Some(&stored))
}
