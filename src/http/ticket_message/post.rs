//! `POST /api/v1/TicketMessage?notify=`: creates a message (200 with the new id), or updates
//! the one the body's `EjMessageId` names when it exists, as the vendor's save does.

use axum::extract::State;
use axum::response::Response;

use super::{Notify, Reply, respond_with_message};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::wire::decode_message;
use crate::negotiate::{EntityBody, ResponseFormat};
use crate::store::{SaveContext, StoreError};

pub async fn post_message(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
    Notify(notify): Notify,
    body: EntityBody,
) -> Result<Response, ApiError> {
    // A patch media type on POST carries a whole entity: there is nothing stored to patch.
    caller.require_write()?;
    let draft = decode_message(&body.value)?;
    let ctx = SaveContext { associate_id: caller.associate_id, notify, expected_version: None };
    let reply = Reply::new(format, locale, &caller);
    if draft.requested_id > 0 {
        match state.store.update_message(draft.requested_id, &draft, ctx).await {
            Ok(()) => return respond_with_message(&state, &reply, draft.requested_id).await,
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    if draft.refs.ticket_id.is_none() {
        return Err(ApiError::invalid(
            "'Ticket.TicketId' is required: a new message must name the ticket it belongs to",
        ));
    }
    let id = state.store.create_message(&draft, ctx).await?;
    respond_with_message(&state, &reply, id).await
}
