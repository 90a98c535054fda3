//! Crash durability: the real binary under concurrent PUT and POST load, killed with SIGKILL at
//! random moments and restarted, again and again. After every restart each acknowledged write
//! must be there with the acknowledged content, and no message may be half-written.
//!
//! `TICKETD_CRASH_KILLS` sets the kills per database (3 by default, as CI runs it; the long run
//! in docs/reliability.md uses 100).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cli::{run_ok, serve_with};
use crate::sinks::eventually;

const WRITERS: usize = 6;

fn kills() -> usize {
    std::env::var("TICKETD_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(3)
}

/// What the clients were told: per writer, its message and the bodies acknowledged for it (the
/// last one wins), plus the body of a PUT that was sent but not answered; and every created
/// message with its body.
#[derive(Default)]
struct Acknowledged {
    in_flight: HashMap<i64, String>,
    created: HashMap<i64, String>,
}

fn random_below(limit: u64) -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("randomness");
    u64::from_le_bytes(bytes) % limit.max(1)
}

fn message_body(label: &str) -> Value {
    json!({
        "Ticket": {"TicketId": 1},
        "Body": label,
        "MessageHeaders": [{"Name": "X-Check", "Value": label}, {"Name": "X-Second", "Value": "2"}],
        "ExtraFields": {"x_check": label}
    })
}

/// The writers' client, signed in with an API token (so a fresh process answers at once,
/// without a password hash to verify first).
#[derive(Clone)]
struct Writer {
    client: reqwest::Client,
    authorization: String,
}

async fn send(writer: &Writer, method: reqwest::Method, url: String, body: &Value) -> Option<Value> {
    let response = writer
        .client
        .request(method, url)
        .header("Authorization", &writer.authorization)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .ok()?;
    if response.status() != StatusCode::OK {
        return None;
    }
    response.json().await.ok()
}

/// One writer: creates messages and overwrites its own until the server dies.
async fn writer(client: Writer, base: String, round: usize, index: usize, seen: Arc<Mutex<Acknowledged>>) {
    let Some(own) =
        send(&client, reqwest::Method::POST, format!("{base}/api/v1/TicketMessage"), &message_body("own")).await
    else {
        return;
    };
    let own_id = own["EjMessageId"].as_i64().unwrap_or(0);
    seen.lock().expect("lock").created.insert(own_id, "own".into());
    for n in 0.. {
        let label = format!("r{round}-w{index}-n{n}");
        if n % 3 == 0 {
            let Some(made) =
                send(&client, reqwest::Method::POST, format!("{base}/api/v1/TicketMessage"), &message_body(&label))
                    .await
            else {
                return;
            };
            seen.lock().expect("lock").created.insert(made["EjMessageId"].as_i64().unwrap_or(0), label);
            continue;
        }
        seen.lock().expect("lock").in_flight.insert(own_id, label.clone());
        let url = format!("{base}/api/v1/TicketMessage/{own_id}");
        if send(&client, reqwest::Method::PUT, url, &message_body(&label)).await.is_none() {
            return;
        }
        let mut seen = seen.lock().expect("lock");
        seen.in_flight.remove(&own_id);
        seen.created.insert(own_id, label);
    }
}

/// Checks every acknowledged write after a restart, and that no message lacks its child rows;
/// returns what each message now holds (an unanswered PUT may have landed).
async fn verify(store: &dyn ticketd::store::Store, seen: &Acknowledged) -> HashMap<i64, String> {
    let mut now = HashMap::new();
    for (id, body) in &seen.created {
        let id = i32::try_from(*id).expect("id");
        let message =
            store.message(id).await.expect("read").unwrap_or_else(|| panic!("acknowledged message {id} is lost"));
        let stored = &message.content.body;
        let allowed = [Some(body), seen.in_flight.get(&i64::from(id))];
        assert!(allowed.contains(&Some(stored)), "message {id} holds '{stored}', acknowledged '{body}'");
        let headers = &message.content.headers;
        assert_eq!(headers.len(), 2, "message {id} is half-written: {headers:?}");
        assert_eq!(headers[0].value, *stored, "message {id}'s headers are from another save");
        assert_eq!(message.content.extra_fields.get("x_check"), Some(stored), "message {id}'s fields");
        now.insert(i64::from(id), stored.clone());
    }
    every_message_is_whole(store).await;
    now
}

/// Every message the load wrote, acknowledged or not, has both its headers and its field.
async fn every_message_is_whole(store: &dyn ticketd::store::Store) {
    use ticketd::domain::list::{Column, ListQuery};
    let mut skip = 0;
    loop {
        let page = ListQuery { select: vec![Column::EjMessageId], filter: None, order: Vec::new(), skip, top: 500 };
        let rows = store.list_messages(&page, 500, None).await.expect("list");
        for row in &rows {
            let message = store.message(row.id).await.expect("read").expect("listed");
            let body = &message.content.body;
            let written_here =
                body.strip_prefix('r').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
            if body == "own" || written_here {
                let headers: Vec<&str> = message.content.headers.iter().map(|h| h.value.as_str()).collect();
                assert_eq!(headers, [body.as_str(), "2"], "message {} is half-written", row.id);
            }
        }
        if rows.len() < 500 {
            return;
        }
        skip += 500;
    }
}

async fn kill_and_restart_repeatedly(url: &str, options: &[&str]) {
    let (mut seeding, _) = serve_with(url, options);
    let token = run_ok(&["token", "issue", "tje0", "--database-url", url]);
    seeding.kill().expect("stop");
    seeding.wait().expect("reaped");
    let client = Writer { client: crate::helpers::client(), authorization: format!("Bearer {}", token.trim()) };
    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let mut verified = 0;
    for round in 0..kills() {
        let (mut server, base) = serve_with(url, options);
        let writers: Vec<_> =
            (0..WRITERS).map(|i| tokio::spawn(writer(client.clone(), base.clone(), round, i, seen.clone()))).collect();
        // Kill at a random moment once writes are landing.
        let before = seen.lock().expect("lock").created.len();
        let landing = async || (seen.lock().expect("lock").created.len() > before).then_some(());
        eventually(Duration::from_secs(20), landing).await.expect("writes land");
        tokio::time::sleep(Duration::from_millis(random_below(400))).await;
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
        for task in writers {
            let _ = task.await;
        }
        let store = ticketd::store::connect(url).await.expect("the database opens after the kill");
        let snapshot = std::mem::take(&mut *seen.lock().expect("lock"));
        let stored = verify(store.as_ref(), &snapshot).await;
        verified += stored.len();
        *seen.lock().expect("lock") = Acknowledged { created: stored, ..Acknowledged::default() };
    }
    let messages = seen.lock().expect("lock").created.len();
    assert!(messages > 0, "the load wrote something");
    eprintln!("{url}: {} kills, {messages} messages, {verified} message checks, nothing lost", kills());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_full_keeps_every_acknowledged_write_through_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("full.db").display());
    kill_and_restart_repeatedly(&url, &["--sqlite-synchronous", "full"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_normal_keeps_every_acknowledged_write_through_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("normal.db").display());
    kill_and_restart_repeatedly(&url, &["--sqlite-synchronous", "normal"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write_through_sigkill() {
    let Some(url) = crate::pg::fresh_database().await else { return };
    kill_and_restart_repeatedly(&url, &[]).await;
}
