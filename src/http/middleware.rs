//! The layers around every request: request ids, tracing (with the client's address, see
//! `origin`), panic catching, the request timeout and path normalisation.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Response as HttpResponse};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use super::state::{AppState, Limits};
use super::{browser, path};
use crate::domain::webhook::ContextId;
use crate::error::{ApiError, ErrorKind};
use crate::negotiate::ResponseFormat;
use crate::negotiate::accept::with_error_format;

const REQUEST_ID: &str = "x-request-id";

/// The longest client `X-Request-Id` kept; a longer one is replaced by a generated id.
const MAX_REQUEST_ID_LEN: usize = 128;

/// Numbers requests in arrival order; a client's own `X-Request-Id` is kept instead.
#[derive(Clone, Default)]
struct SequentialRequestId(Arc<AtomicU64>);

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        HeaderValue::from_str(&format!("req-{n:08x}")).ok().map(RequestId::new)
    }
}

/// Runs the request with its tenant segment (set by [`path::normalize`]) as the acting context.
async fn act_for_tenant(request: Request, next: Next) -> Response {
    let context = request.extensions().get::<path::Tenant>().map(|t| ContextId::new(&t.0)).unwrap_or_default();
    crate::store::acting::scope(context, next.run(request)).await
}

/// Wraps the routed application in the middleware stack.
pub fn wrap(app: Router, state: &AppState) -> Router {
    let header = axum::http::HeaderName::from_static(REQUEST_ID);
    // One INFO line per request, carrying the span's request id, client address, caller and partner app.
    let trace = TraceLayer::new_for_http().on_response(log_response).make_span_with(|request: &Request| {
        let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
        tracing::info_span!("request", request_id, method = %request.method(), path = %request.uri().path(), client = tracing::field::Empty, associate = tracing::field::Empty, app = tracing::field::Empty)
    });
    app.layer(
        ServiceBuilder::new()
            .layer(middleware::map_request(drop_unusable_request_id))
            .layer(SetRequestIdLayer::new(header.clone(), SequentialRequestId::default()))
            .layer(trace)
            .layer(PropagateRequestIdLayer::new(header))
            .layer(middleware::from_fn_with_state(state.proxies.clone(), super::origin::resolve))
            .layer(middleware::from_fn(negotiate_error_format))
            .layer(middleware::from_fn(browser::mark_browser_requests))
            .layer(CatchPanicLayer::custom(|_| ApiError::internal("a request handler panicked").into_response()))
            .layer(middleware::from_fn_with_state(state.limits, enforce_timeout))
            .layer(middleware::map_request(path::normalize))
            .layer(middleware::from_fn(act_for_tenant)),
    )
}

/// The request's closing line: its status and how long it took, in milliseconds (a number, so a
/// log shipper can aggregate it).
fn log_response<B>(response: &HttpResponse<B>, latency: std::time::Duration, _span: &tracing::Span) {
    let latency_ms = latency.as_micros() as f64 / 1000.0;
    tracing::info!(status = response.status().as_u16(), latency_ms, "finished processing request");
}

/// Removes a client `X-Request-Id` that is empty, too long or not visible ASCII, so a generated
/// id takes its place: the id is written into every log line of the request and echoed back.
async fn drop_unusable_request_id(mut request: Request) -> Request {
    let usable = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        !bytes.is_empty() && bytes.len() <= MAX_REQUEST_ID_LEN && bytes.iter().all(|b| b.is_ascii_graphic())
    };
    let values = request.headers().get_all(REQUEST_ID);
    let keep = values.iter().count() == 1 && values.iter().all(usable);
    if !keep {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
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
