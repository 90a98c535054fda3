//! Sending a message on to customers: by e-mail, or as text messages through the configured SMS
//! gateway. Every recipient is checked before anything is queued; the outbox delivers.

use super::{TicketMessages, message_error};
use crate::auth::Principal;
use crate::domain::notification::Channel;
use crate::domain::outgoing::{OutgoingMail, OutgoingSms, normalize_phone, parse_email_address, sms_text};
use crate::error::ApiError;
use crate::service::reach::require_message;

/// Who a mail goes to, and its subject (the ticket's, when none is given).
#[derive(Debug, Clone, Default)]
pub struct MailRequest {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: Option<String>,
}

impl TicketMessages {
    /// Queues message `id` as a mail: 400 for no or a malformed recipient, 404 when there is no
    /// such message, 403 for a read-only caller or a ticket out of reach.
    pub async fn send(&self, caller: &Principal, id: i32, mail: &MailRequest) -> Result<(), ApiError> {
        caller.require_write()?;
        let [to, cc, bcc] = [&mail.to, &mail.cc, &mail.bcc].map(|list| addresses(list));
        let (to, cc, bcc) = (to?, cc?, bcc?);
        if to.is_empty() && cc.is_empty() && bcc.is_empty() {
            return Err(ApiError::invalid("A mail needs at least one recipient"));
        }
        let message = self.load(id).await?;
        require_message(&self.reach_of(caller).await?, &message)?;
        let (ticket_id, ticket_title) = message.ticket.as_ref().map_or((0, ""), |t| (t.ticket_id, t.title.as_str()));
        let subject = match &mail.subject {
            Some(subject) if !subject.trim().is_empty() => subject.clone(),
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
        self.store.enqueue_outgoing(id, Channel::Send, &[payload]).await.map_err(message_error(id))?;
        self.notify.queued();
        Ok(())
    }

    /// Queues message `id` as one text message per distinct number: 400 for no or a malformed
    /// number, 404 when there is no such message, 403 for a read-only caller or a ticket out of
    /// reach.
    pub async fn send_sms(&self, caller: &Principal, id: i32, numbers: &[String]) -> Result<(), ApiError> {
        caller.require_write()?;
        let mut normalized = Vec::with_capacity(numbers.len());
        for raw in numbers {
            let number = normalize_phone(raw).ok_or_else(|| {
                ApiError::invalid(format!(
                    "Invalid mobile number '{}': expected one like +4711111111",
                    raw.escape_debug()
                ))
            })?;
            if !normalized.contains(&number) {
                normalized.push(number);
            }
        }
        if normalized.is_empty() {
            return Err(ApiError::invalid("A text message needs at least one mobile number"));
        }
        let message = self.load(id).await?;
        require_message(&self.reach_of(caller).await?, &message)?;
        let text = sms_text(&message.content.body);
        let mut payloads = Vec::with_capacity(normalized.len());
        for to in normalized {
            let sms = OutgoingSms { ticket_message_id: id, to, text: text.clone() };
            payloads.push(serde_json::to_string(&sms).map_err(ApiError::internal)?);
        }
        self.store.enqueue_outgoing(id, Channel::Sms, &payloads).await.map_err(message_error(id))?;
        self.notify.queued();
        Ok(())
    }
}

/// Every address checked and in its parsed form; the error names the address at fault.
fn addresses(list: &[String]) -> Result<Vec<String>, ApiError> {
    list.iter()
        .map(|address| {
            parse_email_address(address)
                .map_err(|why| ApiError::invalid(format!("Invalid e-mail address '{}': {why}", address.escape_debug())))
        })
        .collect()
}
