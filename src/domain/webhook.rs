//! Webhooks as the vendor describes them: the registered subscription, its state, which events
//! it wants, and the event an outbox row carries until it is rendered into a delivery.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Timestamp;

/// Whether deliveries go out to a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebhookState {
    #[default]
    Active,
    Stopped,
    /// Stopped by the server after too many consecutive failed deliveries.
    TooManyErrors,
}

impl WebhookState {
    pub const ALL: [WebhookState; 3] = [Self::Active, Self::Stopped, Self::TooManyErrors];

    /// The vendor's numbering (1, 2, 3), as stored.
    pub fn code(self) -> i32 {
        match self {
            Self::Active => 1,
            Self::Stopped => 2,
            Self::TooManyErrors => 3,
        }
    }

    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Stopped => "Stopped",
            Self::TooManyErrors => "TooManyErrors",
        }
    }

    /// Parses the vendor's name or number, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL.into_iter().find(|state| state.name().eq_ignore_ascii_case(text) || state.code().to_string() == text)
    }

    /// The event a change into this state raises for webhook `id`.
    pub fn event_for(self, id: i32) -> String {
        let verb = match self {
            Self::Active => "started",
            Self::Stopped => "stopped",
            Self::TooManyErrors => "errors",
        };
        format!("webhook{id}.{verb}")
    }
}

/// A registered webhook, as stored.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Webhook {
    pub id: i32,
    pub name: String,
    /// Event names or patterns (`*` matches any run of characters), lower case.
    pub events: Vec<String>,
    pub target_url: String,
    /// The signing key; empty when deliveries go unsigned.
    pub secret: String,
    pub state: WebhookState,
    pub headers: BTreeMap<String, String>,
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub error_emails: Vec<String>,
    pub description: String,
    pub notify_via: String,
    pub notify_when: String,
    pub registered: Timestamp,
    pub registered_by: i32,
    pub updated: Timestamp,
    pub updated_by: i32,
    pub total_calls: i64,
    pub total_errors: i64,
    pub consecutive_errors: i32,
    pub last_error: String,
}

impl std::fmt::Debug for Webhook {
    /// Leaves out the signing secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("events", &self.events)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Webhook {
    /// Whether this webhook wants `event`.
    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|pattern| event_matches(pattern, event))
    }
}

/// Whether `event` matches `pattern`, where `*` stands for any run of characters (case-insensitive).
pub fn event_matches(pattern: &str, event: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    let event = event.trim().to_ascii_lowercase();
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = event.strip_prefix(first) else { return false };
    let pieces: Vec<&str> = parts.collect();
    let Some((last, middle)) = pieces.split_last() else { return rest.is_empty() };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Whether a comma-separated subscription list (as stored) wants `event`.
pub fn list_wants(events: &str, event: &str) -> bool {
    events.split(',').map(str::trim).filter(|p| !p.is_empty()).any(|pattern| event_matches(pattern, event))
}

/// Checks and normalises the event names of a registration: lower case, letters, digits, `_`,
/// `.` and `*` only, at least one.
pub fn parse_events(names: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '*')) {
            return Err(format!("Events: '{name}' is not an event name like ticketmessage.created or ticket.*"));
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.is_empty() {
        return Err("Events: name at least one event (ticketmessage.created, ticket.changed, * ...)".into());
    }
    Ok(out)
}

/// An event as queued for one webhook: everything of the vendor's `WebhookPayload` but what each
/// attempt sets (`EventId`, `Timestamp`) and what comes from the webhook (`WebhookName`,
/// `Properties`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebhookEvent {
    pub event: String,
    pub entity: String,
    pub primary_key: i64,
    pub context_identifier: String,
    pub changed_by_associate_id: i32,
    #[serde(default)]
    pub changes: Vec<String>,
    #[serde(default)]
    pub field_values: serde_json::Map<String, serde_json::Value>,
    /// ticketd's earlier message payload, kept for receivers written against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl WebhookEvent {
    /// The `test` event a registration sends.
    pub fn test(associate_id: i32) -> Self {
        Self {
            event: "test".into(),
            entity: "test".into(),
            primary_key: 0,
            context_identifier: DEFAULT_CONTEXT.into(),
            changed_by_associate_id: associate_id,
            changes: Vec::new(),
            field_values: serde_json::Map::new(),
            data: None,
        }
    }
}

/// `ContextIdentifier` of an event whose save came through no tenant segment.
pub const DEFAULT_CONTEXT: &str = "Default";

/// The tenant segment a save came through (`Cust12345`), kept inline so that save contexts stay
/// `Copy`; longer segments are cut at [`ContextId::CAPACITY`] bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ContextId {
    bytes: [u8; ContextId::CAPACITY],
    len: u8,
}

impl ContextId {
    pub const CAPACITY: usize = 64;

    pub fn new(segment: &str) -> Self {
        let mut end = segment.len().min(Self::CAPACITY);
        while !segment.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; Self::CAPACITY];
        bytes[..end].copy_from_slice(&segment.as_bytes()[..end]);
        Self { bytes, len: end as u8 }
    }

    /// The segment, or [`DEFAULT_CONTEXT`] when there was none.
    pub fn as_str(&self) -> &str {
        match std::str::from_utf8(&self.bytes[..usize::from(self.len)]) {
            Ok(text) if !text.is_empty() => text,
            _ => DEFAULT_CONTEXT,
        }
    }
}

impl Default for ContextId {
    fn default() -> Self {
        Self { bytes: [0; Self::CAPACITY], len: 0 }
    }
}

impl std::fmt::Debug for ContextId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_with_stars_anywhere() {
        assert!(event_matches("*", "ticketmessage.created"));
        assert!(event_matches("ticketmessage.*", "ticketmessage.deleted"));
        assert!(event_matches("TicketMessage.Created", "ticketmessage.created"));
        assert!(event_matches("*.changed", "ticket.changed"));
        assert!(event_matches("webhook*.errors", "webhook12.errors"));
        assert!(!event_matches("ticket.*", "ticketmessage.created"));
        assert!(!event_matches("ticketmessage.created", "ticketmessage.changed"));
        assert!(list_wants("ticket.changed, ticketmessage.*", "ticketmessage.changed"));
        assert!(!list_wants("", "test"));
    }

    #[test]
    fn event_lists_are_checked_and_normalised() {
        let names = vec![" Ticket.Changed ".to_owned(), "ticket.changed".to_owned(), "*".to_owned()];
        assert_eq!(parse_events(&names).unwrap(), vec!["ticket.changed", "*"]);
        assert!(parse_events(&["a,b".to_owned()]).unwrap_err().contains("a,b"));
        assert!(parse_events(&[]).is_err());
    }

    #[test]
    fn context_ids_keep_the_segment_or_say_default() {
        assert_eq!(ContextId::default().as_str(), "Default");
        assert_eq!(ContextId::new("Cust12345").as_str(), "Cust12345");
        assert_eq!(ContextId::new(&"é".repeat(40)).as_str().len(), 64);
    }

    #[test]
    fn states_parse_by_name_or_number() {
        assert_eq!(WebhookState::parse("stopped"), Some(WebhookState::Stopped));
        assert_eq!(WebhookState::parse("3"), Some(WebhookState::TooManyErrors));
        assert_eq!(WebhookState::parse("Unknown"), None);
        assert_eq!(WebhookState::TooManyErrors.event_for(4), "webhook4.errors");
    }
}
