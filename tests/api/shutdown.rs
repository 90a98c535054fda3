//! Graceful shutdown of the real binary: SIGTERM while a request's body is still on its way and
//! a kept-alive client comes back, and SIGTERM in the middle of a notifying write load.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::cli::{ServerProcess, run_ok, serve_with};
use crate::helpers::SEED_AUTH;
use crate::sinks::{WebhookReceiver, eventually};

const SEED_BODY: &str = include_str!("../fixtures/seed-put-request.json");
const WRITERS: usize = 6;

/// One HTTP/1.1 response read off a raw connection: status, lower-cased headers, body.
struct RawResponse {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

/// Reads a response head (and its `Content-Length` body) byte by byte, so nothing of the next
/// response is consumed.
async fn read_response(stream: &mut TcpStream) -> RawResponse {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = stream.read_u8().await.expect("the response head arrives whole");
        head.push(byte);
    }
    let text = String::from_utf8(head).expect("ASCII head");
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("a status code");
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|n| n.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.expect("the body arrives whole");
    RawResponse { status, headers, body: String::from_utf8(body).expect("UTF-8 body") }
}

fn terminate(server: &ServerProcess) {
    let status = std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    assert!(status.expect("kill runs").success());
}

async fn exit_status(mut server: ServerProcess) -> std::process::ExitStatus {
    let waited = tokio::task::spawn_blocking(move || {
        let status = server.wait();
        (server, status)
    });
    let (_server, status) = tokio::time::timeout(Duration::from_secs(60), waited)
        .await
        .expect("the server stops within its shutdown timeout")
        .expect("wait thread");
    status.expect("exit status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draining_server_finishes_the_request_in_flight_and_closes_kept_alive_connections() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("drain.db").display());
    let (server, base) = serve_with(&url, &[]);
    let addr = base.trim_start_matches("http://").to_owned();

    let mut kept = TcpStream::connect(&addr).await.expect("connect");
    kept.write_all(b"GET /health/live HTTP/1.1\r\nHost: ticketd\r\n\r\n").await.expect("send");
    let first = read_response(&mut kept).await;
    assert_eq!(first.status, 200);
    assert_ne!(first.headers.get("connection").map(String::as_str), Some("close"));

    // A save whose body the server has asked for (100 Continue) but not yet received.
    let mut slow = TcpStream::connect(&addr).await.expect("connect");
    let head = format!(
        "PUT /api/v1/TicketMessage/1?notify=False HTTP/1.1\r\nHost: ticketd\r\nAuthorization: {SEED_AUTH}\r\n\
         Accept: application/json\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        SEED_BODY.len()
    );
    slow.write_all(head.as_bytes()).await.expect("send head");
    let proceed = read_response(&mut slow).await;
    assert_eq!(proceed.status, 100, "the handler is reading the body");

    terminate(&server);
    let refused = eventually(Duration::from_secs(20), async || TcpStream::connect(&addr).await.is_err().then_some(()));
    refused.await.expect("the listening socket closes at once");

    kept.write_all(b"GET /health/ready HTTP/1.1\r\nHost: ticketd\r\n\r\n")
        .await
        .expect("send on the kept-alive connection");
    let late = read_response(&mut kept).await;
    assert_eq!(late.status, 503, "{}", late.body);
    assert_eq!(late.headers.get("connection").map(String::as_str), Some("close"));
    let reason: Value = serde_json::from_str(&late.body).expect("JSON");
    assert!(reason["Reason"].as_str().unwrap_or_default().starts_with("ShuttingDown"), "{reason}");
    let mut rest = Vec::new();
    kept.read_to_end(&mut rest).await.expect("closed cleanly");
    assert!(rest.is_empty(), "the server closed the connection after the response");

    slow.write_all(SEED_BODY.as_bytes()).await.expect("send body");
    let saved = read_response(&mut slow).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.headers.get("connection").map(String::as_str), Some("close"));
    let entity: Value = serde_json::from_str(&saved.body).expect("the whole entity");
    assert_eq!(entity["EjMessageId"], 1);

    let status = exit_status(server).await;
    assert!(status.success(), "a drained shutdown exits 0, got {status}");
}

/// What the writers were told: per message, the body last acknowledged, and the body of a
/// save sent but never answered (it may or may not have landed).
#[derive(Default)]
struct Acknowledged {
    saved: HashMap<i64, String>,
    unanswered: HashMap<i64, String>,
    acknowledged: usize,
}

/// Sends a save; `None` when no response arrived. A response that did arrive must be a
/// complete 2xx.
async fn save(
    client: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    label: &str,
) -> Option<Value> {
    let body = json!({"Ticket": {"TicketId": 1}, "Body": label});
    let response = client
        .request(method, url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .ok()?;
    let status = response.status();
    let text = response.text().await.expect("a response that arrives is complete");
    assert!(status.is_success(), "every answered save succeeds: {status} {text}");
    Some(serde_json::from_str(&text).expect("a whole JSON entity"))
}

/// Creates a message, then keeps overwriting it, until the server stops answering.
async fn writer(base: String, token: String, index: usize, seen: Arc<Mutex<Acknowledged>>) {
    let client = crate::helpers::client();
    let create = format!("{base}/api/v1/TicketMessage?notify=true");
    let Some(made) = save(&client, &token, reqwest::Method::POST, create, &format!("w{index}-0")).await else { return };
    let id = made["EjMessageId"].as_i64().expect("an id");
    seen.lock().expect("lock").saved.insert(id, format!("w{index}-0"));
    for n in 1.. {
        let label = format!("w{index}-{n}");
        seen.lock().expect("lock").unanswered.insert(id, label.clone());
        let url = format!("{base}/api/v1/TicketMessage/{id}?notify=true");
        if save(&client, &token, reqwest::Method::PUT, url, &label).await.is_none() {
            return;
        }
        let mut seen = seen.lock().expect("lock");
        seen.unanswered.remove(&id);
        seen.saved.insert(id, label);
        seen.acknowledged += 1;
    }
}

/// Pending outbox rows, and those of them some worker still holds.
const PENDING: &str = "SELECT count(*) FROM outbox WHERE status = 0";
const CLAIMED: &str = "SELECT count(*) FROM outbox WHERE status = 0 AND claimed_by IS NOT NULL";

async fn count(url: &str, query: &'static str) -> i64 {
    use sqlx::Connection as _;
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open");
        sqlx::query_scalar(query).fetch_one(&mut conn).await.expect("count")
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(query).fetch_one(&mut conn).await.expect("count")
    }
}

async fn sigterm_under_write_load_keeps_every_acknowledged_save_and_releases_claims(url: &str) {
    let receiver = WebhookReceiver::start("whsec_drain").await;
    receiver.delay(Duration::from_millis(200));
    let store = ticketd::store::connect(url).await.expect("migrated");
    store.add_webhook(&receiver.url, "ticketmessage.*", "whsec_drain").await.expect("webhook");
    drop(store);
    let (server, base) = serve_with(url, &[]);
    let token = run_ok(&["token", "issue", "tje0", "--database-url", url]).trim().to_owned();
    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let writers: Vec<_> =
        (0..WRITERS).map(|i| tokio::spawn(writer(base.clone(), token.clone(), i, seen.clone()))).collect();
    // Enough saves that the dispatcher holds whole batches of slow deliveries when the signal
    // comes.
    let landing = async || (seen.lock().expect("lock").acknowledged >= 150).then_some(());
    eventually(Duration::from_secs(60), landing).await.expect("saves land");
    eventually(Duration::from_secs(30), async || (receiver.received().len() >= 10).then_some(()))
        .await
        .expect("deliveries are under way");
    terminate(&server);
    for task in writers {
        task.await.expect("a writer saw only complete, successful responses");
    }
    let status = exit_status(server).await;
    assert!(status.success(), "SIGTERM under load exits 0, got {status}");

    assert!(count(url, PENDING).await > 0, "the stop came in the middle of delivery");
    assert_eq!(count(url, CLAIMED).await, 0, "the stopped instance left no delivery claimed");
    let store = ticketd::store::connect(url).await.expect("the database opens after the stop");
    let seen = std::mem::take(&mut *seen.lock().expect("lock"));
    for (id, body) in &seen.saved {
        let message = store.message(i32::try_from(*id).expect("id")).await.expect("read").expect("kept");
        let stored = &message.content.body;
        let allowed = [Some(body), seen.unanswered.get(id)];
        assert!(allowed.contains(&Some(stored)), "message {id} holds '{stored}', acknowledged '{body}'");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sigterm_under_write_load_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("load.db").display());
    sigterm_under_write_load_keeps_every_acknowledged_save_and_releases_claims(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sigterm_under_write_load_loses_nothing() {
    let Some(url) = crate::pg::fresh_database().await else { return };
    sigterm_under_write_load_keeps_every_acknowledged_save_and_releases_claims(&url).await;
}
