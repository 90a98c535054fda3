//! Property tests: any message written as XML, or as a form, reads back into the same draft.

use std::fmt::Write;

use chrono::{DateTime, NaiveDateTime};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::Value;

use super::charset::Charset;
use super::form::form_to_value;
use super::wire::{TicketMessageEntity, decode_message};
use super::xml::{value_to_xml, xml_to_value};
use crate::domain::sample::sample_message;
use crate::domain::*;

/// Text as clients send it: any character XML 1.0 can carry (so no C0 controls but tab, LF, CR).
fn text() -> impl Strategy<Value = String> {
    "[^\u{0}-\u{8}\u{b}\u{c}\u{e}-\u{1f}\u{fffe}\u{ffff}]{0,24}"
}

fn stamp() -> impl Strategy<Value = NaiveDateTime> {
    (-62_135_596_800i64..253_402_300_799, 0u32..10_000_000)
        .prop_map(|(secs, ticks)| DateTime::from_timestamp(secs, ticks * 100).map_or(NO_DATE, |d| d.naive_utc()))
}

fn pick<E: VendorEnum + std::fmt::Debug>() -> impl Strategy<Value = E> {
    (0..E::ALL.len()).prop_map(|i| E::ALL[i])
}

fn header() -> impl Strategy<Value = MessageHeader> {
    (1..1000i32, text(), text(), pick(), pick()).prop_map(|(id, name, value, std_item, std_item_col)| MessageHeader {
        id,
        name,
        value,
        std_item,
        std_item_col,
    })
}

fn attachment() -> impl Strategy<Value = AttachmentInfo> {
    (1..1000i32, text(), text(), any::<i32>(), any::<bool>(), text(), text()).prop_map(
        |(id, name, content_type, size, inline_image, content_id, auth_key)| AttachmentInfo {
            id,
            name,
            content_type,
            size,
            inline_image,
            content_id,
            auth_key,
        },
    )
}

fn content() -> impl Strategy<Value = MessageContent> {
    let scalars = (stamp(), text(), pick(), pick(), text(), any::<i32>(), text(), text(), text(), text());
    let more = (text(), pick(), text(), any::<bool>(), text(), any::<i32>(), any::<i32>(), pick());
    let lists = (
        vec(header(), 0..3),
        vec(attachment(), 0..3),
        btree_map(text(), text(), 0..3),
        btree_map(text(), text(), 0..3),
    );
    (scalars, more, lists).prop_map(|(s, m, l)| MessageContent {
        created_at: s.0,
        author: s.1,
        slevel: s.2,
        message_type: s.3,
        message_id: s.4,
        time_spent: s.5,
        body: s.6,
        html_body: s.7,
        email_header: s.8,
        debug_info: s.9,
        mail_sorter: m.0,
        category: m.1,
        search_title: m.2,
        important: m.3,
        language: m.4,
        sentiment: m.5,
        sentiment_confidence: m.6,
        badge: m.7,
        headers: l.0,
        attachments: l.1,
        extra_fields: l.2,
        custom_fields: l.3,
    })
}

fn message_with(content: MessageContent) -> TicketMessage {
    TicketMessage { content, ..sample_message() }
}

/// What the JSON path reads from a written message: the reference the two other paths must match.
fn via_json(message: &TicketMessage) -> MessageDraft {
    decode_message(&serde_json::to_value(TicketMessageEntity::full(message)).unwrap()).unwrap()
}

/// The message written as a form body, with every field the way a form binder expects it.
fn as_form(value: &Value) -> String {
    let mut out = String::new();
    let mut field = |name: &str, value: &Value| {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let _ = write!(out, "{}={}&", encode(name), encode(&text));
    };
    for (name, member) in value.as_object().into_iter().flatten() {
        match (name.as_str(), member) {
            ("Ticket" | "CreatedBy" | "Person", _) | ("TableRight" | "FieldProperties", _) => {}
            ("MessageHeaders" | "AttachmentsInfo", Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    for (k, v) in item.as_object().into_iter().flatten() {
                        if !matches!(k.as_str(), "TableRight" | "FieldProperties" | "IsSafeFileExtension") {
                            field(&format!("{name}[{i}][{k}]"), v);
                        }
                    }
                }
            }
            ("ExtraFields" | "CustomFields", Value::Object(map)) => {
                for (k, v) in map {
                    field(&format!("{name}[{k}]"), v);
                }
            }
            _ => field(name, member),
        }
    }
    field("Ticket.TicketId", &value["Ticket"]["TicketId"]);
    field("CreatedBy[AssociateId]", &value["CreatedBy"]["AssociateId"]);
    field("Person[PersonId]", &value["Person"]["PersonId"]);
    out
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn entity_to_xml_to_entity_is_identity(content in content()) {
        let message = message_with(content);
        let value = serde_json::to_value(TicketMessageEntity::full(&message)).unwrap();
        let xml = value_to_xml("TicketMessageEntity", &value);
        let read = decode_message(&xml_to_value(&xml, "TicketMessageEntity").unwrap()).unwrap();
        prop_assert_eq!(read, via_json(&message));
    }

    #[test]
    fn entity_to_form_to_entity_is_identity(content in content()) {
        let message = message_with(content);
        let value = serde_json::to_value(TicketMessageEntity::full(&message)).unwrap();
        let form = as_form(&value);
        let read = decode_message(&form_to_value(form.as_bytes(), Charset::Utf8).unwrap()).unwrap();
        prop_assert_eq!(read, via_json(&message));
    }

    #[test]
    fn the_json_path_keeps_every_field(content in content()) {
        let message = message_with(content.clone());
        prop_assert_eq!(via_json(&message).content, content);
    }
}
