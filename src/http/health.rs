//! Health endpoints: `GET /health` (the server and its database answer), `GET /health/live`
//! (the process serves HTTP) and `GET /health/ready` (this instance should get traffic).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::state::AppState;
use crate::negotiate::response::json_response;

/// 200 `{"Status":"OK"}` when the database answers; 200 `{"Status":"Degraded","Reason":…}`
/// when it answers reads but saves fail for want of space or write access (the process is
/// fine: restarting it would not help); else 503 with the reason logged.
pub async fn health(State(state): State<AppState>) -> Response {
    let (status, body) = match state.store.ping().await {
        Ok(()) => match state.store.write_fault() {
            None => (StatusCode::OK, json!({ "Status": "OK" })),
            Some(fault) => {
                (StatusCode::OK, json!({ "Status": "Degraded", "Reason": format!("DatabaseNotWritable: {fault}") }))
            }
        },
        Err(err) => {
            tracing::warn!(%err, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, json!({ "Status": "DatabaseUnavailable" }))
        }
    };
    json_response(status, &body).unwrap_or_else(IntoResponse::into_response)
}

/// 200 `{"Status":"OK"}` whenever the process answers HTTP at all: nothing else is checked, so
/// a database outage never gets a healthy process restarted.
pub async fn live() -> Response {
    json_response(StatusCode::OK, &json!({ "Status": "OK" })).unwrap_or_else(IntoResponse::into_response)
}

/// 200 when the database takes writes (its probe passes and no save failed for want of space
/// or write access lately), has every migration of this build and the dispatcher
/// (when this instance has one) runs; else 503 `{"Status":"NotReady","Reason":…}`. Also 503
/// while the server drains for shutdown.
pub async fn ready(State(state): State<AppState>) -> Response {
    let reason = if state.lifecycle.drain.is_draining() {
        Some("ShuttingDown: the server is draining its connections".to_owned())
    } else if !state.notify.dispatcher.healthy() {
        Some("DispatcherStopped: the notification dispatcher is not running".to_owned())
    } else if let Some(fault) = state.store.write_fault() {
        Some(format!("DatabaseNotWritable: {fault}"))
    } else {
        state.lifecycle.readiness.database_verdict(state.store.as_ref()).await.err()
    };
    let (status, body) = match reason {
        None => (StatusCode::OK, json!({ "Status": "OK" })),
        Some(reason) => (StatusCode::SERVICE_UNAVAILABLE, json!({ "Status": "NotReady", "Reason": reason })),
    };
    json_response(status, &body).unwrap_or_else(IntoResponse::into_response)
}
