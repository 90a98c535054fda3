//! `POST /api/v1/TicketMessage?notify=`: creates a message (200 with the new id), or updates
//! the one the body's `EjMessageId` names when it exists, as the vendor's save does. With an
//! `Idempotency-Key`, a retried create within 24 h answers with the message the first one made.
//! Callers limited to some tickets get 403 for a message or a target ticket outside their reach.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::support::{MessageReply, Notify};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::context::RequestContext;
use crate::negotiate::EntityBody;
use crate::negotiate::wire::decode_message;

pub async fn post_message(
    ctx: RequestContext,
    State(state): State<AppState>,
    headers: HeaderMap,
    Notify(notify): Notify,
    body: EntityBody,
) -> Result<Response, ApiError> {
    // A read-only caller hears so before anything about its body.
    ctx.caller.require_write()?;
    let key = idempotency_key(&headers)?;
    // A patch media type on POST carries a whole entity: there is nothing stored to patch.
    let draft = decode_message(&body.value)?;
    let created = state.messages.create(&ctx.caller, &draft, notify, key.as_deref()).await?;
    let mut response = ctx.stored_message(&created.message)?;
    if created.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
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
