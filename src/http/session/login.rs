//! `POST /api/v1/session`: signs in with a login and password (JSON or form body), sets the
//! HttpOnly session cookie and the readable `XSRF-TOKEN` cookie (`Secure` with
//! `--secure-cookies` or over HTTPS through a trusted proxy), and returns a SoTicket too.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::auth::issue::{issue_session_ticket, open_session};
use crate::auth::{SESSION_COOKIE, XSRF_COOKIE};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::origin::Origin;
use crate::negotiate::response::render;
use crate::negotiate::{EntityBody, ResponseFormat};

pub async fn login(
    State(state): State<AppState>,
    origin: Origin,
    format: ResponseFormat,
    body: EntityBody,
) -> Result<Response, ApiError> {
    let username = member(&body.value, &["Username", "UserName", "Login", "User"])?;
    let password = member(&body.value, &["Password"])?;
    let principal = state.authenticator.verify_password(&username, &password, origin.client).await?;
    let ttl = chrono::Duration::from_std(state.limits.session_ttl).map_err(ApiError::internal)?;
    let store = state.store.as_ref();
    let (session, xsrf) = open_session(store, principal.associate_id, ttl).await.map_err(ApiError::internal)?;
    let ticket =
        issue_session_ticket(store, principal.associate_id, ttl, &session).await.map_err(ApiError::internal)?;
    let body = json!({
        "AssociateId": principal.associate_id,
        "Username": principal.login,
        "Ticket": ticket,
        "XsrfToken": xsrf,
        "ExpiresInSeconds": ttl.num_seconds(),
    });
    let mut response = render(format, StatusCode::OK, "Session", &body)?;
    // HTTPS through a trusted proxy is as good as being told so.
    let secure = if state.limits.secure_cookies || origin.https { "; Secure" } else { "" };
    let age = ttl.num_seconds();
    for cookie in [
        format!("{SESSION_COOKIE}={session}; Path=/; Max-Age={age}; HttpOnly; SameSite=Strict{secure}"),
        format!("{XSRF_COOKIE}={xsrf}; Path=/; Max-Age={age}; SameSite=Strict{secure}"),
    ] {
        response.headers_mut().append(SET_COOKIE, HeaderValue::try_from(cookie).map_err(ApiError::internal)?);
    }
    Ok(response)
}

/// A string member of the login body, matched without regard to case.
fn member(body: &Value, names: &[&str]) -> Result<String, ApiError> {
    body.as_object()
        .into_iter()
        .flatten()
        .find(|(key, _)| names.iter().any(|n| n.eq_ignore_ascii_case(key)))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::invalid(format!("The sign-in body needs a string '{}'", names[0])))
}
