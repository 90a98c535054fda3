//! The vendor's Agents API for ticket messages (`POST /api/v1/Agents/Ticket/{Method}`): the
//! calling convention — routes from the method table, parameter binding, results, `GET`
//! descriptions, 405 and 501 — around thin adapters (`ticket.rs`) onto the operations the REST
//! resource performs.

mod answer;
mod args;
mod describe;
pub(crate) mod method;
pub(crate) mod table;
mod ticket;
mod webhook;
pub(crate) mod webhook_table;

use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};

use super::context::RequestContext;
use super::routes::Routes;
use super::state::AppState;
use super::ticket_message::support::LinkBase;
use crate::error::{ApiError, ErrorKind};
use table::Method;

/// One route per method of the table, on its canonical path (see `http::path`).
pub fn routes() -> Routes {
    table::all().fold(Routes::new(), |routes, method| routes.route(method.path, method_router(method)))
}

fn method_router(method: &'static Method) -> MethodRouter<AppState> {
    get(move || async move { describe::describe(method) })
        .post(move |context: RequestContext, State(state): State<AppState>, call: CallParts, body: Body| async move {
            invoke(method, context, state, call, body).await
        })
        .fallback(|| async { only_post() })
}

/// What an adapter may need of the request besides who calls, the format and the locale.
pub struct CallParts {
    pub headers: HeaderMap,
    pub query: String,
    pub link: LinkBase,
}

impl<S: Send + Sync> FromRequestParts<S> for CallParts {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(link) = LinkBase::from_request_parts(parts, state).await;
        let query = parts.uri.query().unwrap_or_default().to_owned();
        Ok(Self { headers: parts.headers.clone(), query, link })
    }
}

async fn invoke(
    method: &'static Method,
    context: RequestContext,
    state: AppState,
    call: CallParts,
    body: Body,
) -> Result<Response, ApiError> {
    let Some(op) = method.op else {
        return Err(ApiError::new(
            ErrorKind::NotImplemented,
            format!("The Agents method {} is not implemented by this server", method.name),
        ));
    };
    let body = args::read_body(method, &call.headers, body, state.limits.body_bytes).await?;
    let args = args::bind(method, &call.query, body)?;
    let outcome = if op.is_webhook() {
        webhook::call(op, &state, &context.caller, &args).await?
    } else {
        ticket::call(op, &state, &context.caller, &call, &args).await?
    };
    answer::render_outcome(outcome, &context, &call.query)
}

/// Every verb but `POST` (and `GET`, which describes): 405 naming `POST` as the way to call.
fn only_post() -> Response {
    let mut response =
        ApiError::new(ErrorKind::MethodNotAllowed, "Agents methods are called with POST (GET describes them)")
            .into_response();
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}
