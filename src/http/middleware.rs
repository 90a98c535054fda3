//! The layers around every request: request ids, tracing (with the client's address, see
//! `origin`), panic catching, the request timeout and path normalisation.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::state::{AppState, Limits};
use super::{browser, path};
use crate::error::{ApiError, ErrorKind};
use crate::negotiate::ResponseFormat;
use crate::negotiate::accept::with_error_format;

const REQUEST_ID: &str = "x-request-id";

/// Numbers requests in arrival order; a client's own `X-Request-Id` is kept instead.
#[derive(Clone, Default)]
struct SequentialRequestId(Arc<AtomicU64>);

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        HeaderValue::from_str(&format!("req-{n:08x}")).ok().map(RequestId::new)
    }
}

/// Wraps the routed application in the middleware stack.
pub fn wrap(app: Router, state: &AppState) -> Router {
    let header = axum::http::HeaderName::from_static(REQUEST_ID);
    // One INFO line per request, carrying the span's request id, client address, caller and partner app.
    let trace = TraceLayer::new_for_http().on_response(DefaultOnResponse::new().level(Level::INFO)).make_span_with(|request: &Request| {
        let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
        tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path(), client = tracing::field::Empty, associate = tracing::field::Empty, app = tracing::field::Empty)
    });
    app.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(header.clone(), SequentialRequestId::default()))
            .layer(trace)
            .layer(PropagateRequestIdLayer::new(header))
            .layer(middleware::from_fn_with_state(state.proxies.clone(), super::origin::resolve))
            .layer(middleware::from_fn(negotiate_error_format))
            .layer(middleware::from_fn(browser::mark_browser_requests))
            .layer(CatchPanicLayer::custom(|_| ApiError::internal("a request handler panicked").into_response()))
            .layer(middleware::from_fn_with_state(state.limits, enforce_timeout))
            .layer(middleware::map_request(path::normalize)),
    )
}

/// Renders every error of the request in the format its `Accept` asks for.
async fn negotiate_error_format(request: Request, next: Next) -> Response {
    let format = ResponseFormat::of_request(request.method(), request.headers());
    with_error_format(format, next.run(request)).await
}

/// Answers with an error when a request outlives [`Limits::request_timeout`].
async fn enforce_timeout(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            ErrorKind::Timeout,
            format!("The request did not finish within {} s", limits.request_timeout.as_secs_f32()),
        )
        .into_response(),
    }
}
