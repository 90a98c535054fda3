//! The OpenAPI document: a snapshot (so a change to it is a reviewed change), agreement with the
//! vendor's Swagger for every vendor operation, every documented operation really routed, and
//! every routed operation documented.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, TestApp};

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openapi.json");
const VENDOR: &str = include_str!("../fixtures/Swagger-v1-TicketMessage.json");

async fn served_document(app: &TestApp) -> Value {
    let response = app.client.get(app.url("/api/v1/openapi.json")).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json; charset=utf-8");
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn the_document_matches_its_snapshot() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let served = served_document(&app).await;
    assert_eq!(served["openapi"], "3.1.0");
    let text = serde_json::to_string_pretty(&served).expect("text") + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, &text).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        text == expected,
        "the OpenAPI document changed; review it and run `UPDATE_SNAPSHOTS=1 cargo test openapi` to accept it"
    );
}

fn names(params: &Value) -> BTreeSet<(String, String)> {
    params
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] != "body")
        .map(|p| (p["name"].as_str().unwrap_or_default().to_owned(), p["in"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

fn media(list: &Value) -> BTreeSet<String> {
    list.as_array().into_iter().flatten().filter_map(|m| m.as_str().map(str::to_owned)).collect()
}

fn keys(object: &Value) -> BTreeSet<String> {
    object.as_object().into_iter().flat_map(|o| o.keys().cloned()).collect()
}

#[tokio::test]
async fn every_vendor_operation_is_documented_with_its_parameters_and_media_types() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let ours = served_document(&app).await;
    let vendor: Value = serde_json::from_str(VENDOR).expect("vendor Swagger");
    let mut checked = 0;
    for (path, item) in vendor["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let mine = &ours["paths"][path][method];
            assert!(mine.is_object(), "{method} {path} is not documented");
            assert_eq!(mine["operationId"], operation["operationId"], "{method} {path}");
            assert_eq!(names(&mine["parameters"]), names(&operation["parameters"]), "parameters of {method} {path}");
            let consumes = media(&operation["consumes"]);
            let has_body = operation["parameters"].as_array().into_iter().flatten().any(|p| p["in"] == "body");
            if has_body {
                assert_eq!(keys(&mine["requestBody"]["content"]), consumes, "request types of {method} {path}");
            }
            if operation["responses"]["200"].is_object() {
                assert_eq!(
                    keys(&mine["responses"]["200"]["content"]),
                    media(&operation["produces"]),
                    "{method} {path}"
                );
            } else {
                assert!(mine["responses"]["204"].is_object(), "{method} {path} answers 204");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 15, "the vendor's Swagger has 15 operations");
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let document = served_document(&app).await;
    for (path, item) in document["paths"].as_object().expect("paths") {
        let concrete = path
            .replace("{fieldName}", "x_region")
            .replace("{position}", "0")
            .replace("{attachmentId}", "1")
            .replace("{ticketMessageEntityId}", "1")
            .replace("{id}", "1");
        for method in item.as_object().expect("operations").keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            if concrete.ends_with("/stream") {
                // An event stream never ends: its status is all there is to read.
                let response = app.request(method.clone(), &concrete).send().await.expect("answered");
                assert_eq!(response.status(), StatusCode::OK, "{method} {concrete}");
                continue;
            }
            let (status, body) = app.call(app.request(method.clone(), &concrete)).await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {concrete}: {body}");
            let unrouted = body["ErrorMessage"].as_str().is_some_and(|m| m.contains("No resource matches"));
            assert!(!unrouted, "{method} {concrete} is documented but not routed");
        }
    }
}

/// A path template with its parameters' names left out: the router and the document name them
/// differently (`{id}` against `{ticketMessageEntityId}`).
fn shape(template: &str) -> String {
    template.split('/').map(|part| if part.starts_with('{') { "{}" } else { part }).collect::<Vec<_>>().join("/")
}

#[tokio::test]
async fn every_routed_operation_is_documented() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let document = served_document(&app).await;
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().expect("operations").keys().map(|method| (method.to_uppercase(), shape(path)))
        })
        .collect();
    let paths = ticketd::http::route_paths();
    assert!(paths.len() >= 20, "the route table lists every route: {paths:?}");
    let mut undocumented = Vec::new();
    for template in paths {
        let concrete = template.split('/').map(|part| if part.starts_with('{') { "1" } else { part });
        let concrete = concrete.collect::<Vec<_>>().join("/");
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            // Only the status is read: an event stream's body never ends.
            let response = app.request(method.clone(), &concrete).send().await.expect("answered");
            if response.status() == StatusCode::METHOD_NOT_ALLOWED {
                continue;
            }
            if !documented.contains(&(method.to_string(), shape(template))) {
                undocumented.push(format!("{method} {template}"));
            }
        }
    }
    assert!(undocumented.is_empty(), "routed but missing from the OpenAPI document: {undocumented:?}");
}
