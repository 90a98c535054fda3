//! `/api/v1/notifications`: the live stream of the caller's notifications.

mod recheck;
mod slots;
mod stream;

use axum::Router;
use axum::routing::get;

pub use slots::StreamSlots;

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/notifications/stream", get(stream::stream_notifications))
}
