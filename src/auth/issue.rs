//! Issuing credentials: SoTicket tickets, API tokens, browser sessions and partner application
//! tokens. Each returns the secret once; only its hash is stored.

use super::bearer::TOKEN_PREFIX;
use super::secrets::{digest, generate};
use super::ticket::TICKET_PREFIX;
use crate::domain::Scope;
use crate::store::{NewSecret, SecretKind, Store};

fn expiry(ttl: Option<chrono::Duration>) -> Option<crate::domain::Timestamp> {
    ttl.and_then(|ttl| chrono::Utc::now().naive_utc().checked_add_signed(ttl))
}

async fn remember(store: &dyn Store, kind: SecretKind, secret: &str, fill: NewSecretFill) -> Result<(), String> {
    let record = NewSecret {
        hash: digest(secret),
        kind,
        associate_id: fill.associate_id,
        name: fill.name,
        scope: fill.scope,
        xsrf_token: fill.xsrf_token,
        expires_at: expiry(fill.ttl),
    };
    store.insert_secret(&record).await.map_err(|err| err.to_string())
}

#[derive(Default)]
struct NewSecretFill {
    associate_id: Option<i32>,
    name: String,
    scope: Scope,
    xsrf_token: String,
    ttl: Option<chrono::Duration>,
}

/// A new `7T:` ticket for an associate.
pub async fn issue_ticket(store: &dyn Store, associate_id: i32, ttl: chrono::Duration) -> Result<String, String> {
    let ticket = generate(TICKET_PREFIX)?;
    let fill = NewSecretFill { associate_id: Some(associate_id), ttl: Some(ttl), ..Default::default() };
    remember(store, SecretKind::Ticket, &ticket, fill).await?;
    Ok(ticket)
}

/// What a login's ticket is named after: its session's stored hash, so that ending either
/// ends both.
pub const SESSION_LINK_PREFIX: &str = "session:";

/// The name of the ticket issued with the session whose stored hash is `session_hash`.
pub fn session_link(session_hash: &str) -> String {
    format!("{SESSION_LINK_PREFIX}{session_hash}")
}

/// A new `7T:` ticket issued with the browser session `session` (see [`session_link`]).
pub async fn issue_session_ticket(
    store: &dyn Store,
    associate_id: i32,
    ttl: chrono::Duration,
    session: &str,
) -> Result<String, String> {
    let ticket = generate(TICKET_PREFIX)?;
    let fill = NewSecretFill {
        associate_id: Some(associate_id),
        name: session_link(&digest(session)),
        ttl: Some(ttl),
        ..Default::default()
    };
    remember(store, SecretKind::Ticket, &ticket, fill).await?;
    Ok(ticket)
}

/// A new opaque Bearer token for an associate (no expiry when `ttl` is `None`).
pub async fn issue_token(
    store: &dyn Store,
    associate_id: i32,
    ttl: Option<chrono::Duration>,
    scope: Scope,
) -> Result<String, String> {
    let token = generate(TOKEN_PREFIX)?;
    let fill = NewSecretFill { associate_id: Some(associate_id), scope, ttl, ..Default::default() };
    remember(store, SecretKind::ApiToken, &token, fill).await?;
    Ok(token)
}

/// A new browser session: the session id (for the HttpOnly cookie) and its XSRF token.
pub async fn open_session(
    store: &dyn Store,
    associate_id: i32,
    ttl: chrono::Duration,
) -> Result<(String, String), String> {
    let session = generate("")?;
    let xsrf = generate("")?;
    let fill = NewSecretFill {
        associate_id: Some(associate_id),
        xsrf_token: xsrf.clone(),
        ttl: Some(ttl),
        ..Default::default()
    };
    remember(store, SecretKind::Session, &session, fill).await?;
    Ok((session, xsrf))
}

/// Registers a partner application and returns its `SO-AppToken`.
pub async fn register_app(store: &dyn Store, name: &str) -> Result<String, String> {
    let token = generate("")?;
    remember(store, SecretKind::App, &token, NewSecretFill { name: name.to_owned(), ..Default::default() }).await?;
    Ok(token)
}
