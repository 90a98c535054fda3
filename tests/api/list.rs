//! `GET /api/v1/TicketMessage`: the OData list over a real socket.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(filters_order_select_and_page, unsupported_options_are_refused_by_name);

async fn list(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.call(app.request(Method::GET, &format!("/api/v1/TicketMessage?{query}"))).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

fn ids(body: &Value) -> Vec<String> {
    body["value"].as_array().into_iter().flatten().filter_map(|r| r["PrimaryKey"].as_str().map(str::to_owned)).collect()
}

async fn filters_order_select_and_page(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let all = list(&app, "").await;
    assert_eq!(ids(&all), (1..=10).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(all["odata.nextLink"], Value::Null);
    assert!(all["odata.metadata"].as_str().is_some_and(|m| m.ends_with("/api/v1/Archive//$metadata")));
    let first = &all["value"][0];
    assert_eq!(first["EntityName"], "ticketMessage");
    assert_eq!((first["ejMessageId"].as_i64(), first["ticketId"].as_i64()), (Some(1), Some(1)));
    assert_eq!((first["slevel"].as_str(), first["type"].as_str()), (Some("External"), Some("Html")));
    assert_eq!(first["createdAt"], "2024-03-04T08:15:00");

    let ticket = list(&app, "$filter=ticketId%20eq%202&$orderBy=createdAt%20desc").await;
    assert_eq!(ids(&ticket), ["8", "7", "3"]);
    let text =
        list(&app, "$filter=body%20contains%20'SENDUNG'%20or%20startswith(body,'kredit')&$select=ejMessageId,body")
            .await;
    assert_eq!(ids(&text), ["5", "6", "9"]);
    assert_eq!(text["value"][0].as_object().map(|o| o.len()), Some(4), "PrimaryKey, EntityName and the two selected");
    let dates = list(
        &app,
        "$filter=createdAt%20ge%20'2024-05-17'%20and%20createdAt%20lt%20'2024-06-01T10:00:01'&$select=createdAt",
    )
    .await;
    assert_eq!(ids(&dates), ["3", "4", "7", "8"], "in id order when no $orderBy is given");
    let percent = list(&app, "$filter=body%20contains%20'100%25'").await;
    assert!(ids(&percent).is_empty(), "a % in the literal matches itself, not everything");
    let injection = list(&app, "$filter=author%20eq%20'x''%20OR%20''1''=''1'").await;
    assert!(ids(&injection).is_empty(), "a quoted value stays a value");

    let page = list(&app, "$top=4&$orderBy=ejMessageId%20desc").await;
    assert_eq!(ids(&page), ["10", "9", "8", "7"]);
    let next = page["odata.nextLink"].as_str().expect("a next page").to_owned();
    assert!(next.contains("$skip=4") && next.contains("$top=4"), "{next}");
    let second: Value = app
        .client
        .get(&next)
        .header("Authorization", crate::helpers::SEED_AUTH)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    assert_eq!(ids(&second), ["6", "5", "4", "3"]);
    let xml = app.request(Method::GET, "/api/v1/TicketMessage?$top=1&$format=XML").send().await.expect("answered");
    assert_eq!(xml.headers()["content-type"], "application/xml; charset=utf-8");
    let tenant = list(&app, "$top=1").await;
    assert_eq!(tenant["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(json!(ids(&tenant)), json!(["1"]));
}

async fn unsupported_options_are_refused_by_name(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    for (query, needle) in [
        ("$mode=Full", "$mode"),
        ("$filter=nope%20eq%201", "nope"),
        ("$filter=ticketId%20eq%20'x'", "ticketId"),
        ("$orderBy=body%20up", "up"),
        ("$select=ejMessageId,secret", "secret"),
        ("$top=many", "$top"),
    ] {
        let answer = app.call(app.request(Method::GET, &format!("/api/v1/TicketMessage?{query}"))).await;
        assert_error(answer, StatusCode::BAD_REQUEST, "ArgumentException", needle);
    }
}

#[tokio::test]
async fn long_and_or_chains_are_refused_naming_the_bound() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    // As many terms as fit under hyper's 65,534-byte request-target limit, in the shortest
    // spelling: 5,000 for `or`, 4,600 for the longer `and`.
    for (op, terms) in [("or", 5_000), ("and", 4_600)] {
        let chain = vec!["type+eq+1"; terms].join(&format!("+{op}+"));
        let path = format!("/api/v1/TicketMessage?$filter={chain}");
        assert!(path.len() < 65_534, "{}", path.len());
        let answer = app.call(app.request(Method::GET, &path)).await;
        assert_error(answer, StatusCode::BAD_REQUEST, "ArgumentException", "at most 100 conditions");
    }
    let at_the_bound = vec!["type+eq+1"; 100].join("+or+");
    let (status, _) =
        app.call(app.request(Method::GET, &format!("/api/v1/TicketMessage?$filter={at_the_bound}"))).await;
    assert_eq!(status, StatusCode::OK);
}
