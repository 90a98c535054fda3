//! The HTTP surface: the router, its middleware, the endpoint handlers and error rendering.

pub(crate) mod agents;
mod attachment;
mod browser;
pub mod connection;
pub mod context;
pub mod drain;
mod error;
pub mod health;
pub mod lifecycle;
mod metrics;
mod middleware;
mod notifications;
pub mod openapi;
pub mod origin;
pub(crate) mod path;
mod query;
mod routes;
mod session;
mod state;
mod store_error;
mod ticket_message;
mod ticket_reach;
mod timezone;
pub mod webhook;

use axum::Router;
use axum::routing::get;

pub use metrics::{MetricsEndpoint, MetricsToken};
pub use state::{AppState, Limits};

use routes::Routes;

/// Builds the whole application: routes plus middleware, with no I/O of its own.
pub fn router(state: AppState) -> Router {
    // Every route goes through `routes()`, so `route_paths` lists what is really served.
    let routes = routes()
        .into_router()
        .fallback(error::no_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state.clone());
    let app = middleware::wrap(Router::new().fallback_service(routes), &state);
    drain::wrap(app, state.lifecycle.drain.clone())
}

/// The path template of every route the router serves; their methods are the router's to say
/// (a method a path does not offer answers 405).
pub fn route_paths() -> Vec<&'static str> {
    routes().paths().to_vec()
}

fn routes() -> Routes {
    let document = openapi::document_json();
    Routes::new()
        .route("/api/v1/openapi.json", get(move || async move { openapi::serve(document.clone()) }))
        .route("/health", get(health::health))
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::metrics))
        .route("/api/v1/timezone", get(timezone::list_time_zones))
        .merge(notifications::routes())
        .merge(attachment::routes())
        .merge(ticket_message::routes())
        .merge(session::routes())
        .merge(webhook::routes())
        .merge(agents::routes())
}
