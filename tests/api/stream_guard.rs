//! Open notification streams are checked again: a revoked ticket or token and a disabled
//! associate lose their stream and no later notification; and one associate may hold only so
//! many streams at once.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use ticketd::auth::issue::{issue_ticket, issue_token};
use ticketd::domain::Scope;
use ticketd::store::AssociateChange;

use crate::cli::output_beside_server;
use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};
use crate::sinks::eventually;

on_both_backends!(
    a_revoked_ticket_or_token_loses_its_stream_and_every_later_notification,
    a_disabled_associates_quiet_stream_is_closed,
    a_stream_ends_when_the_role_or_the_password_changes,
    the_ninth_stream_of_an_associate_gets_429_until_one_closes,
);

/// The demo's second associate (id 2); follows ticket 1.
const RAGNHILD_AUTH: &str = "Basic cmFnbmhpbGQ6UmFnbmhpbGQx";
const WAIT: Duration = Duration::from_secs(20);
const STREAM: &str = "/api/v1/notifications/stream";

/// A server whose streams check their caller every 200 ms.
async fn app_with_short_recheck(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |settings| settings.streams.stream_recheck = Duration::from_millis(200)).await
}

async fn open_stream(app: &TestApp, authorization: &str) -> reqwest::Response {
    let stream = app.client.get(app.url(STREAM)).header("Authorization", authorization).send().await.expect("answered");
    assert_eq!(stream.status(), StatusCode::OK);
    stream
}

/// tje0 saves message 1 with `notify=true`, which notifies ragnhild.
async fn save_notifying(app: &TestApp, body: &str) {
    let request = app.send_json(Method::PUT, "/api/v1/TicketMessage/1?notify=true", json!({"Body": body}).to_string());
    assert_eq!(request.send().await.expect("answered").status(), StatusCode::OK);
}

/// Reads the stream until `needle` arrives; what was read.
async fn read_until(stream: &mut reqwest::Response, needle: &str) -> String {
    let mut text = String::new();
    let read = async {
        while !text.contains(needle) {
            let chunk = stream.chunk().await.expect("stream reads").expect("stream stays open");
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(WAIT, read).await.expect("the event arrives");
    text
}

/// Reads the stream until the server ends it; everything it sent meanwhile.
async fn read_to_end(stream: &mut reqwest::Response) -> String {
    let mut text = String::new();
    let read = async {
        while let Ok(Some(chunk)) = stream.chunk().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(WAIT, read).await.expect("the server ends the stream");
    text
}

async fn ticketd(app: &TestApp, args: &[&str]) {
    let mut args = args.to_vec();
    args.extend(["--database-url", app.database_url()]);
    let output = output_beside_server(&args).await;
    assert!(output.status.success(), "ticketd {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

async fn a_revoked_ticket_or_token_loses_its_stream_and_every_later_notification(backend: Backend) {
    let Some(app) = app_with_short_recheck(backend).await else { return };
    let ticket = issue_ticket(app.store.as_ref(), 2, chrono::Duration::hours(1)).await.expect("ticket");
    let token = issue_token(app.store.as_ref(), 2, None, Scope::Read).await.expect("token");
    for (authorization, revoke) in [(format!("SoTicket {ticket}"), "ticket"), (format!("Bearer {token}"), "token")] {
        let mut stream = open_stream(&app, &authorization).await;
        let before = format!("before the {revoke} was revoked");
        save_notifying(&app, &before).await;
        read_until(&mut stream, &before).await;

        let secret = authorization.split_once(' ').map(|(_, secret)| secret).unwrap_or_default();
        ticketd(&app, &[revoke, "revoke", secret]).await;
        let after = format!("after the {revoke} was revoked");
        save_notifying(&app, &after).await;
        let rest = read_to_end(&mut stream).await;
        assert!(!rest.contains(&after), "a revoked {revoke} read a later notification: {rest}");
        let again = app.client.get(app.url(STREAM)).header("Authorization", &authorization).send().await;
        assert_eq!(again.expect("answered").status(), StatusCode::UNAUTHORIZED);
    }
}

async fn a_disabled_associates_quiet_stream_is_closed(backend: Backend) {
    let Some(app) = app_with_short_recheck(backend).await else { return };
    let mut stream = open_stream(&app, RAGNHILD_AUTH).await;
    save_notifying(&app, "while enabled").await;
    read_until(&mut stream, "while enabled").await;

    // Nothing is sent after this: the scheduled check alone must notice.
    ticketd(&app, &["associate", "disable", "ragnhild"]).await;
    read_to_end(&mut stream).await;
    let again = app.client.get(app.url(STREAM)).header("Authorization", RAGNHILD_AUTH).send().await;
    assert_eq!(again.expect("answered").status(), StatusCode::UNAUTHORIZED);
}

async fn a_stream_ends_when_the_role_or_the_password_changes(backend: Backend) {
    let Some(app) = app_with_short_recheck(backend).await else { return };
    let mut stream = open_stream(&app, RAGNHILD_AUTH).await;
    ticketd(&app, &["associate", "role", "ragnhild", "readonly"]).await;
    read_to_end(&mut stream).await;

    // Read-only associates may still follow their notifications, over a fresh stream.
    let mut stream = open_stream(&app, RAGNHILD_AUTH).await;
    save_notifying(&app, "for a reader").await;
    read_until(&mut stream, "for a reader").await;
    // The Basic verification cache remembers the old password's hash, not the new one.
    let new_hash = ticketd::auth::password::hash("Nytt-passord").expect("hash");
    let change = AssociateChange::PasswordHash(new_hash);
    assert!(app.store.change_associate("ragnhild", &change).await.expect("passwd"));
    read_to_end(&mut stream).await;
}

async fn the_ninth_stream_of_an_associate_gets_429_until_one_closes(backend: Backend) {
    // Keep-alives every half second find a dropped client's connection gone soon.
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.idle_timeout = Duration::from_secs(1)).await
    else {
        return;
    };
    let mut open = Vec::new();
    for _ in 0..8 {
        open.push(open_stream(&app, RAGNHILD_AUTH).await);
    }
    let ninth = app.client.get(app.url(STREAM)).header("Authorization", RAGNHILD_AUTH).send().await.expect("answered");
    assert_eq!(ninth.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after = ninth.headers().get("retry-after").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(retry_after.parse::<u64>().is_ok_and(|seconds| seconds >= 1), "Retry-After: '{retry_after}'");
    let body = serde_json::from_str(&ninth.text().await.expect("body")).expect("a JSON body");
    assert_error(
        (StatusCode::TOO_MANY_REQUESTS, body),
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequestsException",
        "ragnhild",
    );

    // Another associate's streams are counted apart.
    let other = open_stream(&app, crate::helpers::SEED_AUTH).await;

    drop(open.pop());
    let accepted = eventually(WAIT, async || {
        let attempt = app.client.get(app.url(STREAM)).header("Authorization", RAGNHILD_AUTH).send().await.ok()?;
        (attempt.status() == StatusCode::OK).then_some(attempt)
    })
    .await;
    assert!(accepted.is_some(), "a stream is accepted again once one of the eight has closed");
    drop(other);
}
