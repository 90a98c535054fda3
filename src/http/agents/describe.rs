//! `GET` on a method path: a short JSON description of the call, from the method table; the
//! method itself never runs.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::table::{Method, Shape};
use crate::negotiate::response::json_response;

pub fn describe(method: &Method) -> Response {
    let place = match method.shape {
        Shape::Query => "query",
        Shape::Entity => "body",
        Shape::Request => "body (or query, for scalars)",
        Shape::None => "none",
    };
    let parameters: Vec<Value> = method
        .params
        .iter()
        .map(|p| json!({"Name": p.name, "Type": p.kind.name(), "Required": p.required, "In": place}))
        .collect();
    let body = json!({
        "Agent": method.path.split('/').nth(4).unwrap_or("Ticket"),
        "Method": method.name,
        "Call": format!("POST {}", method.path),
        "Description": method.summary,
        "Implemented": method.op.is_some(),
        "RequestType": method.request_type,
        "Parameters": parameters,
        "Returns": method.returns.name(),
    });
    json_response(StatusCode::OK, &body).unwrap_or_else(IntoResponse::into_response)
}
