//! `POST /api/v1/TicketMessage/{id}/SendSms?sms=+4711111111,+4722222222`: texts the message to
//! mobile numbers through the configured HTTP SMS gateway, one outbox row per number (204 once
//! queued). Every number is checked before anything is queued; a message of a ticket outside
//! the caller's reach is a 403.

use axum::extract::State;
use axum::http::{StatusCode, Uri};

use super::support::MessageId;
use crate::auth::Principal;
use crate::domain::outgoing::normalize_phone;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::query::QueryList;

pub async fn send_sms(
    caller: Principal,
    State(state): State<AppState>,
    MessageId(id): MessageId,
    uri: Uri,
) -> Result<StatusCode, ApiError> {
    // The service checks too; here a read-only caller hears so before anything about its request.
    caller.require_write()?;
    let query = QueryList::parse_keeping_plus(&uri)?;
    let mut numbers = Vec::new();
    for raw in query.values("sms") {
        let number = normalize_phone(raw).ok_or_else(|| {
            ApiError::invalid(format!(
                "Invalid value '{}' in query parameter 'sms': expected a mobile number like +4711111111",
                raw.escape_debug()
            ))
        })?;
        if !numbers.contains(&number) {
            numbers.push(number);
        }
    }
    if numbers.is_empty() {
        return Err(ApiError::invalid("Query parameter 'sms' is required: name at least one mobile number"));
    }
    query.reply_template_id()?;
    state.messages.send_sms(&caller, id, &numbers).await?;
    Ok(StatusCode::NO_CONTENT)
}
