//! Group commit keeps each save atomic: concurrent saves share a transaction, and one that fails
//! inside it rolls back alone while the others commit — on SQLite's writer thread and on
//! PostgreSQL's writer tasks alike.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp, on_both_backends};

on_both_backends!(a_failing_save_in_a_shared_commit_rolls_back_alone);

/// Saves carried and transactions run by the store's writer.
fn writer_counts(app: &TestApp) -> (u64, u64) {
    let (transactions, saves) = app.store.group_commits().expect("every save goes through a batching writer");
    (saves, transactions)
}

/// Rounds of concurrent PUTs of eight messages (saves of one message queue in the service, so
/// a batch gathers saves of different ones), every third naming a ticket that does not exist,
/// until the writer has carried more saves than it ran transactions (so failing saves shared a
/// commit with good ones). Every good save is answered 200 and stored whole; every bad one is
/// answered 400 and leaves no trace.
async fn a_failing_save_in_a_shared_commit_rolls_back_alone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let app = std::sync::Arc::new(app);
    for id in 1..=8 {
        assert_eq!(put(&app, id, "first save 0", 1).await.0, StatusCode::OK);
    }
    for round in 0..20 {
        let before = writer_counts(&app);
        let puts = (0..16).map(|n| {
            let app = app.clone();
            async move {
                let ticket = if n % 3 == 2 { 999_999 } else { 1 };
                (n, put(&app, n % 8 + 1, &format!("round {round} save {n}"), ticket).await)
            }
        });
        for (n, (status, body)) in futures_util::future::join_all(puts).await {
            let expected = if n % 3 == 2 { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            assert_eq!(status, expected, "round {round} save {n}: {body}");
        }
        for id in 1..=8 {
            let (_, message) = app.get_message(id).await;
            let header = message["MessageHeaders"][0]["Value"].clone();
            assert_eq!(message["Body"], header, "message and headers come from one save: {message}");
            assert_eq!(message["Ticket"]["TicketId"], 1, "{message}");
            let n: u32 = header.as_str().and_then(|text| text.rsplit(' ').next()?.parse().ok()).expect("save number");
            assert_ne!(n % 3, 2, "a refused save is not what is stored: {message}");
        }
        let after = writer_counts(&app);
        assert!(after.0 - before.0 >= 16, "every save went through the writer: {before:?} → {after:?}");
        if after.0 - before.0 > after.1 - before.1 {
            return;
        }
        eprintln!("round {round}: no two saves shared a commit; again");
    }
    panic!("in 20 rounds of 16 concurrent saves, no two shared a commit: {:?}", writer_counts(&app));
}

/// A PUT of message `id` whose body and first header are `text`, on ticket `ticket`.
async fn put(app: &TestApp, id: i32, text: &str, ticket: i32) -> (StatusCode, serde_json::Value) {
    let body = json!({"Body": text, "Ticket": {"TicketId": ticket}, "MessageHeaders": [{"Name": "N", "Value": text}]});
    app.call(app.send_json(Method::PUT, &format!("/api/v1/TicketMessage/{id}"), body.to_string())).await
}
