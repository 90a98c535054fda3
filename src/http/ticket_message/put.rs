//! `PUT /api/v1/TicketMessage/{id}?notify=`: replaces a stored message; the path id wins over
//! the body's, and a missing id is 404 (PUT never creates).

use axum::extract::State;
use axum::response::Response;

use super::{MessageId, Notify, message_error, respond_with_message};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::negotiate::EntityBody;
use crate::negotiate::wire::decode_message;
use crate::store::SaveContext;

pub async fn put_message(
    caller: Principal,
    State(state): State<AppState>,
    MessageId(id): MessageId,
    Notify(notify): Notify,
    EntityBody(body): EntityBody,
) -> Result<Response, ApiError> {
    let draft = decode_message(&body)?;
    let ctx = SaveContext {
        associate_id: caller.associate_id,
        notify,
    };
    state
        .store
        .update_message(id, &draft, ctx)
        .await
        .map_err(message_error(id))?;
    respond_with_message(&state, id).await
}
