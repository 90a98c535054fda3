//! `PUT /api/v1/TicketMessage/{id}?notify=`: replaces a stored message (or patches it, for the
//! patch media types); the path id wins over the body's, and a missing id is 404 (PUT never
//! creates). `If-Match` / `If-Unmodified-Since` make it conditional (412).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::conditional::Preconditions;
use super::{MessageId, Notify, Reply, draft_for, load_message, message_error, respond_with_message};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::{BodyKind, EntityBody, ResponseFormat};
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
    let conditions = Preconditions::of(&headers);
    // Read once, and only when a condition or a patch body needs the stored message.
    let needs_stored = conditions.guard_writes() || body.kind != BodyKind::Entity;
    let stored = if needs_stored { Some(load_message(&state, id).await?) } else { None };
    let expected_version = match &stored {
        Some(stored) => conditions.check_write(stored)?,
        None => None,
    };
    let draft = draft_for(stored.as_ref(), &body)?;
    let ctx = SaveContext { expected_version, ..state.save_context(&caller, notify) };
    state.store.update_message(id, &draft, ctx).await.map_err(message_error(id))?;
    state.saved(ctx);
    respond_with_message(&state, &Reply::new(format, locale, &caller), id).await
}
