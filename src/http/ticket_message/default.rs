//! `GET /api/v1/TicketMessage/default`: a new, unsaved message with the server's defaults and
//! the caller as its creator; nothing is stored.

use axum::extract::State;
use axum::response::Response;

use super::Reply;
use crate::auth::Principal;
use crate::domain::{MessageCategory, MessageContent, MessageType, SecurityLevel, TicketMessage};
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::ResponseFormat;
use crate::negotiate::wire::TicketMessageEntity;

pub async fn default_message(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
) -> Result<Response, ApiError> {
    let creator = state.store.associate(caller.associate_id).await?;
    let now = chrono::Utc::now().naive_utc();
    let message = TicketMessage {
        id: 0,
        ticket: None,
        content: MessageContent {
            created_at: now,
            author: creator.as_ref().map(|a| a.full_name.clone()).unwrap_or_default(),
            slevel: SecurityLevel::Internal,
            message_type: MessageType::Html,
            category: MessageCategory::Message,
            ..MessageContent::default()
        },
        created_by: creator,
        person: None,
        version: 0,
        updated_at: now,
    };
    let reply = Reply::new(format, locale, &caller);
    let entity = TicketMessageEntity::for_caller(&message, reply.access, &reply.locale);
    reply.message_response(&entity, None)
}
