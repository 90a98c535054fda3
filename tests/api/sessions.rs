//! Ending sign-ins over a real socket: sign-out ends the session and the ticket its login
//! issued; a password change or disabling ends every session and ticket of the associate.

use reqwest::StatusCode;
use serde_json::{Value, json};
use ticketd::auth::issue::{issue_ticket, issue_token};
use ticketd::domain::Scope;

use crate::auth::{HOUR, MESSAGE, get_with, status};
use crate::helpers::{Backend, TestApp, on_both_backends};

on_both_backends!(
    logout_ends_the_session_and_the_ticket_its_login_issued,
    password_changes_and_disabling_revoke_sessions_and_tickets,
);

/// A browser login: the `Cookie` header to send back, the XSRF token and the SoTicket issued.
async fn sign_in(app: &TestApp, login: &str, password: &str) -> (String, String, String) {
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"Username": login, "Password": password}))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let body: Value = response.json().await.expect("json");
    let field = |name: &str| body[name].as_str().expect(name).to_owned();
    (cookie, field("XsrfToken"), field("Ticket"))
}

/// The statuses of a GET with the session cookie and of one with the ticket.
async fn session_and_ticket_status(
    app: &TestApp,
    (cookie, xsrf, ticket): &(String, String, String),
) -> [StatusCode; 2] {
    let by_cookie = app.client.get(app.url(MESSAGE)).header("Cookie", cookie).header("X-XSRF-TOKEN", xsrf);
    [status(by_cookie).await, status(get_with(app, &format!("SoTicket {ticket}"))).await]
}

const BOTH_OK: [StatusCode; 2] = [StatusCode::OK, StatusCode::OK];
const BOTH_401: [StatusCode; 2] = [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED];

async fn logout_ends_the_session_and_the_ticket_its_login_issued(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let by_cookie = sign_in(&app, "ragnhild", "Ragnhild1").await;
    let other = sign_in(&app, "ragnhild", "Ragnhild1").await;
    assert_eq!(session_and_ticket_status(&app, &by_cookie).await, BOTH_OK);
    let (cookie, xsrf, _) = &by_cookie;
    let logout = app.client.delete(app.url("/api/v1/session")).header("Cookie", cookie).header("X-XSRF-TOKEN", xsrf);
    assert_eq!(status(logout).await, StatusCode::NO_CONTENT);
    assert_eq!(session_and_ticket_status(&app, &by_cookie).await, BOTH_401, "signed out with the cookie");
    assert_eq!(session_and_ticket_status(&app, &other).await, BOTH_OK, "another login is not ended");
    // Signing out with the login's ticket ends its session as well.
    let logout = app.client.delete(app.url("/api/v1/session")).header("Authorization", format!("SoTicket {}", other.2));
    assert_eq!(status(logout).await, StatusCode::NO_CONTENT);
    assert_eq!(session_and_ticket_status(&app, &other).await, BOTH_401, "signed out with the ticket");
    let unrelated = issue_ticket(app.store.as_ref(), 2, HOUR).await.expect("ticket");
    assert_eq!(status(get_with(&app, &format!("SoTicket {unrelated}"))).await, StatusCode::OK);
}

async fn password_changes_and_disabling_revoke_sessions_and_tickets(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let store = app.store.as_ref();
    let login = sign_in(&app, "ragnhild", "Ragnhild1").await;
    let issued = issue_ticket(store, 2, HOUR).await.expect("ticket");
    let token = issue_token(store, 2, None, Scope::ReadWrite).await.expect("token");
    let someone_else = issue_ticket(store, 1, HOUR).await.expect("ticket");
    // As an operator does it, with the server running.
    let url = app.database_url().to_owned();
    let passwd = tokio::task::spawn_blocking(move || {
        let mut child = crate::cli::ticketd()
            .args(["associate", "passwd", "Ragnhild", "--password-stdin", "--database-url", &url])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("ticketd runs");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), b"Nytt-passord1\n").expect("write");
        child.wait().expect("finishes")
    });
    assert!(passwd.await.expect("the command's thread").success());
    assert_eq!(session_and_ticket_status(&app, &login).await, BOTH_401, "after a password change");
    assert_eq!(status(get_with(&app, &format!("SoTicket {issued}"))).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(get_with(&app, &format!("Bearer {token}"))).await, StatusCode::OK, "API tokens stay");
    assert_eq!(status(get_with(&app, &format!("SoTicket {someone_else}"))).await, StatusCode::OK);
    // Disabling revokes too: enabling again does not bring the old credentials back.
    let login = sign_in(&app, "ragnhild", "Nytt-passord1").await;
    assert_eq!(session_and_ticket_status(&app, &login).await, BOTH_OK);
    for command in ["disable", "enable"] {
        crate::cli::run_ok_beside_server(&["associate", command, "ragnhild", "--database-url", app.database_url()])
            .await;
    }
    assert_eq!(session_and_ticket_status(&app, &login).await, BOTH_401, "after disabling");
    assert_eq!(status(get_with(&app, &format!("SoTicket {someone_else}"))).await, StatusCode::OK);
}
