//! `GET /metrics`: notification counters, outbox rows, group-commit counts and password checks in the Prometheus
//! text format.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::AppState;

pub async fn metrics(State(state): State<AppState>) -> Response {
    match state.store.outbox_counts().await {
        Ok(rows) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            state.notify.metrics.render(&rows)
                + &render_group_commits(state.store.group_commits())
                + &render_verifications(crate::auth::password::verifications()),
        )
            .into_response(),
        Err(err) => crate::error::ApiError::from(err).into_response(),
    }
}

/// Password hashes checked (sign-ins that the verification cache did not answer).
fn render_verifications(count: u64) -> String {
    format!(
        "# HELP ticketd_password_verifications_total Password hashes checked (cache misses).\n\
         # TYPE ticketd_password_verifications_total counter\n\
         ticketd_password_verifications_total {count}\n"
    )
}

/// The SQLite writer's transactions and the saves they carried (their ratio is the batch size).
fn render_group_commits(counts: Option<(u64, u64)>) -> String {
    let Some((transactions, saves)) = counts else { return String::new() };
    format!(
        "# HELP ticketd_group_commit_transactions_total Transactions run by the SQLite writer.\n\
         # TYPE ticketd_group_commit_transactions_total counter\n\
         ticketd_group_commit_transactions_total {transactions}\n\
         # HELP ticketd_group_commit_saves_total Saves carried by those transactions.\n\
         # TYPE ticketd_group_commit_saves_total counter\n\
         ticketd_group_commit_saves_total {saves}\n"
    )
}
