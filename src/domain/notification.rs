//! Notifications: who hears about a save, over which channels, what the event says, and how
//! long a failed delivery waits before the next attempt.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What happened to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Changed,
}

impl EventKind {
    pub const ALL: [EventKind; 2] = [EventKind::Created, EventKind::Changed];

    /// The event's name on the wire and in webhook subscriptions.
    pub fn name(self) -> &'static str {
        match self {
            Self::Created => "ticketmessage.created",
            Self::Changed => "ticketmessage.changed",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// How an outbox row reaches its recipient: the three notification channels, and the two
/// ways a message is sent to customers on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Notification e-mail to an associate.
    Email,
    Webhook,
    Stream,
    /// A message e-mailed to customers by `/Send`.
    Send,
    /// A message texted to a mobile number by `/SendSms`.
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 5] = [Channel::Email, Channel::Webhook, Channel::Stream, Channel::Send, Channel::Sms];

    pub fn code(self) -> i32 {
        match self {
            Self::Email => 0,
            Self::Webhook => 1,
            Self::Stream => 2,
            Self::Send => 3,
            Self::Sms => 4,
        }
    }

    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|channel| channel.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Webhook => "webhook",
            Self::Stream => "stream",
            Self::Send => "send",
            Self::Sms => "sms",
        }
    }
}

/// Where an outbox row is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Dead,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Dead];

    pub fn code(self) -> i32 {
        match self {
            Self::Pending => 0,
            Self::Delivered => 1,
            Self::Dead => 2,
        }
    }

    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.name().eq_ignore_ascii_case(name))
    }
}

/// The event as it stood when the save committed; every delivery renders from this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageEvent {
    pub event: String,
    pub ticket_message_id: i32,
    pub ticket_id: i32,
    pub ticket_title: String,
    pub changed_by_associate_id: i32,
    pub changed_by_name: String,
    pub author: String,
    /// The message's plain-text body (its HTML body when it has no plain one).
    pub body: String,
    /// When the save happened, UTC, ISO 8601.
    pub occurred_at: String,
}

/// Whether the e-mail channel is set up; webhooks and the live stream always are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelSet {
    pub email: bool,
}

/// The associates told about a save: the ticket's owner and its followers, once each, never
/// the associate who saved.
pub fn recipients(owner: i32, followers: &[i32], actor: i32) -> Vec<i32> {
    let mut out = Vec::with_capacity(followers.len() + 1);
    for id in std::iter::once(owner).chain(followers.iter().copied()) {
        if id > 0 && id != actor && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Whether a subscription list (comma-separated event names, or `*`) includes `event`.
pub fn subscribes_to(events: &str, event: EventKind) -> bool {
    events.split(',').map(str::trim).any(|name| name == "*" || EventKind::from_name(name) == Some(event))
}

/// Parses a subscription list, refusing unknown event names.
pub fn parse_event_list(text: &str) -> Result<String, String> {
    let mut names = Vec::new();
    for name in text.split(',').map(str::trim).filter(|name| !name.is_empty()) {
        let canonical = if name == "*" {
            "*"
        } else {
            EventKind::from_name(name).map(EventKind::name).ok_or_else(|| {
                format!("unknown event '{name}'; use ticketmessage.created, ticketmessage.changed or *")
            })?
        };
        if !names.contains(&canonical) {
            names.push(canonical);
        }
    }
    if names.is_empty() {
        return Err("name at least one event".into());
    }
    Ok(names.join(","))
}

/// How long to wait before attempt `attempts + 1`, given that `attempts` have failed:
/// `base · 2^(attempts-1)`, capped, then scaled by `jitter` (0..1) into its upper half so
/// that retries of many rows spread out but never come sooner than half the nominal delay.
pub fn retry_delay(attempts: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exponent = attempts.saturating_sub(1).min(30);
    let nominal = base.saturating_mul(1u32 << exponent).min(cap);
    nominal.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_owner_and_followers_once_without_the_actor() {
        assert_eq!(recipients(1, &[2, 3, 1, 2], 3), vec![1, 2]);
        assert_eq!(recipients(4, &[], 4), Vec::<i32>::new());
        assert_eq!(recipients(0, &[5], 1), vec![5]);
    }

    #[test]
    fn subscriptions_match_by_name_or_star() {
        assert!(subscribes_to("ticketmessage.created", EventKind::Created));
        assert!(!subscribes_to("ticketmessage.created", EventKind::Changed));
        assert!(subscribes_to("ticketmessage.created, TicketMessage.Changed", EventKind::Changed));
        assert!(subscribes_to("*", EventKind::Changed));
        assert_eq!(parse_event_list(" ticketmessage.changed,ticketmessage.changed ").unwrap(), "ticketmessage.changed");
        assert!(parse_event_list("ticket.deleted").unwrap_err().contains("ticket.deleted"));
        assert!(parse_event_list(" , ").is_err());
    }

    #[test]
    fn retry_delays_grow_exponentially_within_jitter_and_cap() {
        let base = Duration::from_secs(2);
        let cap = Duration::from_secs(60);
        assert_eq!(retry_delay(1, base, cap, 1.0), Duration::from_secs(2));
        assert_eq!(retry_delay(2, base, cap, 1.0), Duration::from_secs(4));
        assert_eq!(retry_delay(3, base, cap, 0.0), Duration::from_secs(4));
        assert_eq!(retry_delay(10, base, cap, 1.0), cap);
        assert_eq!(retry_delay(u32::MAX, base, cap, 0.5), cap.mul_f64(0.75));
    }

    #[test]
    fn codes_round_trip() {
        for channel in Channel::ALL {
            assert_eq!(Channel::from_code(channel.code()), Some(channel));
        }
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::from_code(status.code()), Some(status));
            assert_eq!(DeliveryStatus::from_name(status.name()), Some(status));
        }
    }
}
