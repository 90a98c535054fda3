//! The variants compared, B0–B6, S and R, and the request bodies they send. B0, B1 and B3 send
//! the same JSON bytes, so they differ only in what the server does with them.

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
/// In a path, the message id the wrk script turns into 1, 2, … 10 request by request.
pub const SPREAD_ID: &str = "{m}";

/// The message the round-trip variant R saves: S rewrites message 1's child rows with fresh
/// ids on every save, so R keeps to a message of its own.
pub const ROUND_TRIP_ID: i32 = 2;

/// The seed's sample PUT body (two headers, two attachments, extra and custom fields).
const SEED_BODY: &str = include_str!("../../tests/fixtures/seed-put-request.json");

/// S: the seed's sample body verbatim but for a counter in `Body`. Its repeated child ids are
/// not the message's own, so every save writes its child rows anew (decision 15).
fn seed_shape(path: String) -> RequestShape {
    let mut body: Value = serde_json::from_str(SEED_BODY).unwrap_or(Value::Null);
    body["Body"] = json!("optio {n}");
    RequestShape { body: body.to_string(), ..json_put(path, Target::Ticketd) }
}

/// R: the message as a GET answers it, `Body` changed; the body is read from the server under
/// measurement at the start of each run (see [`round_trip_body`]), as child ids differ per
/// database.
fn round_trip_shape() -> RequestShape {
    RequestShape { body: String::new(), ..json_put(format!("/api/v1/TicketMessage/{ROUND_TRIP_ID}"), Target::Ticketd) }
}

/// R's body from the JSON a GET of [`ROUND_TRIP_ID`] answered: `Body` gets the counter.
pub fn round_trip_body(answer: &str) -> Result<String, String> {
    let mut body: Value = serde_json::from_str(answer).map_err(|e| format!("GET answer is not JSON: {e}"))?;
    if body["MessageHeaders"].as_array().is_none_or(Vec::is_empty) {
        return Err(format!("message {ROUND_TRIP_ID} has no child rows to round-trip"));
    }
    body["Body"] = json!("Bench round trip {n}");
    Ok(body.to_string())
}

/// The body that gives message [`ROUND_TRIP_ID`] child rows before R is measured.
pub fn round_trip_seed() -> RequestShape {
    let mut shape = seed_shape(format!("/api/v1/TicketMessage/{ROUND_TRIP_ID}"));
    shape.body = shape.body.replace("{n}", "seed");
    shape
}

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
        variant("S", "ticketd PUT of the seed's sample body", Target::Ticketd, seed_shape(message.clone())),
        variant("R", "ticketd PUT of the body a GET answered, Body changed", Target::Ticketd, round_trip_shape()),
        // Saves of different messages are what a batching writer can commit together.
        variant(
            "S10",
            "ticketd PUT of the seed's sample body, messages 1–10 in turn",
            Target::Ticketd,
            seed_shape(format!("/api/v1/TicketMessage/{SPREAD_ID}")),
        ),
    ]
}

/// The id under which the storage loop at `tasks` concurrent tasks is reported.
pub fn storage_id(tasks: usize) -> String {
    format!("B2x{tasks}")
}
