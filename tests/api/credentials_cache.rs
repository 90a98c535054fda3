//! The verified-credentials cache: a hit reads no associate row, and a password change, a
//! disable or a role change made by another process (`ticketd associate ...`) or by another
//! server on the same database is seen by the next requests, within the documented bound.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::{RequestBuilder, StatusCode};
use ticketd::auth::issue::{issue_ticket, issue_token};
use ticketd::domain::Scope;
use ticketd::store::AssociateChange;

use crate::auth::{HOUR, MESSAGE, get_with, status};
use crate::cli::ticketd;
use crate::helpers::{Backend, TestApp, on_both_backends};

on_both_backends!(
    a_cache_hit_reads_no_associate_row,
    command_line_changes_reach_the_running_server,
    jwt_bearers_read_their_associate_once_and_a_disable_is_seen,
);

/// Far above the documented bound; only a change that is never seen runs into it.
const PATIENCE: Duration = Duration::from_secs(30);

/// Sends `request()` until it is answered `wanted`; panics when that does not happen in time.
async fn until(what: &str, wanted: StatusCode, request: impl Fn() -> RequestBuilder) {
    let give_up = Instant::now() + PATIENCE;
    loop {
        let got = status(request()).await;
        if got == wanted {
            return;
        }
        assert!(Instant::now() < give_up, "{what}: still {got}, never {wanted}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A GET of message 1 as `login` with `password`.
fn basic_as(app: &TestApp, login: &str, password: &str) -> RequestBuilder {
    app.client.get(app.url(MESSAGE)).basic_auth(login, Some(password))
}

/// Runs `ticketd associate ARGS --database-url URL` as its own process, `input` on stdin.
async fn associate(url: &str, args: &[&str], input: &str) {
    let (url, input) = (url.to_owned(), input.to_owned());
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let output = tokio::task::spawn_blocking(move || {
        let mut child = ticketd()
            .arg("associate")
            .args(&args)
            .args(["--database-url", &url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ticketd runs");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("stdin written");
        child.wait_with_output().expect("finishes")
    })
    .await
    .expect("joined");
    assert!(output.status.success(), "associate: {}", String::from_utf8_lossy(&output.stderr));
}

async fn a_cache_hit_reads_no_associate_row(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let store = app.store.as_ref();
    let ticket = issue_ticket(store, 2, HOUR).await.expect("ticket");
    let token = issue_token(store, 3, None, Scope::ReadWrite).await.expect("token");
    for login in ["tje0", "TJE0"] {
        assert_eq!(status(basic_as(&app, login, "Tje0")).await, StatusCode::OK);
    }
    assert_eq!(status(get_with(&app, &format!("SoTicket {ticket}"))).await, StatusCode::OK);
    assert_eq!(status(get_with(&app, &format!("Bearer {token}"))).await, StatusCode::OK);
    let filled = store.credential_reads();
    assert!(filled > 0, "the first requests read the associates");
    for _ in 0..10 {
        for login in ["tje0", "TJE0"] {
            assert_eq!(status(basic_as(&app, login, "Tje0")).await, StatusCode::OK);
        }
        assert_eq!(status(get_with(&app, &format!("SoTicket {ticket}"))).await, StatusCode::OK);
        assert_eq!(status(get_with(&app, &format!("Bearer {token}"))).await, StatusCode::OK);
    }
    assert_eq!(store.credential_reads(), filled, "cache hits read no associate row");
}

async fn command_line_changes_reach_the_running_server(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let url = app.database_url().to_owned();
    let ticket = issue_ticket(app.store.as_ref(), 2, HOUR).await.expect("ticket");
    let app = &app;
    let basic = |password: &'static str| move || basic_as(app, "ragnhild", password);
    assert_eq!(status(basic("Ragnhild1")()).await, StatusCode::OK);
    assert_eq!(status(basic("Ragnhild1")()).await, StatusCode::OK, "cached");

    associate(&url, &["passwd", "ragnhild", "--password-stdin"], "Nytt-passord\n").await;
    until("the old password", StatusCode::UNAUTHORIZED, basic("Ragnhild1")).await;
    until("the new password", StatusCode::OK, basic("Nytt-passord")).await;

    let put = || app.client.put(app.url(MESSAGE)).header("Content-Type", "application/json").body(r#"{"Body":"x"}"#);
    let fresh = issue_ticket(app.store.as_ref(), 2, HOUR).await.expect("ticket");
    let write = || put().basic_auth("ragnhild", Some("Nytt-passord"));
    let write_by_ticket = || put().header("Authorization", format!("SoTicket {fresh}"));
    assert_eq!(status(write()).await, StatusCode::OK);
    assert_eq!(status(write_by_ticket()).await, StatusCode::OK);
    associate(&url, &["role", "ragnhild", "readonly"], "").await;
    until("a write after the role change", StatusCode::FORBIDDEN, write).await;
    until("a ticket's write after the role change", StatusCode::FORBIDDEN, write_by_ticket).await;
    assert_eq!(status(basic("Nytt-passord")()).await, StatusCode::OK, "still reads");

    associate(&url, &["disable", "ragnhild"], "").await;
    until("a disabled login", StatusCode::UNAUTHORIZED, basic("Nytt-passord")).await;
    // Tickets end with a password change or a disable, in the same transaction.
    assert_eq!(status(get_with(app, &format!("SoTicket {ticket}"))).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(write_by_ticket()).await, StatusCode::UNAUTHORIZED);
}

/// Two servers on one PostgreSQL database: what one changes, the other sees.
#[tokio::test]
async fn another_server_on_the_same_database_sees_changes() {
    let Some(first) = TestApp::spawn(Backend::Postgres).await else { return };
    let url = first.database_url().to_owned();
    let Some(second) = TestApp::spawn_with(Backend::Postgres, |settings| settings.database_url = url.into()).await
    else {
        return;
    };
    let at = |app: &TestApp| basic_as(app, "jose", "José1");
    assert_eq!(status(at(&first)).await, StatusCode::OK);
    assert_eq!(status(at(&second)).await, StatusCode::OK);
    assert_eq!(status(at(&second)).await, StatusCode::OK, "cached");
    let reads = second.store.credential_reads();

    first.store.change_associate("jose", &AssociateChange::Disabled(true)).await.expect("disable");
    until("disabled through the other server", StatusCode::UNAUTHORIZED, || at(&second)).await;
    first.store.change_associate("jose", &AssociateChange::Disabled(false)).await.expect("enable");
    until("enabled through the other server", StatusCode::OK, || at(&second)).await;
    assert!(second.store.credential_reads() > reads, "the change made the second server read again");
}

async fn jwt_bearers_read_their_associate_once_and_a_disable_is_seen(backend: Backend) {
    const SECRET: &str = "a-long-enough-test-secret-for-hs256";
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.auth.jwt_hs256_secret = Some(SECRET.into())).await
    else {
        return;
    };
    let claims = serde_json::json!({"sub": "Ragnhild", "exp": chrono::Utc::now().timestamp() + 600});
    let key = EncodingKey::from_secret(SECRET.as_bytes()).expect("key");
    let jwt = encode(&Header::new(Algorithm::HS256), &claims, &key).expect("jwt");
    let bearer = || get_with(&app, &format!("Bearer {jwt}"));
    let reads = app.store.credential_reads();
    for _ in 0..10 {
        assert_eq!(status(bearer()).await, StatusCode::OK);
    }
    assert_eq!(app.store.credential_reads(), reads + 1, "ten JWT requests read the associate row once");

    app.store.change_associate("ragnhild", &AssociateChange::Disabled(true)).await.expect("disable");
    assert_eq!(status(bearer()).await, StatusCode::UNAUTHORIZED, "a disabled login's JWT is refused at once");
    app.store.change_associate("ragnhild", &AssociateChange::Disabled(false)).await.expect("enable");
    until("enabled again", StatusCode::OK, bearer).await;
}
