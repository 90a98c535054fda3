//! Concurrent saves of one message, over real sockets: a PUT without a precondition racing a
//! DELETE or a patch never answers 412, first saves of the same child rows never fail on each
//! other, and clients that vanish mid-request leave no connection inside a transaction: saves
//! go through a writer that owns its transactions.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp, on_both_backends};

const SEED_BODY: &str = include_str!("../fixtures/seed-put-request.json");

on_both_backends!(
    puts_racing_deletes_and_patches_never_answer_412,
    concurrent_seed_puts_of_a_fresh_message_all_succeed,
    requests_cancelled_at_any_point_leave_every_later_request_working,
);

/// A new message on ticket 1; its id.
async fn new_message(app: &TestApp, text: &str) -> i64 {
    let body = json!({"Ticket": {"TicketId": 1}, "Body": text}).to_string();
    let (status, message) = app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body)).await;
    assert_eq!(status, StatusCode::OK, "{message}");
    message["EjMessageId"].as_i64().expect("id")
}

async fn status_of(request: reqwest::RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.expect("answered");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

async fn puts_racing_deletes_and_patches_never_answer_412(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for round in 0..30 {
        let id = new_message(&app, &format!("round {round}")).await;
        let path = format!("/api/v1/TicketMessage/{id}");
        let put = || status_of(app.send_json(Method::PUT, &path, SEED_BODY));
        let patch = || {
            status_of(
                app.request(Method::PUT, &path)
                    .header("Content-Type", "application/merge-patch+json")
                    .body(json!({"Body": "patched"}).to_string()),
            )
        };
        let delete = status_of(app.request(Method::DELETE, &path));
        let (a, b, c, d, e) = tokio::join!(put(), patch(), put(), delete, put());
        for (status, body) in [a, b, c, e] {
            assert!(
                [StatusCode::OK, StatusCode::NOT_FOUND].contains(&status),
                "round {round}: a save without a precondition answered {status}: {body}"
            );
        }
        assert!([StatusCode::OK, StatusCode::NO_CONTENT, StatusCode::NOT_FOUND].contains(&d.0), "delete: {d:?}");
    }
}

async fn concurrent_seed_puts_of_a_fresh_message_all_succeed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for round in 0..10 {
        let id = new_message(&app, &format!("fresh {round}")).await;
        let path = format!("/api/v1/TicketMessage/{id}");
        let puts = (0..8).map(|_| status_of(app.send_json(Method::PUT, &path, SEED_BODY)));
        for (status, body) in futures_util::future::join_all(puts).await {
            assert_eq!(status, StatusCode::OK, "round {round}: {body}");
        }
        let (status, stored) = app.get_message(id as i32).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(stored["ExtraFields"], json!({"ExtraFields1": "rerum", "ExtraFields2": "consequatur"}));
        assert_eq!(stored["MessageHeaders"].as_array().map(Vec::len), Some(2), "{stored}");
    }
}

/// Reads and saves whose clients give up after a pseudo-random short while, so the server's
/// request futures are dropped at every kind of await point. After each burst, writes through
/// the store take every pooled connection in turn (each takes the longest-idle one), before any
/// read could end a transaction a cancelled request left open on it: none may find itself
/// inside one. The requests answered meanwhile succeed, each message is one whole save or
/// another, never part of one, and every later request works.
async fn requests_cancelled_at_any_point_leave_every_later_request_working(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let ids = [1, 2, 3, 4];
    for id in ids {
        let (status, body) =
            status_of(app.send_json(Method::PUT, &format!("/api/v1/TicketMessage/{id}"), SEED_BODY)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let mut seed = 0x2545_f491_u64;
    for burst in 0..80 {
        assert_no_failure(
            futures_util::future::join_all((0..8).map(|n| cancelled(&app, &ids, &mut seed, burst * 8 + n))).await,
        );
        // Lets the server notice the closed connections and hand its connections back.
        tokio::time::sleep(Duration::from_millis(5)).await;
        for _ in 0..12 {
            let deleted = app.store.delete_message(999_999).await;
            assert!(matches!(deleted, Ok(false)), "a write after burst {burst}: {deleted:?}");
        }
    }
    for id in ids {
        let (status, body) = app.get_message(id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["Body"].as_str().is_some_and(|text| text.starts_with("save ")) {
            assert_eq!(body["ExtraFields"]["ExtraFields1"], body["Body"], "a save is visible in part: {body}");
        }
    }
    if matches!(backend, Backend::Postgres) {
        assert_no_session_in_a_transaction(app.database_url()).await;
    }
    let (_, saves_before) = app.store.group_commits().expect("saves go through a writer that owns its transactions");
    for n in 0..20 {
        let path = format!("/api/v1/TicketMessage/{}", ids[n % ids.len()]);
        let (status, body) = status_of(app.send_json(Method::PUT, &path, SEED_BODY)).await;
        assert_eq!(status, StatusCode::OK, "save {n} after the cancellations: {body}");
        let (status, body) = app.get_message(ids[n % ids.len()]).await;
        assert_eq!(status, StatusCode::OK, "read {n} after the cancellations: {body}");
        assert_eq!(body["Body"], "optio", "{body}");
    }
    let (_, saves_after) = app.store.group_commits().expect("writer counts");
    assert!(saves_after - saves_before >= 20, "every save went through the writer: {saves_before} → {saves_after}");
}

/// A read (three in four) or a save of the `n`th request, whose client gives up after 0 to 10 ms.
fn cancelled(
    app: &TestApp,
    ids: &[i32],
    seed: &mut u64,
    n: usize,
) -> tokio::time::Timeout<impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + use<>> {
    // xorshift: varied, repeatable give-up times.
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    let give_up = Duration::from_micros(*seed % 10_000);
    let path = format!("/api/v1/TicketMessage/{}", ids[n % ids.len()]);
    let request = if n % 4 == 3 {
        let mut body: serde_json::Value = serde_json::from_str(SEED_BODY).expect("seed body");
        body["Body"] = json!(format!("save {n}"));
        body["ExtraFields"] = json!({"ExtraFields1": format!("save {n}")});
        app.send_json(Method::PUT, &path, body.to_string())
    } else {
        app.request(Method::GET, &path)
    };
    tokio::time::timeout(give_up, request.send())
}

/// The requests of the storm that were answered before their client gave up all succeeded.
fn assert_no_failure(answers: Vec<Result<reqwest::Result<reqwest::Response>, tokio::time::error::Elapsed>>) {
    for answer in answers.into_iter().flatten().flatten() {
        assert!(answer.status().is_success(), "a request between cancelled ones answered {}", answer.status());
    }
}

/// No session on the database stays inside a transaction once the requests are over (the
/// pool's idle connections, and the writer's between batches). Work the cancelled requests left
/// running may still be between two statements of its own transaction: that one ends.
async fn assert_no_session_in_a_transaction(url: &str) {
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.expect("connect");
    let mut open: Vec<(i32, String, String)> = Vec::new();
    for _ in 0..100 {
        open = sqlx::query_as(
            "SELECT pid, state, query FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
        )
        .fetch_all(&mut admin)
        .await
        .expect("pg_stat_activity");
        if open.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("sessions left inside a transaction: {open:?}");
}
