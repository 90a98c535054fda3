//! `DELETE /api/v1/session`: ends the caller's browser session and clears its cookies.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::secrets::digest;
use crate::auth::{Principal, SESSION_COOKIE, XSRF_COOKIE, cookie};
use crate::error::ApiError;
use crate::http::AppState;
use crate::store::SecretKind;

pub async fn logout(
    _caller: Principal,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(session) = cookie(&headers, SESSION_COOKIE) {
        state.store.revoke_secret(SecretKind::Session, Some(&digest(session)), "").await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for name in [SESSION_COOKIE, XSRF_COOKIE] {
        let expired = format!("{name}=; Path=/; Max-Age=0; SameSite=Strict");
        response.headers_mut().append(SET_COOKIE, HeaderValue::try_from(expired).map_err(ApiError::internal)?);
    }
    Ok(response)
}
