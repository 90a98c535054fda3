//! `GET /metrics`: notification counters, outbox rows, group-commit counts and password checks in the Prometheus
//! text format; behind a bearer token when `--metrics-token` is set.

pub(super) mod endpoint;
mod outbox_cache;
mod token;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use endpoint::MetricsEndpoint;
pub use token::MetricsToken;

use super::state::AppState;
use crate::error::{ApiError, ErrorKind};

/// A 401 in the vendor body rather than the API's HTML sign-in help: scrapers are not API clients.
fn unauthorized(why: &str) -> Response {
    let mut response = super::error::vendor_body(&ApiError::new(ErrorKind::Unauthorized, why));
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"metrics\""));
    response
}

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let endpoint = &state.metrics_endpoint;
    if let Some(why) = endpoint.refusal(&headers) {
        return unauthorized(why);
    }
    match endpoint.outbox.get(state.store.as_ref()).await {
        Ok(rows) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            state.notify.metrics.render(&rows)
                + &render_outbox_queries(endpoint.outbox.queries())
                + &render_group_commits(state.store.group_commits())
                + &render_verifications(crate::auth::password::verifications()),
        )
            .into_response(),
        Err(err) => ApiError::from(err).into_response(),
    }
}

/// Times the outbox was counted (scrapes close together share one count).
fn render_outbox_queries(count: u64) -> String {
    format!(
        "# HELP ticketd_outbox_count_queries_total Times the outbox rows were counted for a scrape.\n\
         # TYPE ticketd_outbox_count_queries_total counter\n\
         ticketd_outbox_count_queries_total {count}\n"
    )
}

/// Password hashes checked (sign-ins that the verification cache did not answer).
fn render_verifications(count: u64) -> String {
    format!(
        "# HELP ticketd_password_verifications_total Password hashes checked (cache misses).\n\
         # TYPE ticketd_password_verifications_total counter\n\
         ticketd_password_verifications_total {count}\n"
    )
}

/// The group-commit writer's transactions and the saves they carried (their ratio is the batch
/// size): SQLite's writer thread, or PostgreSQL's writer tasks.
fn render_group_commits(counts: Option<(u64, u64)>) -> String {
    let Some((transactions, saves)) = counts else { return String::new() };
    format!(
        "# HELP ticketd_group_commit_transactions_total Transactions run by the group-commit writer.\n\
         # TYPE ticketd_group_commit_transactions_total counter\n\
         ticketd_group_commit_transactions_total {transactions}\n\
         # HELP ticketd_group_commit_saves_total Saves carried by those transactions.\n\
         # TYPE ticketd_group_commit_saves_total counter\n\
         ticketd_group_commit_saves_total {saves}\n"
    )
}
