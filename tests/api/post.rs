//! `POST /api/v1/TicketMessage` and `GET /api/v1/TicketMessage/{id}` over a real socket.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    post_creates_with_a_new_id_and_answers_200,
    post_with_an_existing_id_updates_it,
    post_with_an_unknown_id_creates_a_new_message,
    post_without_a_ticket_is_refused_and_nothing_is_created,
    post_defaults_the_creator_to_the_caller_and_records_notify,
    get_answers_404_for_missing_and_non_numeric_ids,
    a_retried_create_with_the_same_idempotency_key_makes_one_message,
);

async fn post_creates_with_a_new_id_and_answers_200(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = json!({"Ticket": {"TicketId": 3}, "Body": "Neue Nachricht – grüß dich", "Type": "Html"});
    let (status, created) = app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["EjMessageId"].as_i64().expect("new id");
    assert!(id > 10, "demo messages are 1..=10, got {id}");
    assert_eq!(created["Ticket"]["TicketId"], 3);
    assert_eq!(app.get_message(id as i32).await.1, created);
    let events = app.store.save_events(id as i32).await.expect("events");
    assert_eq!(events[0].event, "ticketmessage.created");
}

async fn post_with_an_existing_id_updates_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = json!({"EjMessageId": 2, "Body": "upserted"});
    let (status, saved) = app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body.to_string())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(saved["EjMessageId"], 2);
    assert_eq!(app.get_message(2).await.1["Body"], "upserted");
}

async fn post_with_an_unknown_id_creates_a_new_message(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = json!({"EjMessageId": 4242, "Ticket": {"TicketId": 1}, "Body": "fresh"});
    let (status, saved) = app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body.to_string())).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(saved["EjMessageId"], 4242);
    assert_eq!(app.get_message(4242).await.0, StatusCode::NOT_FOUND);
}

async fn post_without_a_ticket_is_refused_and_nothing_is_created(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = json!({"Body": "orphan"}).to_string();
    let answer = app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body)).await;
    assert_error(answer, StatusCode::BAD_REQUEST, "ArgumentException", "Ticket.TicketId");
    let body = json!({"Ticket": {"TicketId": 77}, "Body": "orphan"}).to_string();
    let answer = app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body)).await;
    assert_error(answer, StatusCode::BAD_REQUEST, "ArgumentException", "Ticket.TicketId");
    assert_eq!(app.get_message(11).await.0, StatusCode::NOT_FOUND);
}

async fn post_defaults_the_creator_to_the_caller_and_records_notify(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = json!({"Ticket": {"TicketId": 1}, "CreatedBy": null});
    let request = app.send_json(Method::POST, "/api/v1/TicketMessage?notify=true", body.to_string());
    let (status, created) = app.call(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(created["CreatedBy"]["Name"], "tje0");
    let id = created["EjMessageId"].as_i64().expect("id") as i32;
    assert!(app.store.save_events(id).await.expect("events")[0].notify);
}

async fn get_answers_404_for_missing_and_non_numeric_ids(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for path in [
        "/api/v1/TicketMessage/99999",
        "/api/v1/TicketMessage/abc",
        "/api/v1/TicketMessage/0",
        "/api/v1/TicketMessage/-1",
        "/api/v1/TicketMessage/99999999999",
    ] {
        let answer = app.call(app.request(Method::GET, path)).await;
        assert_error(answer, StatusCode::NOT_FOUND, "SoNotFoundException", "TicketMessage id");
    }
}

async fn a_retried_create_with_the_same_idempotency_key_makes_one_message(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let app = std::sync::Arc::new(app);
    let body = json!({"Ticket": {"TicketId": 2}, "Body": "once only"}).to_string();
    let post = |key: &str| {
        app.send_json(Method::POST, "/api/v1/TicketMessage?notify=true", body.clone()).header("Idempotency-Key", key)
    };
    let first = post("retry-1").send().await.expect("answered");
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let created: serde_json::Value = first.json().await.expect("json");
    let retries: Vec<_> = (0..4)
        .map(|_| {
            let request = post("retry-1");
            tokio::spawn(async move { request.send().await.expect("answered") })
        })
        .collect();
    for retry in retries {
        let response = retry.await.expect("task");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["idempotent-replayed"], "true");
        let replayed: serde_json::Value = response.json().await.expect("json");
        assert_eq!(replayed["EjMessageId"], created["EjMessageId"]);
    }
    let (_, other) = app.call(post("retry-2")).await;
    assert_ne!(other["EjMessageId"], created["EjMessageId"], "another key creates another message");
    let id = created["EjMessageId"].as_i64().expect("id") as i32;
    assert_eq!(app.store.save_events(id).await.expect("events").len(), 1, "one save, one notification record");
    assert_eq!(app.get_message(id + 2).await.0, StatusCode::NOT_FOUND, "exactly two messages were created");
    let bad = app.send_json(Method::POST, "/api/v1/TicketMessage", body.clone()).header("Idempotency-Key", "");
    assert_error(app.call(bad).await, StatusCode::BAD_REQUEST, "ArgumentException", "Idempotency-Key");
}
