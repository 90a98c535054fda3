//! The vendor's Agents API for ticket messages (`POST /api/v1/Agents/Ticket/{Method}`): the
//! calling convention — routes from the method table, parameter binding, results, `GET`
//! descriptions, 405 and 501 — around thin adapters (`ticket.rs`) onto the operations the REST
//! resource performs.

mod answer;
mod args;
mod describe;
pub(crate) mod table;
mod ticket;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};

use super::routes::Routes;
use super::state::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind};
use crate::locale::Locale;
use crate::negotiate::ResponseFormat;
use table::{Method, TICKET_AGENT};

/// One route per method of the table, on its canonical path (see `http::path`).
pub fn routes() -> Routes {
    TICKET_AGENT.iter().fold(Routes::new(), |routes, method| routes.route(method.path, method_router(method)))
}

/// The canonical spelling of a path segment that names an Agents literal or method.
pub fn literal(segment: &str) -> Option<&'static str> {
    ["Agents", "Ticket"]
        .into_iter()
        .find(|l| l.eq_ignore_ascii_case(segment))
        .or_else(|| table::find(segment).map(|m| m.name))
}

fn method_router(method: &'static Method) -> MethodRouter<AppState> {
    get(move || async move { describe::describe(method) })
        .post(move |caller: Principal, State(state): State<AppState>, call: CallParts, body: Body| async move {
            invoke(method, caller, state, call, body).await
        })
        .fallback(|| async { only_post() })
}

/// The request's parts an adapter may need besides the caller and the parameters.
pub struct CallParts {
    pub format: ResponseFormat,
    pub locale: Locale,
    pub headers: HeaderMap,
    pub query: String,
    pub origin: super::origin::Origin,
    pub tenant: Option<super::path::Tenant>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CallParts
where
    crate::locale::BaseZone: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let format = ResponseFormat::of_request(&parts.method, &parts.headers);
        let Ok(locale) = Locale::from_request_parts(parts, state).await;
        let Ok(origin) = super::origin::Origin::from_request_parts(parts, state).await;
        let RawQuery(query) = RawQuery::from_request_parts(parts, state).await.unwrap_or(RawQuery(None));
        let tenant = parts.extensions.get::<super::path::Tenant>().cloned();
        Ok(Self { format, locale, headers: parts.headers.clone(), query: query.unwrap_or_default(), origin, tenant })
    }
}

async fn invoke(
    method: &'static Method,
    caller: Principal,
    state: AppState,
    call: CallParts,
    body: Body,
) -> Result<Response, ApiError> {
    let Some(op) = method.op else {
        return Err(ApiError::new(
            ErrorKind::NotImplemented,
            format!("The TicketAgent method {} is not implemented by this server", method.name),
        ));
    };
    let body = args::read_body(method, &call.headers, body, state.limits.body_bytes).await?;
    let args = args::bind(method, &call.query, body)?;
    let outcome = ticket::call(op, &state, &caller, &call, &args).await?;
    answer::render_outcome(outcome, &caller, &call)
}

/// Every verb but `POST` (and `GET`, which describes): 405 naming `POST` as the way to call.
fn only_post() -> Response {
    let mut response =
        ApiError::new(ErrorKind::MethodNotAllowed, "Agents methods are called with POST (GET describes them)")
            .into_response();
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}
