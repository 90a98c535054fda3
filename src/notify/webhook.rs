//! Signed webhook deliveries: posting the vendor's payload with its headers and signatures,
//! the registration test, and which answers count as delivered, worth retrying, or final.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::dispatcher::Failure;
use super::redact;
use super::ssrf::{GuardedResolver, check_url};
use super::vendor_payload::{self, queued_event, render, vendor_signature};
use crate::domain::webhook::{Webhook, WebhookEvent};
use crate::store::outbox::{OutboxRow, WebhookTarget};

/// Header names of a delivery.
pub const EVENT_HEADER: &str = "X-Ticketd-Event";
pub const DELIVERY_HEADER: &str = "X-Ticketd-Delivery";
pub const TIMESTAMP_HEADER: &str = "X-Ticketd-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Ticketd-Signature";

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
    /// For the operator's own SMS gateway.
    client: reqwest::Client,
    /// For webhooks: connects only to addresses [`GuardedResolver`] allowed, through no proxy.
    guarded: reqwest::Client,
    allow_private: bool,
}

/// What a receiver answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Status line, headers and the start of the body, for `LastError` and `WebhookResult`.
    pub text: String,
}

/// The most of a receiver's answer body that is read.
const ANSWER_BODY_LIMIT: usize = 4096;

impl WebhookSender {
    /// A sender whose requests give up after `timeout`, never follow redirects, and refuse
    /// internal webhook targets.
    pub fn new(timeout: Duration) -> Result<Self, String> {
        Self::with_private_targets(timeout, false)
    }

    /// The same, allowing internal webhook targets when `allow_private`.
    pub fn with_private_targets(timeout: Duration, allow_private: bool) -> Result<Self, String> {
        super::install_crypto_provider();
        let builder = || {
            reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("ticketd/", env!("CARGO_PKG_VERSION")))
        };
        let client = builder().build().map_err(|err| format!("cannot build the webhook client: {err}"))?;
        let guarded = builder()
            .no_proxy()
            .dns_resolver(GuardedResolver { allow_private })
            .build()
            .map_err(|err| format!("cannot build the webhook client: {err}"))?;
        Ok(Self { client, guarded, allow_private })
    }

    /// Sends one queued event to `hook`. 2xx is delivered; 408, 429, 5xx, timeouts and
    /// connection failures are worth a retry; any other answer is final.
    pub async fn send(&self, row: &OutboxRow, hook: &Webhook) -> Result<(), Failure> {
        let event = queued_event(&row.payload, &row.event, row.message_id).map_err(Failure::Permanent)?;
        let retry = row.attempts.saturating_sub(1).max(0);
        let answer = self.post_event(hook, &event, &row.delivery_id, retry).await?;
        classify(answer.status, &redact::text(&hook.target_url)).map_err(|failure| with_answer(failure, &answer))
    }

    /// Sends the `test` event to `hook`'s target now: the receiver's answer, or why none came.
    pub async fn send_test(&self, hook: &Webhook, associate_id: i32) -> Result<Answer, String> {
        let event_id = crate::store::outbox::new_delivery_id().map_err(|err| err.to_string())?;
        self.post_event(hook, &WebhookEvent::test(associate_id), &event_id, 0).await.map_err(|failure| match failure {
            Failure::Transient(why) | Failure::Permanent(why) => why,
        })
    }

    async fn post_event(
        &self,
        hook: &Webhook,
        event: &WebhookEvent,
        event_id: &str,
        retry: i32,
    ) -> Result<Answer, Failure> {
        let url = redact::text(&hook.target_url);
        // The form and an address literal are checked here (for good); a name is checked by the
        // resolver the connection goes through, where a lookup that fails is worth a retry.
        check_url(&hook.target_url, self.allow_private).map_err(Failure::Permanent)?;
        let now = chrono::Utc::now();
        let bytes = render(event, event_id, now, hook).map_err(Failure::Permanent)?;
        let mut request = self
            .guarded
            .post(&hook.target_url)
            .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
            .header(vendor_payload::EVENT_HEADER, &event.event)
            .header(vendor_payload::EVENT_ID_HEADER, event_id)
            .header(vendor_payload::RETRY_HEADER, retry.to_string())
            .header(EVENT_HEADER, &event.event)
            .header(DELIVERY_HEADER, event_id)
            .header(TIMESTAMP_HEADER, now.timestamp().to_string());
        if !hook.secret.is_empty() {
            let vendor = vendor_signature(&hook.secret, &bytes)
                .ok_or_else(|| Failure::Permanent("unusable signing key".into()))?;
            request = request
                .header(vendor_payload::SIGNATURE_HEADER, vendor)
                .header(SIGNATURE_HEADER, signature(&hook.secret, now.timestamp(), &bytes)?);
        }
        if event.event == "test" {
            request = request.header(vendor_payload::TEST_HEADER, "true");
        }
        for (name, value) in &hook.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request
            .body(bytes)
            .send()
            .await
            .map_err(|err| Failure::Transient(format!("POST {url} failed: {}", error_chain(&err.without_url()))))?;
        Ok(read_answer(response).await)
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

/// The failure with what the receiver answered appended.
fn with_answer(failure: Failure, answer: &Answer) -> Failure {
    match failure {
        Failure::Transient(why) => Failure::Transient(format!("{why}\n{}", answer.text)),
        Failure::Permanent(why) => Failure::Permanent(format!("{why}\n{}", answer.text)),
    }
}

/// The status, headers and at most [`ANSWER_BODY_LIMIT`] bytes of the body.
async fn read_answer(mut response: reqwest::Response) -> Answer {
    let status = response.status();
    let mut text = format!("HTTP {status}\n");
    for (name, value) in response.headers() {
        text.push_str(&format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())));
    }
    text.push('\n');
    let mut body = Vec::new();
    while body.len() < ANSWER_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body.truncate(ANSWER_BODY_LIMIT);
    text.push_str(&String::from_utf8_lossy(&body));
    Answer { status: status.as_u16(), text }
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

    #[tokio::test]
    async fn deliveries_refuse_internal_addresses_without_connecting() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while listener.accept().await.is_ok() {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        let sender = WebhookSender::new(Duration::from_secs(5)).unwrap();
        // A name is checked where the connection resolves it, so a name that resolves inside
        // only at delivery time (DNS rebinding) is refused all the same.
        for url in [format!("http://localhost:{port}/hook"), format!("http://127.0.0.1:{port}/hook")] {
            let hook = Webhook { id: 1, target_url: url.clone(), ..Webhook::default() };
            let refused = sender.send_test(&hook, 1).await.unwrap_err();
            assert!(refused.contains("loopback"), "{url}: {refused}");
        }
        assert_eq!(accepted.load(std::sync::atomic::Ordering::Relaxed), 0, "no connection was made");
        let allowed = WebhookSender::with_private_targets(Duration::from_secs(5), true).unwrap();
        let hook = Webhook { id: 1, target_url: format!("http://localhost:{port}/hook"), ..Webhook::default() };
        // The listener hangs up at once: the attempt fails, but it did connect.
        assert!(allowed.send_test(&hook, 1).await.is_err());
        assert!(accepted.load(std::sync::atomic::Ordering::Relaxed) > 0, "allowed targets are reached");
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
