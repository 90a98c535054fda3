//! `PUT /api/v1/TicketMessage/{id}?notify=`: replaces a stored message (or patches it, for the
//! patch media types); the path id wins over the body's, and a missing id is 404 (PUT never
//! creates). `If-Match` / `If-Unmodified-Since` make it conditional (412); a message of a ticket
//! outside the caller's reach, or a move into such a ticket, is a 403.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::conditional::Preconditions;
use super::{MessageId, Notify, Reply};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::{EntityBody, ResponseFormat};
use crate::service::Edit;

#[allow(clippy::too_many_arguments)]
pub async fn put_message(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
    headers: HeaderMap,
    MessageId(id): MessageId,
    Notify(notify): Notify,
    body: EntityBody,
) -> Result<Response, ApiError> {
    let condition = Preconditions::of(&headers).write_condition(id);
    let saved = state.messages.update(&caller, id, &Edit::from(body), notify, &condition).await?;
    Reply::new(format, locale, &caller).stored_message(&saved)
}
