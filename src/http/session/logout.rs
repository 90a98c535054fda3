//! `DELETE /api/v1/session`: ends the caller's browser session and the ticket its login issued,
//! and clears the cookies.

use axum::extract::State;
use axum::http::header::{AUTHORIZATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::issue::{SESSION_LINK_PREFIX, session_link};
use crate::auth::secrets::digest;
use crate::auth::{Principal, SESSION_COOKIE, XSRF_COOKIE, cookie};
use crate::error::ApiError;
use crate::http::AppState;
use crate::store::{SecretKind, Store};

pub async fn logout(
    _caller: Principal,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let store = state.store.as_ref();
    if let Some(session) = cookie(&headers, SESSION_COOKIE) {
        end_session(store, &digest(session)).await?;
    }
    // Signing out with the login's ticket ends its session too.
    if let Some(ticket) = soticket(&headers) {
        let hash = digest(ticket);
        if let Some(found) = store.find_secret(SecretKind::Ticket, &hash).await? {
            if let Some(session_hash) = found.name.strip_prefix(SESSION_LINK_PREFIX) {
                end_session(store, session_hash).await?;
            }
            store.revoke_secret(SecretKind::Ticket, Some(&hash), "").await?;
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for name in [SESSION_COOKIE, XSRF_COOKIE] {
        let expired = format!("{name}=; Path=/; Max-Age=0; SameSite=Strict");
        response.headers_mut().append(SET_COOKIE, HeaderValue::try_from(expired).map_err(ApiError::internal)?);
    }
    Ok(response)
}

/// Revokes the session stored as `session_hash` and the ticket issued with it.
async fn end_session(store: &dyn Store, session_hash: &str) -> Result<(), ApiError> {
    store.revoke_secret(SecretKind::Session, Some(session_hash), "").await?;
    store.revoke_secret(SecretKind::Ticket, None, &session_link(session_hash)).await?;
    Ok(())
}

/// The ticket of an `Authorization: SoTicket …` header, if that is what the request sent.
fn soticket(headers: &HeaderMap) -> Option<&str> {
    let text = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, ticket) = text.split_once(char::is_whitespace)?;
    let ticket = ticket.trim();
    (scheme.eq_ignore_ascii_case("SoTicket") && !ticket.is_empty()).then_some(ticket)
}
