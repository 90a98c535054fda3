//! E-mail notifications over SMTP: the message (subject, plain and HTML body in the
//! recipient's language) and its sending through lettre.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::dispatcher::Failure;
use crate::domain::notification::{EventKind, MessageEvent};
use crate::domain::outgoing::OutgoingMail;
use crate::locale::Language;
use crate::store::Store;
use crate::store::outbox::{MailRecipient, OutboxRow};

/// Where and as whom e-mail is sent.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://[user:password@]host[:port]` (add `?tls=required` for STARTTLS) or `smtps://…`.
    pub url: String,
    pub from: String,
    pub timeout: Duration,
}

/// Sends notification e-mail.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> Result<Self, String> {
        super::install_crypto_provider();
        let from = settings.from.parse::<Mailbox>().map_err(|err| format!("--smtp-from '{}': {err}", settings.from))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|err| format!("--smtp-url: {err}"))?
            .timeout(Some(settings.timeout))
            .build();
        Ok(Self { transport, from })
    }

    /// Sends one notification. Refusals the server calls permanent (and unusable addresses)
    /// are final; everything else is worth a retry.
    pub async fn send(&self, row: &OutboxRow, recipient: &MailRecipient) -> Result<(), Failure> {
        let event: MessageEvent = serde_json::from_str(&row.payload)
            .map_err(|err| Failure::Permanent(format!("unreadable notification payload: {err}")))?;
        let to = Mailbox::new(
            Some(recipient.full_name.clone()).filter(|name| !name.is_empty()),
            recipient
                .email
                .parse()
                .map_err(|err| Failure::Permanent(format!("address '{}': {err}", recipient.email)))?,
        );
        let language = Language::from_tag(&recipient.language).unwrap_or(Language::English);
        let rendered = render(&event, language);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            // The delivery id, reused on every retry, lets a mailbox drop repeats.
            .message_id(Some(format!("<{}@ticketd>", row.delivery_id)))
            .multipart(MultiPart::alternative_plain_html(rendered.text, rendered.html))
            .map_err(|err| Failure::Permanent(format!("cannot build the e-mail: {err}")))?;
        self.transmit(message).await
    }

    /// Sends a message to customers as `/Send` queued it, with the attachments whose bytes
    /// ticketd holds.
    pub async fn send_outgoing(&self, row: &OutboxRow, store: &dyn Store) -> Result<(), Failure> {
        let mail: OutgoingMail = serde_json::from_str(&row.payload)
            .map_err(|err| Failure::Permanent(format!("unreadable send payload: {err}")))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}@ticketd>", row.delivery_id)));
        for (list, field) in [(&mail.to, "to"), (&mail.cc, "cc"), (&mail.bcc, "bcc")] {
            for address in list {
                let mailbox: Mailbox =
                    address.parse().map_err(|err| Failure::Permanent(format!("{field} address '{address}': {err}")))?;
                builder = match field {
                    "to" => builder.to(mailbox),
                    "cc" => builder.cc(mailbox),
                    _ => builder.bcc(mailbox),
                };
            }
        }
        let text = if mail.body.is_empty() { mail.html_body.clone() } else { mail.body.clone() };
        let html = if mail.html_body.is_empty() {
            format!("<pre>{}</pre>", escape_html(&mail.body))
        } else {
            mail.html_body.clone()
        };
        let mut parts = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(text, html));
        for id in &mail.attachment_ids {
            let file = store.attachment_content(*id).await.map_err(|err| Failure::Transient(err.to_string()))?;
            let Some(file) = file else { continue };
            let content_type = ContentType::parse(&file.info.content_type)
                .or_else(|_| ContentType::parse("application/octet-stream"))
                .map_err(|err| Failure::Permanent(format!("attachment {id}: {err}")))?;
            parts = parts.singlepart(Attachment::new(file.info.name.clone()).body(file.content, content_type));
        }
        let message =
            builder.multipart(parts).map_err(|err| Failure::Permanent(format!("cannot build the e-mail: {err}")))?;
        self.transmit(message).await
    }

    /// Refusals the server calls permanent are final; everything else is worth a retry.
    async fn transmit(&self, message: Message) -> Result<(), Failure> {
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(err) if err.is_permanent() => Err(Failure::Permanent(format!("SMTP: {err}"))),
            Err(err) => Err(Failure::Transient(format!("SMTP: {err}"))),
        }
    }
}

/// A notification e-mail's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The phrases of a notification, per language: new message, changed message, "by".
fn phrases(language: Language) -> [&'static str; 3] {
    match language {
        Language::English => ["New message", "Message changed", "by"],
        Language::Norwegian => ["Ny melding", "Melding endret", "av"],
        Language::Swedish => ["Nytt meddelande", "Meddelande ändrat", "av"],
        Language::Danish => ["Ny besked", "Besked ændret", "af"],
        Language::German => ["Neue Nachricht", "Nachricht geändert", "von"],
        Language::French => ["Nouveau message", "Message modifié", "par"],
        Language::Dutch => ["Nieuw bericht", "Bericht gewijzigd", "door"],
        Language::Finnish => ["Uusi viesti", "Viestiä muutettu", "tekijä"],
    }
}

/// Builds the subject and bodies of a notification in `language`.
pub fn render(event: &MessageEvent, language: Language) -> RenderedMail {
    let [created, changed, by] = phrases(language);
    let what = match EventKind::from_name(&event.event) {
        Some(EventKind::Changed) => changed,
        _ => created,
    };
    let subject = format!("[Ticket #{}] {what}: {}", event.ticket_id, event.ticket_title);
    let heading = format!("{what} {by} {}", event.changed_by_name);
    let text = format!(
        "{heading}\n#{} {}\n{}: {}\n\n{}\n",
        event.ticket_id, event.ticket_title, event.occurred_at, event.author, event.body
    );
    let html = format!(
        "<html><body><h3>{}</h3><p>#{} {}<br>{}: {}</p><div style=\"white-space:pre-wrap\">{}</div></body></html>",
        escape_html(&heading),
        event.ticket_id,
        escape_html(&event.ticket_title),
        escape_html(&event.occurred_at),
        escape_html(&event.author),
        escape_html(&event.body)
    );
    RenderedMail { subject, text, html }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> MessageEvent {
        MessageEvent {
            event: "ticketmessage.changed".into(),
            ticket_message_id: 5,
            ticket_id: 2,
            ticket_title: "Printer <on fire>".into(),
            changed_by_associate_id: 1,
            changed_by_name: "Tje Ober".into(),
            author: "Ola".into(),
            body: "Hello & goodbye".into(),
            occurred_at: "2026-11-29T10:00:00Z".into(),
        }
    }

    #[test]
    fn mail_is_written_in_the_recipients_language_and_escaped_in_html() {
        let english = render(&event(), Language::English);
        assert_eq!(english.subject, "[Ticket #2] Message changed: Printer <on fire>");
        assert!(english.text.contains("Message changed by Tje Ober"));
        assert!(english.html.contains("Printer &lt;on fire&gt;") && english.html.contains("Hello &amp; goodbye"));
        let norwegian = render(&MessageEvent { event: "ticketmessage.created".into(), ..event() }, Language::Norwegian);
        assert_eq!(norwegian.subject, "[Ticket #2] Ny melding: Printer <on fire>");
    }
}
