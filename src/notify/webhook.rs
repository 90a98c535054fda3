//! Signed webhook deliveries: the body a subscriber receives, its HMAC-SHA256 signature, and
//! which answers count as delivered, worth retrying, or final.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::dispatcher::Failure;
use super::redact;
use crate::domain::notification::MessageEvent;
use crate::store::outbox::{OutboxRow, WebhookTarget};

/// Header names of a delivery.
pub const EVENT_HEADER: &str = "X-Ticketd-Event";
pub const DELIVERY_HEADER: &str = "X-Ticketd-Delivery";
pub const TIMESTAMP_HEADER: &str = "X-Ticketd-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Ticketd-Signature";

/// The JSON a subscriber receives, shaped like the vendor's webhook payloads.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct WebhookBody<'a> {
    /// The delivery id: the same on every retry of this notification.
    event_id: &'a str,
    /// When this attempt was sent (UTC); also in the timestamp header.
    timestamp: String,
    event: &'a str,
    entity: &'static str,
    primary_key: i32,
    changed_by_associate_id: i32,
    webhook_id: i32,
    data: &'a MessageEvent,
}

/// `sha256=` and the hex HMAC-SHA256, keyed with the subscription's secret, of
/// `{timestamp}.{body}` (the body's exact bytes).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> Result<String, Failure> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .map_err(|err| Failure::Permanent(format!("unusable signing key: {err}")))?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("sha256={}", super::hex(&mac.finalize().into_bytes())))
}

/// Posts webhook deliveries.
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
}

impl WebhookSender {
    /// A sender whose requests give up after `timeout` and never follow redirects.
    pub fn new(timeout: Duration) -> Result<Self, String> {
        super::install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ticketd/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| format!("cannot build the webhook client: {err}"))?;
        Ok(Self { client })
    }

    /// Sends one delivery. 2xx is delivered; 408, 429, 5xx, timeouts and connection failures
    /// are worth a retry; any other answer is final.
    pub async fn send(&self, row: &OutboxRow, target: &WebhookTarget) -> Result<(), Failure> {
        let event: MessageEvent = serde_json::from_str(&row.payload)
            .map_err(|err| Failure::Permanent(format!("unreadable notification payload: {err}")))?;
        let now = chrono::Utc::now();
        let body = WebhookBody {
            event_id: &row.delivery_id,
            timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            event: &row.event,
            entity: "ticketmessage",
            primary_key: row.message_id,
            changed_by_associate_id: event.changed_by_associate_id,
            webhook_id: target.id,
            data: &event,
        };
        let bytes = serde_json::to_vec(&body).map_err(|err| Failure::Permanent(err.to_string()))?;
        self.post_signed(target, row, now.timestamp(), bytes).await
    }

    /// Hands one text message to the SMS gateway: the queued JSON plus the delivery id and a
    /// timestamp, signed like a webhook.
    pub async fn send_sms(&self, row: &OutboxRow, gateway: &WebhookTarget) -> Result<(), Failure> {
        let mut body: serde_json::Value = serde_json::from_str(&row.payload)
            .map_err(|err| Failure::Permanent(format!("unreadable SMS payload: {err}")))?;
        let now = chrono::Utc::now();
        if let Some(fields) = body.as_object_mut() {
            fields.insert("EventId".into(), row.delivery_id.clone().into());
            fields.insert("Timestamp".into(), now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into());
        }
        let bytes = serde_json::to_vec(&body).map_err(|err| Failure::Permanent(err.to_string()))?;
        self.post_signed(gateway, row, now.timestamp(), bytes).await
    }

    async fn post_signed(
        &self,
        target: &WebhookTarget,
        row: &OutboxRow,
        timestamp: i64,
        bytes: Vec<u8>,
    ) -> Result<(), Failure> {
        let signed = signature(&target.secret, timestamp, &bytes)?;
        let response = self
            .client
            .post(&target.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_HEADER, &row.event)
            .header(DELIVERY_HEADER, &row.delivery_id)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signed)
            .body(bytes)
            .send()
            .await
            // reqwest's errors carry the URL, credentials included: leave it out and name the
            // target by its redacted form only.
            .map_err(|err| {
                Failure::Transient(format!(
                    "POST {} failed: {}",
                    redact::text(&target.url),
                    error_chain(&err.without_url())
                ))
            })?;
        classify(response.status().as_u16(), &redact::text(&target.url))
    }
}

fn classify(status: u16, url: &str) -> Result<(), Failure> {
    match status {
        200..=299 => Ok(()),
        408 | 429 | 500..=599 => Err(Failure::Transient(format!("POST {url} answered {status}"))),
        _ => Err(Failure::Permanent(format!("POST {url} answered {status}"))),
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_worked_example() {
        // The example in docs/notifications.md; verify with
        // printf '1700000000.{"EventId":"x"}' | openssl dgst -sha256 -hmac whsec_test
        let sig = signature("whsec_test", 1_700_000_000, br#"{"EventId":"x"}"#).unwrap();
        assert_eq!(sig, "sha256=796fcff38667ac0ab39a0ec3a28c40efa04e52c45e49e7a89e91f9109cf127da");
    }

    #[test]
    fn answers_are_classified() {
        assert!(classify(204, "u").is_ok());
        for status in [408, 429, 500, 503] {
            assert!(matches!(classify(status, "u"), Err(Failure::Transient(_))), "{status}");
        }
        for status in [301, 400, 401, 404, 410] {
            assert!(matches!(classify(status, "u"), Err(Failure::Permanent(_))), "{status}");
        }
    }
}
