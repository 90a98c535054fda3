//! The vendor's TypeScript client, unmodified, against ticketd's WebhookAgent:
//! `tests/agents/webhook_agent.mjs` uses the `WebhookAgent` class of `@superoffice/webapi`
//! (installed as for the TicketAgent test) to create a default webhook, save it (which sends the
//! test event to a real receiver), read it, list it, test it and delete it. Skipped as that test
//! is when node or npm cannot run outside CI.

use serde_json::{Value, json};

use super::receiver::VendorReceiver;
use crate::agents_client::{installed_client, run_flow};
use crate::helpers::{Backend, TestApp, on_both_backends};

async fn the_vendors_webhook_agent_saves_reads_lists_tests_and_deletes(backend: Backend) {
    let Some(dir) = installed_client("webhook agent client").await else { return };
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = VendorReceiver::start("npm-secret").await;
    let (base, url) = (app.base.clone(), receiver.url.clone());
    // Blocking off the runtime thread: the server under test and the receiver run on it.
    let run = tokio::task::spawn_blocking(move || run_flow("webhook_agent.mjs", &dir, &base, ("RECEIVER_URL", &url)))
        .await
        .expect("joined");

    assert_eq!(run["createDefault"], json!({"webhookId": 0, "state": "Active", "type": "webhook"}), "{run:#}");
    let id = run["save"]["id"].as_i64().expect("a new id");
    assert!(id > 0, "{run:#}");
    assert_eq!(run["save"]["secret"], Value::Null, "the secret is never answered: {run:#}");
    assert_eq!(run["get"]["name"], "npm partner", "{run:#}");
    assert_eq!(run["get"]["events"], json!(["ticketmessage.*"]), "{run:#}");
    assert_eq!(run["list"]["ids"], json!([id]), "{run:#}");
    assert_eq!(run["test"]["success"], true, "{run:#}");
    assert_eq!(run["delete"]["afterwards"], Value::Null, "{run:#}");
    let tests = receiver.of_event("test");
    assert_eq!(tests.len(), 2, "the registration's and the test call's test events");
    assert!(tests.iter().all(|hook| hook.signature_valid), "signed with the secret the client saved");
}

on_both_backends!(the_vendors_webhook_agent_saves_reads_lists_tests_and_deletes);
