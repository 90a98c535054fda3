//! `PUT /api/v1/TicketMessage/{id}?notify=`: replaces a stored message (or patches it, for the
//! patch media types); the path id wins over the body's, and a missing id is 404 (PUT never
//! creates). `If-Match` / `If-Unmodified-Since` make it conditional (412); a message of a ticket
//! outside the caller's reach, or a move into such a ticket, is a 403.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::conditional::Preconditions;
use super::guarded_save::save_onto_stored;
use super::{MessageId, Notify, Reply, draft_for, load_message, message_error, respond_with_message};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::ticket_reach::reach_of;
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
    let reach = reach_of(&state, &caller).await?;
    let ctx = state.save_context(&caller, notify);
    if reach.limited_to().is_some() {
        // The reach is checked on the version the save lands on (see `guarded_save`).
        save_onto_stored(&state, &reach, id, ctx, &conditions, |stored| draft_for(Some(stored), &body)).await?;
    } else {
        // Read once, and only when a condition or a patch body needs the stored message.
        let needs_stored = conditions.guard_writes() || body.kind != BodyKind::Entity;
        let stored = if needs_stored { Some(load_message(&state, id).await?) } else { None };
        let expected_version = match &stored {
            Some(stored) => conditions.check_write(stored)?,
            None => None,
        };
        let draft = draft_for(stored.as_ref(), &body)?;
        let ctx = SaveContext { expected_version, ..ctx };
        state.store.update_message(id, &draft, ctx).await.map_err(message_error(id))?;
    }
    state.saved(ctx);
    respond_with_message(&state, &Reply::new(format, locale, &caller), id).await
}
