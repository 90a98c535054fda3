//! `POST /api/v1/TicketMessage/{id}/Send?to=&cc=&bcc=&subject=&replyTemplateId=`: e-mails the
//! message to customers. Addresses come comma-separated or as repeated parameters and are
//! checked before anything is queued; the mail goes out through the outbox (204 once queued).
//! A message of a ticket outside the caller's reach is a 403.

use axum::extract::State;
use axum::http::{StatusCode, Uri};

use super::support::MessageId;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::query::QueryList;
use crate::service::MailRequest;

pub async fn send_message(
    caller: Principal,
    State(state): State<AppState>,
    MessageId(id): MessageId,
    uri: Uri,
) -> Result<StatusCode, ApiError> {
    // The service checks too; here a read-only caller hears so before anything about its request.
    caller.require_write()?;
    let query = QueryList::parse(&uri)?;
    let literal = QueryList::parse_keeping_plus(&uri)?;
    let to = addresses(&literal, "to")?;
    let cc = addresses(&literal, "cc")?;
    let bcc = addresses(&literal, "bcc")?;
    if to.is_empty() && cc.is_empty() && bcc.is_empty() {
        return Err(ApiError::invalid("Query parameter 'to' is required: name at least one recipient"));
    }
    query.reply_template_id()?;
    let subject = query.last("subject").map(str::to_owned);
    state.messages.send(&caller, id, &MailRequest { to, cc, bcc, subject }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every address of a list parameter, each checked; the error names the parameter and value.
fn addresses(query: &QueryList, name: &str) -> Result<Vec<String>, ApiError> {
    query
        .values(name)
        .map(|address| {
            crate::domain::outgoing::parse_email_address(address).map_err(|why| {
                ApiError::invalid(format!(
                    "Invalid value '{}' in query parameter '{name}': {why}",
                    address.escape_debug()
                ))
            })
        })
        .collect()
}
