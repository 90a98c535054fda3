//! Cost of the XML and form request paths relative to JSON, measured in one run.
//!
//! `cargo bench --bench negotiation` prints two tables:
//! 1. codec: decoding a fully populated entity body into a draft, and encoding the response,
//!    per format (no I/O);
//! 2. end to end: `PUT /api/v1/TicketMessage/1` over loopback against a real server on a SQLite
//!    file, formats interleaved round by round, each request changing the saved body.
//!
//! Ratios are against JSON in the same run; medians over the rounds.

use std::time::Instant;

use reqwest::Method;
use serde_json::Value;
use ticketd::app::{Application, Settings};
use ticketd::domain::sample::sample_message;
use ticketd::negotiate::ResponseFormat;
use ticketd::negotiate::charset::Charset;
use ticketd::negotiate::form::form_to_value;
use ticketd::negotiate::response::encode;
use ticketd::negotiate::wire::{TicketMessageEntity, decode_message};
use ticketd::negotiate::xml::{value_to_xml, xml_to_value};

const ROUNDS: usize = 7;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Nanoseconds per call of `work`, median over rounds.
fn time_per_call(iterations: u32, mut work: impl FnMut()) -> f64 {
    let rounds = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                work();
            }
            started.elapsed().as_nanos() as f64 / f64::from(iterations)
        })
        .collect();
    median(rounds)
}

fn entity_value() -> Value {
    serde_json::to_value(TicketMessageEntity::full(&sample_message())).expect("serialises")
}

fn form_of(value: &Value) -> String {
    let mut out = Vec::new();
    let enc = |t: &str| {
        t.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    for (name, member) in value.as_object().into_iter().flatten() {
        match member {
            Value::String(s) => out.push(format!("{name}={}", enc(s))),
            Value::Number(_) | Value::Bool(_) => out.push(format!("{name}={member}")),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    for (k, v) in item.as_object().into_iter().flatten() {
                        if let Some(s) = v.as_str() {
                            out.push(format!("{name}[{i}][{k}]={}", enc(s)));
                        }
                    }
                }
            }
            Value::Object(map) if name.ends_with("Fields") => {
                for (k, v) in map {
                    out.push(format!("{name}[{}]={}", enc(k), enc(v.as_str().unwrap_or(""))));
                }
            }
            _ => {}
        }
    }
    out.push("Ticket[TicketId]=1".into());
    out.join("&")
}

fn codec_table() {
    let value = entity_value();
    let json = serde_json::to_vec(&value).expect("json");
    let xml = value_to_xml("TicketMessageEntity", &value);
    let form = form_of(&value);
    let message = sample_message();
    let decode_json = time_per_call(20_000, || {
        let v: Value = serde_json::from_slice(&json).expect("json");
        std::hint::black_box(decode_message(&v).expect("decodes"));
    });
    let decode_xml = time_per_call(20_000, || {
        let text = Charset::Utf8.decode(xml.as_bytes()).expect("utf-8");
        std::hint::black_box(
            decode_message(&xml_to_value(&text, "TicketMessageEntity").expect("xml")).expect("decodes"),
        );
    });
    let decode_form = time_per_call(20_000, || {
        std::hint::black_box(
            decode_message(&form_to_value(form.as_bytes(), Charset::Utf8).expect("form")).expect("decodes"),
        );
    });
    let encode_json = time_per_call(20_000, || {
        std::hint::black_box(
            encode(ResponseFormat::Json, "TicketMessageEntity", &TicketMessageEntity::full(&message)).expect("encodes"),
        );
    });
    let encode_xml = time_per_call(20_000, || {
        std::hint::black_box(
            encode(ResponseFormat::Xml, "TicketMessageEntity", &TicketMessageEntity::full(&message)).expect("encodes"),
        );
    });
    println!("codec (fully populated entity, ns per call, median of {ROUNDS} rounds)");
    println!("| step | JSON | XML | form | XML/JSON | form/JSON |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| decode body | {decode_json:.0} | {decode_xml:.0} | {decode_form:.0} | {:.2} | {:.2} |",
        decode_xml / decode_json,
        decode_form / decode_json
    );
    println!("| encode response | {encode_json:.0} | {encode_xml:.0} | – | {:.2} | – |", encode_xml / encode_json);
}

async fn end_to_end_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let settings = Settings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: url.into(),
        demo: true,
        ..Settings::default()
    };
    let server = Application::build(settings).await.expect("server");
    let base = format!("http://{}/api/v1/TicketMessage/1", server.local_addr().expect("addr"));
    tokio::spawn(server.run_until_stopped(std::future::pending()));
    ticketd::notify::install_crypto_provider();
    let client = reqwest::Client::new();
    let value = entity_value();
    let mut counter = 0u64;
    let mut body_for = |format: &str| {
        counter += 1;
        let mut v = value.clone();
        v["Body"] = Value::String(format!("bench body {counter}"));
        v["Ticket"] = serde_json::json!({"TicketId": 1});
        // The sample's person is not in the demo data.
        v["Person"] = serde_json::json!({"PersonId": 1});
        match format {
            "json" => ("application/json", "application/json", serde_json::to_vec(&v).expect("json")),
            "xml" => ("application/xml", "application/xml", value_to_xml("TicketMessageEntity", &v).into_bytes()),
            _ => ("application/x-www-form-urlencoded", "application/json", form_of(&v).into_bytes()),
        }
    };
    let formats = ["json", "xml", "form"];
    let per_round = 150;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); formats.len()];
    for round in 0..=ROUNDS {
        for (i, format) in formats.iter().enumerate() {
            let started = Instant::now();
            for _ in 0..per_round {
                let (content_type, accept, body) = body_for(format);
                let response = client
                    .request(Method::PUT, &base)
                    .basic_auth("tje0", Some("Tje0"))
                    .header("Content-Type", content_type)
                    .header("Accept", accept)
                    .body(body)
                    .send()
                    .await
                    .expect("answered");
                assert!(response.status().is_success(), "{format}: {}", response.status());
                let _ = response.bytes().await;
            }
            if round > 0 {
                samples[i].push(started.elapsed().as_micros() as f64 / per_round as f64);
            }
        }
    }
    let medians: Vec<f64> = samples.into_iter().map(median).collect();
    println!();
    println!(
        "end to end (PUT over loopback, SQLite WAL synchronous=FULL, µs per request, median of {ROUNDS} rounds of {per_round})"
    );
    println!("| JSON | XML | form | XML/JSON | form/JSON |");
    println!("|---|---|---|---|---|");
    println!(
        "| {:.0} | {:.0} | {:.0} | {:.2} | {:.2} |",
        medians[0],
        medians[1],
        medians[2],
        medians[1] / medians[0],
        medians[2] / medians[0]
    );
}

fn main() {
    codec_table();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(end_to_end_table());
}
