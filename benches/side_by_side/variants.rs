//! The variants compared, B0–B6, and the request bodies they send. B0, B1 and B3 send the same
//! JSON bytes, so they differ only in what the server does with them.

use serde_json::{Value, json};
use ticketd::negotiate::xml::value_to_xml;

use super::load::RequestShape;

/// Which server a variant is sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// This binary's bare axum server (`floor-server` mode).
    Floor,
    /// `ticketd serve --demo`.
    Ticketd,
}

/// One HTTP variant.
#[derive(Clone, Debug)]
pub struct Variant {
    pub id: &'static str,
    pub what: &'static str,
    pub target: Target,
    pub shape: RequestShape,
}

/// The message every variant saves (demo message 1, on demo ticket 1).
pub const MESSAGE_ID: i32 = 1;

/// The saved entity as a JSON value, every scalar field set, `{n}` where each request differs.
fn entity() -> Value {
    json!({
        "EjMessageId": MESSAGE_ID,
        "Ticket": {"TicketId": 1},
        "CreatedBy": {"AssociateId": 1},
        "Author": "Tje Ødegård",
        "Slevel": "External",
        "Type": "Html",
        "MessageId": "<bench@example.com>",
        "TimeSpent": 5,
        "Body": "Bench body {n}",
        "HtmlBody": "<p>Bench body {n}</p>",
        "EmailHeader": "",
        "DebugInfo": "",
        "MailSorter": "",
        "MessageCategory": "Message",
        "Person": null,
        "SearchTitle": "Bench {n}",
        "Important": false,
        "Language": "no",
        "Sentiment": 0,
        "SentimentConfidence": 0
    })
}

fn json_put(path: String, target: Target) -> RequestShape {
    RequestShape {
        method: "PUT",
        path,
        content_type: "application/json",
        accept: Some("application/json"),
        basic_auth: target == Target::Ticketd,
        body: entity().to_string(),
    }
}

/// B0, B1 and B3–B6 in the order of the first round (later rounds rotate it).
pub fn http_variants() -> Vec<Variant> {
    let message = format!("/api/v1/TicketMessage/{MESSAGE_ID}");
    let xml = RequestShape {
        content_type: "application/xml",
        accept: Some("application/xml"),
        body: value_to_xml("TicketMessageEntity", &entity()),
        ..json_put(message.clone(), Target::Ticketd)
    };
    let patch = RequestShape {
        method: "PATCH",
        content_type: "application/merge-patch+json",
        body: json!({"Body": "Bench patch {n}", "SearchTitle": "Bench {n}"}).to_string(),
        ..json_put(message.clone(), Target::Ticketd)
    };
    let variant = |id, what, target, shape| Variant { id, what, target, shape };
    vec![
        variant(
            "B0",
            "bare axum, reads the body, 200",
            Target::Floor,
            json_put(format!("/noop/{MESSAGE_ID}"), Target::Floor),
        ),
        variant(
            "B1",
            "bare axum + one UPDATE of the message row",
            Target::Floor,
            json_put(format!("/raw/{MESSAGE_ID}"), Target::Floor),
        ),
        variant("B3", "ticketd PUT, JSON, Basic auth", Target::Ticketd, json_put(message.clone(), Target::Ticketd)),
        variant(
            "B4",
            "ticketd PUT ?notify=true",
            Target::Ticketd,
            json_put(format!("{message}?notify=true"), Target::Ticketd),
        ),
        variant("B5", "ticketd PUT, XML in and out", Target::Ticketd, xml),
        variant("B6", "ticketd PATCH, JSON Merge Patch", Target::Ticketd, patch),
    ]
}

/// The id under which the storage loop at `tasks` concurrent tasks is reported.
pub fn storage_id(tasks: usize) -> String {
    format!("B2x{tasks}")
}
