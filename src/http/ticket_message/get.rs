//! `GET /api/v1/TicketMessage/{id}`: one message, 404 when there is none.

use axum::extract::State;
use axum::response::Response;

use super::{MessageId, Reply, respond_with_message};
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
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    respond_with_message(&state, &Reply::new(format, locale, &caller), id).await
}
