//! `GET /metrics`: notification counters and outbox rows in the Prometheus text format.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::AppState;

pub async fn metrics(State(state): State<AppState>) -> Response {
    match state.store.outbox_counts().await {
        Ok(rows) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            state.notify.metrics.render(&rows),
        )
            .into_response(),
        Err(err) => crate::error::ApiError::from(err).into_response(),
    }
}
