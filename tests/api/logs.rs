//! Logs as an operator ships them: `--log-format json` writes one JSON object per line with the
//! request's id, method, path, status, latency and caller, never its credentials; and the
//! `X-Request-Id` a client sends is kept only when it is short, visible ASCII.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde_json::Value;

use crate::cli::{ServerProcess, ticketd};
use crate::helpers::{Backend, TestApp};

/// The seed's `tje0:Tje0` credentials.
const SEED_BASIC: &str = "dGplMDpUamUw";

/// Starts `ticketd --log-format json serve --demo` and returns it, its base URL and its log lines.
fn serve_json(database_url: &str) -> (ServerProcess, String, mpsc::Receiver<String>) {
    let mut child = ticketd()
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0", "--demo", "--database-url", database_url])
        .env("RUST_LOG", "info")
        .env_remove("TICKETD_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ticketd starts");
    let stderr = child.stderr.take().expect("stderr");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let child = ServerProcess::new(child);
    let base = loop {
        let line = lines.recv_timeout(Duration::from_secs(60)).expect("ticketd logs that it listens");
        let entry: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
        if let Some(address) = entry["message"].as_str().and_then(|m| m.strip_prefix("listening on ")) {
            break address.trim().to_owned();
        }
    };
    (child, base, lines)
}

#[tokio::test]
async fn json_logs_carry_one_line_per_request_with_its_fields_and_no_credentials() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let (_server, base, lines) = serve_json(&url);
    let response = crate::helpers::client()
        .get(format!("{base}/api/v1/TicketMessage"))
        .header("Authorization", format!("Basic {SEED_BASIC}"))
        .header("Accept", "application/json")
        .header("X-Request-Id", "ops-check-42")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "ops-check-42");

    let closing = loop {
        let line = lines.recv_timeout(Duration::from_secs(30)).expect("the request's line is logged");
        let entry: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
        if entry["span"].is_object() {
            assert!(!line.contains(SEED_BASIC) && !line.contains("Tje0"), "a credential in the log: {line}");
        }
        if entry["span"]["request_id"] == "ops-check-42" && entry["message"] == "finished processing request" {
            break entry;
        }
    };
    assert!(closing["timestamp"].as_str().is_some_and(|t| t.contains('T')), "{closing}");
    assert_eq!(closing["level"], "INFO", "{closing}");
    assert!(closing["target"].as_str().is_some_and(|t| t.starts_with("ticketd")), "{closing}");
    assert_eq!(closing["status"], 200, "{closing}");
    assert!(closing["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{closing}");
    assert_eq!(closing["span"]["method"], "GET", "{closing}");
    assert_eq!(closing["span"]["path"], "/api/v1/TicketMessage", "{closing}");
    assert!(closing["span"]["associate"].as_i64().is_some_and(|id| id > 0), "{closing}");
}

async fn echoed_id(app: &TestApp, sent: HeaderValue) -> String {
    let response =
        app.request(reqwest::Method::GET, "/health").header("X-Request-Id", sent).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["x-request-id"].to_str().expect("visible ASCII").to_owned()
}

#[tokio::test]
async fn a_client_request_id_is_kept_only_when_short_and_visible_ascii() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    assert_eq!(echoed_id(&app, HeaderValue::from_static("7f3c-a1b2_trace:9")).await, "7f3c-a1b2_trace:9");
    let long = "x".repeat(129);
    let hostile = [
        HeaderValue::from_str(&long).expect("header"),
        HeaderValue::from_static("two words"),
        HeaderValue::from_bytes(b"tab\there").expect("header"),
        HeaderValue::from_bytes("n\u{f8}kkel".as_bytes()).expect("header"),
        HeaderValue::from_static(""),
    ];
    for sent in hostile {
        let echoed = echoed_id(&app, sent.clone()).await;
        assert!(echoed.starts_with("req-") && echoed.as_bytes() != sent.as_bytes(), "{sent:?} came back as {echoed}");
    }
}
