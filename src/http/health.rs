//! `GET /health`: whether the server and its database answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::state::AppState;
use crate::negotiate::response::json_response;

/// 200 `{"Status":"OK"}` when the database answers, else 503 with the reason logged.
pub async fn health(State(state): State<AppState>) -> Response {
    let (status, text) = match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "OK"),
        Err(err) => {
            tracing::warn!(%err, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "DatabaseUnavailable")
        }
    };
    json_response(status, &json!({ "Status": text })).unwrap_or_else(IntoResponse::into_response)
}
