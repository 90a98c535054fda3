//! `POST /api/v1/TicketMessage/{id}/Send?to=&cc=&bcc=&subject=&replyTemplateId=`: e-mails the
//! message to customers. Addresses come comma-separated or as repeated parameters and are
//! checked before anything is queued; the mail goes out through the outbox (204 once queued).
//! A message of a ticket outside the caller's reach is a 403.

use axum::extract::State;
use axum::http::{StatusCode, Uri};

use super::MessageId;
use crate::auth::Principal;
use crate::domain::notification::Channel;
use crate::domain::outgoing::OutgoingMail;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::query::QueryList;
use crate::http::ticket_reach::{reach_of, require_message};

pub async fn send_message(
    caller: Principal,
    State(state): State<AppState>,
    MessageId(id): MessageId,
    uri: Uri,
) -> Result<StatusCode, ApiError> {
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
    let message = super::load_message(&state, id).await?;
    require_message(&reach_of(&state, &caller).await?, &message)?;
    let (ticket_id, ticket_title) = message.ticket.as_ref().map_or((0, ""), |t| (t.ticket_id, t.title.as_str()));
    let subject = match query.last("subject") {
        Some(subject) if !subject.trim().is_empty() => subject.to_owned(),
        _ => format!("[Ticket #{ticket_id}] {ticket_title}"),
    };
    let mail = OutgoingMail {
        ticket_message_id: id,
        ticket_id,
        to,
        cc,
        bcc,
        subject,
        body: message.content.body.clone(),
        html_body: message.content.html_body.clone(),
        attachment_ids: message.content.attachments.iter().map(|a| a.id).collect(),
    };
    let payload = serde_json::to_string(&mail).map_err(ApiError::internal)?;
    state.store.enqueue_outgoing(id, Channel::Send, &[payload]).await.map_err(super::message_error(id))?;
    state.notify.queued();
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
