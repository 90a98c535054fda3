//! `/api/v1/notifications`: the live stream of the caller's notifications.

mod stream;

use axum::Router;
use axum::routing::get;

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/notifications/stream", get(stream::stream_notifications))
}
