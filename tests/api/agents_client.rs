//! The vendor's TypeScript client, unmodified, against ticketd's Agents API: `tests/agents/ticket_agent.mjs`
//! uses the `TicketAgent` class of `@superoffice/webapi` (installed from npm into
//! `target/agents-node` on first use) to create a default message, save it (create), save it
//! again (update), read it, set it important, save it with notify, list the ticket's messages,
//! read its summary and delete it. Outside CI the test is skipped, with a message, when node or
//! npm cannot run or the registry is out of reach; under `CI=true` that fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::{Value, json};
use ticketd::domain::notification::Channel;

use crate::helpers::{Backend, TestApp, on_both_backends};

on_both_backends!(the_vendors_ticket_agent_runs_the_whole_flow_unmodified);

/// Pinned, so a new release of the client is a reviewed change.
const PACKAGE: &str = "@superoffice/webapi@12.4.1514";
/// The demo ticket the flow writes to: owned by tje0 (who runs the flow), followed by ragnhild.
const TICKET: i32 = 1;

fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/agents-node")
}

/// `npm install`s the vendor's package once per checkout; why it cannot, otherwise.
pub(crate) fn install_client() -> Result<PathBuf, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match Command::new("node").arg("--version").output() {
        Ok(output) if output.status.success() => {}
        _ => return Err("node cannot run (apt-get install npm)".into()),
    }
    let dir = node_dir();
    if dir.join("node_modules/@superoffice/webapi/package.json").exists() {
        return Ok(dir);
    }
    let output = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
        .arg(&dir)
        .arg(PACKAGE)
        .output()
        .map_err(|e| format!("npm cannot run: {e}"))?;
    if !output.status.success() {
        return Err(format!("npm install {PACKAGE} failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    Ok(dir)
}

/// Runs `tests/agents/{script}` against `base`, with `env` set besides, and returns the JSON line
/// it prints; fails the test unless every step of its flow went through.
pub(crate) fn run_flow(script: &str, dir: &Path, base: &str, env: (&str, &str)) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/agents").join(script);
    let output = Command::new("node")
        .arg(script)
        .env("TICKETD_BASE", base)
        .env("AGENTS_NODE", dir)
        .env(env.0, env.1)
        .output()
        .expect("node runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    let line = printed.lines().last().unwrap_or_default();
    let run: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {printed}\n{}", String::from_utf8_lossy(&output.stderr)));
    assert!(output.status.success() && run["ok"] == true, "the vendor client's flow failed: {run:#}");
    run
}

/// Where the vendor's package is installed; `None` (the `test` skipped, with a message) when it
/// cannot be, except under `CI=true`, where that fails the test.
pub(crate) async fn installed_client(test: &str) -> Option<PathBuf> {
    match tokio::task::spawn_blocking(install_client).await.expect("joined") {
        Ok(dir) => Some(dir),
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("the vendor client test cannot run in CI: {why}")
        }
        Err(why) => {
            eprintln!("{test}: skipped, {why}");
            None
        }
    }
}

async fn the_vendors_ticket_agent_runs_the_whole_flow_unmodified(backend: Backend) {
    let Some(dir) = installed_client("agents client").await else { return };
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.delivery.no_dispatch = true).await else {
        return;
    };
    let base = app.base.clone();
    // Blocking off the runtime thread: the server under test runs on it.
    let run = tokio::task::spawn_blocking(move || {
        run_flow("ticket_agent.mjs", &dir, &base, ("TICKET_ID", &TICKET.to_string()))
    })
    .await
    .expect("joined");

    assert_eq!(run["createDefault"]["ejMessageId"], 0, "{run:#}");
    assert_eq!(run["createDefault"]["slevel"], "Internal", "{run:#}");
    let id = run["saveCreate"]["id"].as_i64().expect("a new id");
    assert!(id > 0, "{run:#}");
    assert_eq!(run["saveCreate"]["ticketId"], TICKET, "{run:#}");
    assert_eq!(run["saveUpdate"], json!({"id": id, "body": "Updated by the vendor's TicketAgent"}));
    assert_eq!(run["get"], json!({"id": id, "body": "Updated by the vendor's TicketAgent", "important": false}));
    assert_eq!(run["setImportant"], json!({"important": true}));
    assert_eq!(
        run["saveWithNotify"],
        json!({"id": id, "body": "Saved with notify by the vendor's TicketAgent", "important": true})
    );
    assert_eq!(run["list"]["listed"], json!([id]), "{run:#}");
    let all = run["list"]["all"].as_array().expect("all of the ticket's messages");
    assert!(all.len() >= 2 && all.contains(&json!(id)), "{run:#}");
    assert!(all.windows(2).all(|w| w[0].as_i64() < w[1].as_i64()), "in id order: {run:#}");
    assert_eq!(run["summary"], json!({"id": id, "important": true, "createdBy": 1}));
    assert_eq!(run["delete"]["afterwards"], Value::Null, "a deleted message reads as null: {run:#}");

    // Only the save with notify queued notifications: ragnhild follows ticket 1.
    let rows = app.store.outbox(None, 100).await.expect("outbox");
    assert!(!rows.is_empty() && rows.iter().all(|r| r.message_id == id as i32), "{rows:?}");
    assert!(rows.iter().any(|r| r.channel == Channel::Stream && r.recipient_id == Some(2)), "{rows:?}");
    let (status, _) = app.get_message(id as i32).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
}
