//! The vendor's `WebhookPayload`: the body a webhook receives for one queued event, rendered at
//! each attempt (its `Timestamp` is the attempt's), and the vendor's base64 signature over it.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::domain::notification::MessageEvent;
use crate::domain::webhook::{DEFAULT_CONTEXT, Webhook, WebhookEvent};

/// The vendor's headers of a delivery.
pub const EVENT_HEADER: &str = "X-SuperOffice-Event";
pub const EVENT_ID_HEADER: &str = "X-SuperOffice-EventId";
pub const RETRY_HEADER: &str = "X-SuperOffice-Retry";
pub const SIGNATURE_HEADER: &str = "X-SuperOffice-Signature";
/// Sent with the `test` event only.
pub const TEST_HEADER: &str = "X-Hook-Test";

/// Headers a webhook's own `Headers` may not set: the transport's and the signed ones.
pub fn reserved_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("x-superoffice-")
        || name.starts_with("x-ticketd-")
        || matches!(name.as_str(), "host" | "content-type" | "content-length" | "transfer-encoding" | "connection")
}

/// base64 of HMAC-SHA256 keyed with the secret's UTF-8 bytes over the exact body bytes, as the
/// vendor's receiver examples compute it.
pub fn vendor_signature(secret: &str, body: &[u8]) -> Option<String> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(body);
    Some(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// The event an outbox row carries. Rows queued before webhooks took the vendor's shape hold
/// ticketd's message event; those become a `ticketmessage` event with it as `Data`.
pub fn queued_event(payload: &str, event: &str, message_id: i32) -> Result<WebhookEvent, String> {
    let value: Value = serde_json::from_str(payload).map_err(|err| format!("unreadable webhook payload: {err}"))?;
    if value.get("Entity").is_some() {
        return serde_json::from_value(value).map_err(|err| format!("unreadable webhook payload: {err}"));
    }
    let message: MessageEvent =
        serde_json::from_value(value.clone()).map_err(|err| format!("unreadable notification payload: {err}"))?;
    Ok(WebhookEvent {
        event: event.to_owned(),
        entity: "ticketmessage".into(),
        primary_key: message_id.into(),
        context_identifier: DEFAULT_CONTEXT.into(),
        changed_by_associate_id: message.changed_by_associate_id,
        changes: Vec::new(),
        field_values: Map::new(),
        data: Some(value),
    })
}

/// `2026-12-01T10:48:07.8912039Z`: UTC with seven fractional digits, as the vendor writes it.
pub fn vendor_timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}.{:07}Z", at.format("%Y-%m-%dT%H:%M:%S"), at.timestamp_subsec_nanos() / 100)
}

/// The body's bytes: the payload fields in the vendor's order, ticketd's `WebhookId` (and the
/// earlier `Data` where the event has it), then the webhook's `Properties` (which never replace
/// a payload field).
pub fn render(
    event: &WebhookEvent,
    event_id: &str,
    at: chrono::DateTime<chrono::Utc>,
    hook: &Webhook,
) -> Result<Vec<u8>, String> {
    let mut body = Map::new();
    body.insert("EventId".into(), event_id.into());
    body.insert("Timestamp".into(), vendor_timestamp(at).into());
    body.insert("Changes".into(), event.changes.clone().into());
    body.insert("Event".into(), event.event.clone().into());
    body.insert("PrimaryKey".into(), event.primary_key.into());
    body.insert("Entity".into(), event.entity.clone().into());
    body.insert("ContextIdentifier".into(), event.context_identifier.clone().into());
    body.insert("ChangedByAssociateId".into(), event.changed_by_associate_id.into());
    body.insert("WebhookName".into(), hook.name.clone().into());
    body.insert("FieldValues".into(), Value::Object(event.field_values.clone()));
    body.insert("WebhookId".into(), hook.id.into());
    if let Some(data) = &event.data {
        body.insert("Data".into(), data.clone());
    }
    for (key, value) in &hook.properties {
        body.entry(key.clone()).or_insert_with(|| value.clone());
    }
    serde_json::to_vec(&Value::Object(body)).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_base64_hmac_sha256_of_the_body() {
        // printf '{"EventId":"x"}' | openssl dgst -sha256 -hmac whsec_test -binary | base64
        let sig = vendor_signature("whsec_test", br#"{"EventId":"x"}"#).unwrap();
        assert_eq!(sig, "7ZhTXi6zgoYhMgf1mKLcCPdXx1X5mDKd7HWfE83pITo=");
    }

    #[test]
    fn timestamps_have_seven_fractional_digits() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 891_203_900).unwrap();
        assert_eq!(vendor_timestamp(at), "2023-11-14T22:13:20.8912039Z");
    }

    #[test]
    fn properties_are_merged_without_replacing_payload_fields() {
        let mut hook = Webhook { id: 4, name: "Partner".into(), ..Webhook::default() };
        hook.properties.insert("Tenant".into(), "blue".into());
        hook.properties.insert("Event".into(), "forged".into());
        let body = render(&WebhookEvent::test(1), "id-1", chrono::Utc::now(), &hook).unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["Tenant"], "blue");
        assert_eq!(body["Event"], "test");
        assert_eq!(body["WebhookName"], "Partner");
        assert_eq!(body["Changes"], serde_json::json!([]));
    }

    #[test]
    fn reserved_headers_are_known() {
        assert!(reserved_header("X-SuperOffice-Signature"));
        assert!(reserved_header("content-type"));
        assert!(!reserved_header("X-Partner-Key"));
    }
}
