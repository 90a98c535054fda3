//! `PUT /api/v1/TicketMessage/{id}?notify=`: replaces a stored message (or patches it, for the
//! patch media types); the path id wins over the body's, and a missing id is 404 (PUT never
//! creates). `If-Match` / `If-Unmodified-Since` make it conditional (412).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::conditional::Preconditions;
use super::{MessageId, Notify, Reply, draft_for, guarded_version, message_error, respond_with_message};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::{EntityBody, ResponseFormat};
use crate::store::SaveContext;

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
    caller.require_write()?;
    let expected_version = guarded_version(&state, id, &Preconditions::of(&headers)).await?;
    let draft = draft_for(&state, id, None, &body).await?;
    let ctx = SaveContext { associate_id: caller.associate_id, notify, expected_version };
    state.store.update_message(id, &draft, ctx).await.map_err(message_error(id))?;
    respond_with_message(&state, &Reply::new(format, locale, &caller), id).await
}
