//! Concurrent saves of one message, over real sockets: a PUT without a precondition racing a
//! DELETE or a patch never answers 412, first saves of the same child rows never fail on each
//! other, and clients that vanish mid-request leave no connection inside a transaction.

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
/// request futures are dropped at every kind of await point; the requests answered meanwhile
/// succeed, and afterwards each message is one
/// whole save or another, never part of one, and every request works. The saves go first after
/// the storm: each takes the longest-idle pooled connection, so each connection a cancelled
/// request gave back is used for a save.
async fn requests_cancelled_at_any_point_leave_every_later_request_working(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let ids = [1, 2, 3, 4];
    let mut seed = 0x2545_f491_u64;
    let mut attempts = Vec::new();
    for n in 0..1600u32 {
        // xorshift: varied, repeatable give-up times from 0 to ~5 ms.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let give_up = Duration::from_micros(seed % 5000);
        let id = ids[n as usize % ids.len()];
        let path = format!("/api/v1/TicketMessage/{id}");
        let request = if n % 4 == 1 {
            app.request(Method::GET, &path)
        } else {
            let mut body: serde_json::Value = serde_json::from_str(SEED_BODY).expect("seed body");
            body["Body"] = json!(format!("save {n}"));
            body["ExtraFields"] = json!({"ExtraFields1": format!("save {n}")});
            app.send_json(Method::PUT, &path, body.to_string())
        };
        attempts.push(tokio::time::timeout(give_up, request.send()));
        if attempts.len() == 32 {
            assert_no_failure(futures_util::future::join_all(attempts.drain(..)).await);
        }
    }
    assert_no_failure(futures_util::future::join_all(attempts).await);
    for id in ids {
        let (status, body) = app.get_message(id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["Body"].as_str().is_some_and(|text| text.starts_with("save ")) {
            assert_eq!(body["ExtraFields"]["ExtraFields1"], body["Body"], "a save is visible in part: {body}");
        }
    }
    for n in 0..40 {
        let path = format!("/api/v1/TicketMessage/{}", ids[n % ids.len()]);
        let (status, body) = status_of(app.send_json(Method::PUT, &path, SEED_BODY)).await;
        assert_eq!(status, StatusCode::OK, "save {n} after the cancellations: {body}");
    }
    for n in 0..40 {
        let (status, body) = app.get_message(ids[n % ids.len()]).await;
        assert_eq!(status, StatusCode::OK, "read {n} after the cancellations: {body}");
        assert_eq!(body["Body"], "optio", "{body}");
        assert_eq!(body["ExtraFields"], json!({"ExtraFields1": "rerum", "ExtraFields2": "consequatur"}));
    }
}

/// The requests of the storm that were answered before their client gave up all succeeded.
fn assert_no_failure(answers: Vec<Result<reqwest::Result<reqwest::Response>, tokio::time::error::Elapsed>>) {
    for answer in answers.into_iter().flatten().flatten() {
        assert!(answer.status().is_success(), "a request between cancelled ones answered {}", answer.status());
    }
}
