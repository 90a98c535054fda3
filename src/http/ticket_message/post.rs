//! `POST /api/v1/TicketMessage?notify=`: creates a message (200 with the new id), or updates
//! the one the body's `EjMessageId` names when it exists, as the vendor's save does. With an
//! `Idempotency-Key`, a retried create within 24 h answers with the message the first one made.
//! Callers limited to some tickets get 403 for a message or a target ticket outside their reach.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::conditional::Preconditions;
use super::guarded_save::save_onto_stored;
use super::{Notify, Reply, respond_with_message};
use crate::auth::Principal;
use crate::domain::{MessageDraft, TicketReach};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::ticket_reach::{reach_of, require_message_id, require_ticket_id};
use crate::locale::Locale;
use crate::negotiate::wire::decode_message;
use crate::negotiate::{EntityBody, ResponseFormat};
use crate::store::{SaveContext, StoreError};

/// How long an idempotency key is remembered.
const IDEMPOTENCY_WINDOW_HOURS: i64 = 24;

#[allow(clippy::too_many_arguments)]
pub async fn post_message(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
    headers: HeaderMap,
    Notify(notify): Notify,
    body: EntityBody,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let key = idempotency_key(&headers)?;
    // A patch media type on POST carries a whole entity: there is nothing stored to patch.
    let draft = decode_message(&body.value)?;
    let ctx = state.save_context(&caller, notify);
    let reply = Reply::new(format, locale, &caller);
    let reach = reach_of(&state, &caller).await?;
    if draft.requested_id > 0 && update_existing(&state, &reach, &draft, ctx).await? {
        state.saved(ctx);
        return respond_with_message(&state, &reply, draft.requested_id).await;
    }
    let Some(ticket_id) = draft.refs.ticket_id else {
        return Err(ApiError::invalid(
            "'Ticket.TicketId' is required: a new message must name the ticket it belongs to",
        ));
    };
    require_ticket_id(&state, &reach, ticket_id).await?;
    let Some(key) = key else {
        let id = state.store.create_message(&draft, ctx).await?;
        state.saved(ctx);
        return respond_with_message(&state, &reply, id).await;
    };
    let window = chrono::Duration::hours(IDEMPOTENCY_WINDOW_HOURS);
    let (id, created) = state.store.create_message_once(&draft, ctx, &key, window).await?;
    if created {
        state.saved(ctx);
    } else {
        // The first create may have been moved to another ticket since.
        require_message_id(&state, &reach, id).await?;
    }
    let mut response = respond_with_message(&state, &reply, id).await?;
    if !created {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// Saves the draft onto the message its `EjMessageId` names, as the vendor's save does; `false`
/// when there is no such message (the draft then creates one).
async fn update_existing(
    state: &AppState,
    reach: &TicketReach,
    draft: &MessageDraft,
    ctx: SaveContext,
) -> Result<bool, ApiError> {
    let id = draft.requested_id;
    if reach.limited_to().is_none() {
        return match state.store.update_message(id, draft, ctx).await {
            Ok(()) => Ok(true),
            Err(StoreError::NotFound) => Ok(false),
            Err(other) => Err(other.into()),
        };
    }
    if state.store.message_scope(id).await?.is_none() {
        return Ok(false);
    }
    let no_conditions = Preconditions::default();
    save_onto_stored(state, reach, id, ctx, &no_conditions, |_| Ok(draft.clone())).await?;
    Ok(true)
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid("The Idempotency-Key header must be 1 to 255 visible ASCII characters"));
    }
    Ok(Some(key.to_owned()))
}
