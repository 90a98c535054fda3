//! Browser sessions: a request without `Authorization` is authenticated by the session cookie
//! only when `X-XSRF-TOKEN` equals the session's XSRF token (compared in constant time).

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

use super::{Authenticator, Principal, is_live, secrets, unauthorized};
use crate::domain::Scope;
use crate::error::ApiError;
use crate::store::SecretKind;

/// The HttpOnly cookie holding the session id.
pub const SESSION_COOKIE: &str = "ticketd_session";
/// The script-readable cookie holding the XSRF token, named as the vendor names it.
pub const XSRF_COOKIE: &str = "XSRF-TOKEN";

/// The value of the cookie `name`, if the request sent it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

pub(super) async fn authenticate(auth: &Authenticator, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let Some(session_id) = cookie(headers, SESSION_COOKIE) else {
        return Err(unauthorized("No Authorization header was sent"));
    };
    let Some(sent) = headers.get("x-xsrf-token").and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized("A session cookie needs the X-XSRF-TOKEN header"));
    };
    let stored = auth.store().find_secret(SecretKind::Session, &secrets::digest(session_id)).await?;
    match stored.filter(is_live) {
        Some(session) if secrets::same(&session.xsrf_token, sent.trim()) => {
            auth.principal_for(session.associate_id.unwrap_or(0), Scope::ReadWrite).await
        }
        Some(_) => Err(unauthorized("The X-XSRF-TOKEN header does not match the session")),
        None => Err(unauthorized("The session is unknown, expired or ended")),
    }
}
