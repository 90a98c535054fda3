//! `GET /api/v1/TicketMessage/{id}`: one message, 404 when there is none, 304 when the
//! client's copy (`If-None-Match`, `If-Modified-Since`) is current.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::conditional::{self, Preconditions};
use super::{MessageId, Reply, load_message, respond_with_message};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::ResponseFormat;

pub async fn get_message(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
    headers: HeaderMap,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    let conditions = Preconditions::of(&headers);
    let stored = load_message(&state, id).await?;
    if conditions.not_modified(&stored) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        conditional::annotate(response.headers_mut(), &stored);
        return Ok(response);
    }
    respond_with_message(&state, &Reply::new(format, locale, &caller), id).await
}
