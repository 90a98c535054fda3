//! Updates are applied inside the write: the store reads the message in the transaction that
//! saves it, so concurrent merge patches of one message all land without any request reading
//! it first or retrying, every update (and create) answers the message as that write saved it
//! (no read after), and a stale `If-Match` is still refused.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    concurrent_merge_patches_of_one_message_all_land_without_a_read,
    updates_and_creates_answer_the_saved_message_without_reading_it,
    a_stale_if_match_patch_is_refused_and_changes_nothing,
    two_servers_patching_one_message_lose_nothing_and_never_retry,
    every_kind_of_edit_answers_what_a_later_read_finds,
);

const SEED_BODY: &str = include_str!("../fixtures/seed-put-request.json");

/// The hot message every client patches.
const HOT: &str = "/api/v1/TicketMessage/7";

fn merge_patch(app: &TestApp, path: &str, body: &Value) -> reqwest::RequestBuilder {
    app.request(Method::PATCH, path).header("Content-Type", "application/merge-patch+json").body(body.to_string())
}

async fn concurrent_merge_patches_of_one_message_all_land_without_a_read(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let app = Arc::new(app);
    let version = app.store.message(7).await.expect("read").expect("exists").version;
    let reads = app.store.message_reads();
    let clients: Vec<_> = (0..24)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                let patch = json!({"ExtraFields": {format!("client{n}"): n.to_string()}});
                let (status, saved) = app.call(merge_patch(&app, HOT, &patch)).await;
                (n, status, saved)
            })
        })
        .collect();
    for client in clients {
        let (n, status, saved) = client.await.expect("task");
        assert_eq!(status, StatusCode::OK, "an unconditional PATCH is never refused: {saved}");
        assert_eq!(saved["ExtraFields"][format!("client{n}")], n.to_string(), "the answer is the save it made");
    }
    assert_eq!(app.store.message_reads(), reads, "no PATCH read the message outside its write, nor retried");
    let stored = app.store.message(7).await.expect("read").expect("exists");
    let landed = (0..24).filter(|n| stored.content.extra_fields.contains_key(&format!("client{n}"))).count();
    assert_eq!(landed, 24, "every merge patch landed on the save before it");
    assert_eq!(stored.version, version + 24, "one version per PATCH");
}

async fn updates_and_creates_answer_the_saved_message_without_reading_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let put = app.send_json(Method::PUT, "/api/v1/TicketMessage/2", r#"{"Body":"put"}"#);
    let patch = merge_patch(&app, "/api/v1/TicketMessage/2", &json!({"SearchTitle": "patched"}));
    let post = app.send_json(Method::POST, "/api/v1/TicketMessage", r#"{"EjMessageId":2,"Body":"posted"}"#);
    let create = app.send_json(Method::POST, "/api/v1/TicketMessage", r#"{"Ticket":{"TicketId":1},"Body":"new"}"#);
    for (what, request) in [("PUT", put), ("PATCH", patch), ("POST naming it", post), ("POST creating", create)] {
        let reads = app.store.message_reads();
        let (status, mut saved) = app.call(request).await;
        assert!(status.is_success(), "{what}: {status} {saved}");
        assert_eq!(app.store.message_reads(), reads, "{what} answered without reading the message");
        let id = saved["EjMessageId"].as_i64().and_then(|id| i32::try_from(id).ok()).expect("an id");
        let (_, mut fetched) = app.get_message(id).await;
        // Links differ by method; the message is what is compared.
        for answer in [&mut saved, &mut fetched] {
            answer.as_object_mut().map(|fields| fields.remove("_Links"));
        }
        assert_eq!(fetched, saved, "{what} answered the message as stored");
    }
}

async fn a_stale_if_match_patch_is_refused_and_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let path = "/api/v1/TicketMessage/5";
    let first = merge_patch(&app, path, &json!({"Body": "first"})).header("If-Match", "\"5-1\"");
    let (status, saved) = app.call(first).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, before) = app.get_message(5).await;
    let stale = merge_patch(&app, path, &json!({"Body": "stale"})).header("If-Match", "\"5-1\"");
    assert_error(app.call(stale).await, StatusCode::PRECONDITION_FAILED, "PreconditionFailedException", "If-Match");
    assert_eq!(app.get_message(5).await.1, before, "the refused PATCH changed nothing");
    let missing = merge_patch(&app, "/api/v1/TicketMessage/99999", &json!({"Body": "x"}));
    assert_eq!(app.call(missing).await.0, StatusCode::NOT_FOUND, "an update never creates");
}

/// Two servers on one database: only the database can order their saves of one message, and the
/// edit read inside the write lets it, so no patch is applied to a version another one replaced.
async fn two_servers_patching_one_message_lose_nothing_and_never_retry(backend: Backend) {
    let Some(first) = TestApp::spawn(backend).await else { return };
    let url = first.database_url().to_owned();
    let Some(second) = TestApp::spawn_with(backend, |settings| settings.database_url = url.into()).await else {
        return;
    };
    let servers = [Arc::new(first), Arc::new(second)];
    let version = servers[0].store.message(7).await.expect("read").expect("exists").version;
    let reads: Vec<u64> = servers.iter().map(|app| app.store.message_reads()).collect();
    let clients: Vec<_> = (0..24)
        .map(|n: usize| {
            let app = servers[n % 2].clone();
            tokio::spawn(async move {
                let patch = json!({"ExtraFields": {format!("server{n}"): "x"}});
                app.call(merge_patch(&app, HOT, &patch)).await.0
            })
        })
        .collect();
    for client in clients {
        assert_eq!(client.await.expect("task"), StatusCode::OK);
    }
    for (app, before) in servers.iter().zip(reads) {
        assert_eq!(app.store.message_reads(), before, "no server read the message outside a write, nor retried");
    }
    let stored = servers[0].store.message(7).await.expect("read").expect("exists");
    let landed = (0..24).filter(|n| stored.content.extra_fields.contains_key(&format!("server{n}"))).count();
    assert_eq!((landed, stored.version), (24, version + 24), "every patch landed on the one before");
}

/// The answer to an edit is built from what its write had in hand: child rows kept, moved,
/// changed, dropped and new (with the ids the database gave them), a changed relation (the
/// answer is then read in the write), and the round trip. Each answer is what a GET finds next.
async fn every_kind_of_edit_answers_what_a_later_read_finds(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let path = "/api/v1/TicketMessage/3";
    let (status, seeded) = app.call(app.send_json(Method::PUT, path, SEED_BODY)).await;
    assert_eq!(status, StatusCode::OK, "{seeded}");
    assert_answered_as_stored(&app, "PUT of the seed body", seeded.clone()).await;
    let mut round_trip = app.get_message(3).await.1;
    round_trip["Body"] = json!("round trip");
    let (_, saved) = app.call(app.send_json(Method::PUT, path, round_trip.to_string())).await;
    assert_answered_as_stored(&app, "round trip", saved.clone()).await;
    let mut reshaped = saved;
    let headers = reshaped["MessageHeaders"].as_array_mut().expect("headers");
    headers.swap(0, 1);
    headers.push(json!({"Id": 0, "Name": "Bcc", "Value": "b@example.com"}));
    headers[0]["Value"] = json!("changed");
    reshaped["AttachmentsInfo"].as_array_mut().expect("attachments").remove(0);
    reshaped["ExtraFields"] = json!({"ExtraFields1": "new value", "Added": "x"});
    let (status, saved) = app.call(app.send_json(Method::PUT, path, reshaped.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["MessageHeaders"].as_array().map(Vec::len), Some(3));
    assert_answered_as_stored(&app, "children moved, changed, dropped and added", saved).await;
    let person = json!({"Person": {"PersonId": seeded_person(&app).await}});
    let (status, saved) = app.call(merge_patch(&app, path, &person)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_answered_as_stored(&app, "another person", saved).await;
    let cleared = json!({"MessageHeaders": [], "AttachmentsInfo": [], "ExtraFields": {}, "CustomFields": {}});
    let (_, saved) = app.call(merge_patch(&app, path, &cleared)).await;
    assert_answered_as_stored(&app, "every child row dropped", saved).await;
}

/// A person the demo data has: the one some demo message names.
async fn seeded_person(app: &TestApp) -> i64 {
    for id in 1..=10 {
        if let Some(person) = app.get_message(id).await.1["Person"]["PersonId"].as_i64().filter(|id| *id > 0) {
            return person;
        }
    }
    panic!("no demo message names a person")
}

async fn assert_answered_as_stored(app: &TestApp, what: &str, mut saved: Value) {
    let id = saved["EjMessageId"].as_i64().and_then(|id| i32::try_from(id).ok()).expect("an id");
    let (_, mut fetched) = app.get_message(id).await;
    for answer in [&mut saved, &mut fetched] {
        answer.as_object_mut().map(|fields| fields.remove("_Links"));
    }
    assert_eq!(fetched, saved, "{what}: the answer is the message as stored");
}
