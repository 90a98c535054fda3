//! `/api/v1/notifications`: the live stream of the caller's notifications.

mod recheck;
pub(crate) mod slots;
mod stream;

use axum::routing::get;

use super::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().route("/api/v1/notifications/stream", get(stream::stream_notifications))
}
