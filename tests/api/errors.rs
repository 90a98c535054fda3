//! Bad input over a real socket: the vendor error body with the right status, never a 5xx,
//! and nothing written.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    missing_or_empty_entity_is_400,
    wrong_types_are_400_naming_the_field_and_change_nothing,
    malformed_json_is_400_never_5xx,
    unknown_references_are_400_naming_them,
    oversized_bodies_are_413,
    media_types_other_than_json_are_415,
    a_body_without_content_type_is_read_as_json,
    put_on_a_missing_id_is_404,
);

async fn missing_or_empty_entity_is_400(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for (method, path) in [(Method::PUT, "/api/v1/TicketMessage/1"), (Method::POST, "/api/v1/TicketMessage")] {
        for body in ["", "   \n", "null"] {
            let answer = app.call(app.send_json(method.clone(), path, body)).await;
            assert_error(answer, StatusCode::BAD_REQUEST, "ArgumentException", "Entity to save is not in request body");
        }
    }
}

async fn wrong_types_are_400_naming_the_field_and_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (_, before) = app.get_message(1).await;
    let cases = [
        (json!({"TimeSpent": "abc"}), "TimeSpent"),
        (json!({"Sentiment": 2147483648_i64}), "Sentiment"),
        (json!({"Slevel": "TopSecret"}), "Slevel"),
        (json!({"Important": "perhaps"}), "Important"),
        (json!({"CreatedAt": "31.12.2020"}), "CreatedAt"),
        (json!({"MessageHeaders": {"Name": "To"}}), "MessageHeaders"),
        (json!({"MessageHeaders": [{"Name": ["To"]}]}), "MessageHeaders[0].Name"),
        (json!({"Body": "a\u{0}b"}), "Body"),
        (json!([{"Body": "x"}]), "TicketMessageEntity"),
    ];
    for (body, field) in cases {
        let answer =
            app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/1?notify=true", body.to_string())).await;
        assert_error(answer, StatusCode::BAD_REQUEST, "ArgumentException", field);
    }
    let answer = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/1?notify=maybe", "{}")).await;
    assert_error(answer, StatusCode::BAD_REQUEST, "ArgumentException", "notify");
    assert_eq!(app.get_message(1).await.1, before, "a refused save changes nothing");
}

async fn malformed_json_is_400_never_5xx(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let deep = "[".repeat(10_000);
    let bodies: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        b"{\"Body\": \"x\",}".to_vec(),
        b"{\"Body\": 'x'}".to_vec(),
        b"{\"Body\": \"x\" // comment\n}".to_vec(),
        b"{\"Body\": \"\xff\xfe\"}".to_vec(),
        b"{\"Body\": \"\\ud800\"}".to_vec(),
        deep.into_bytes(),
    ];
    for body in bodies {
        let request = app
            .request(Method::PUT, "/api/v1/TicketMessage/1")
            .header("Content-Type", "application/json")
            .body(body.clone());
        let (status, answer) = app.call(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {answer}", String::from_utf8_lossy(&body));
        assert_eq!(answer["ErrorType"], "JsonReaderException", "{answer}");
    }
}

async fn unknown_references_are_400_naming_them(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (_, before) = app.get_message(1).await;
    for (body, field) in [
        (json!({"Ticket": {"TicketId": 404}}), "Ticket.TicketId"),
        (json!({"CreatedBy": {"AssociateId": 404}}), "CreatedBy.AssociateId"),
        (json!({"Person": {"PersonId": 404}}), "Person.PersonId"),
    ] {
        let answer = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/1", body.to_string())).await;
        assert_error(answer, StatusCode::BAD_REQUEST, "ArgumentException", field);
    }
    assert_eq!(app.get_message(1).await.1, before);
}

async fn oversized_bodies_are_413(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.body_limit = 64 * 1024).await else {
        return;
    };
    let big = json!({"Body": "x".repeat(100 * 1024)}).to_string();
    let answer = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/1", big.clone())).await;
    assert_error(answer, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", "limit");
    // Without a Content-Length the limit still holds while streaming.
    let stream = futures_stream(big.into_bytes());
    let request =
        app.request(Method::PUT, "/api/v1/TicketMessage/1").header("Content-Type", "application/json").body(stream);
    let answer = app.call(request).await;
    assert_error(answer, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", "limit");
}

/// A chunked body (no Content-Length) made of 8 KiB pieces.
fn futures_stream(bytes: Vec<u8>) -> reqwest::Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes.chunks(8192).map(|c| Ok(c.to_vec())).collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
}

async fn media_types_other_than_json_are_415(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for content_type in ["text/plain", "multipart/form-data; boundary=x", "application/octet-stream"] {
        let request =
            app.request(Method::PUT, "/api/v1/TicketMessage/1").header("Content-Type", content_type).body("{}");
        let answer = app.call(request).await;
        assert_error(answer, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaTypeException", "Content-Type");
    }
    let request = app.request(Method::PUT, "/api/v1/TicketMessage/1").body("Body=x");
    let answer = app.call(request).await;
    assert_error(answer, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaTypeException", "Content-Type");
}

async fn a_body_without_content_type_is_read_as_json(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for content_type in [None, Some("TEXT/JSON; charset=UTF-8")] {
        let mut request = app.request(Method::PUT, "/api/v1/TicketMessage/1").body(r#"{"Body":"no type"}"#);
        if let Some(value) = content_type {
            request = request.header("Content-Type", value);
        }
        let (status, saved) = app.call(request).await;
        assert_eq!(status, StatusCode::OK, "{content_type:?}");
        assert_eq!(saved["Body"], "no type");
    }
}

async fn put_on_a_missing_id_is_404(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let answer = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/99999", "{}")).await;
    assert_error(answer, StatusCode::NOT_FOUND, "SoNotFoundException", "TicketMessage id 99999 not found");
    let answer = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/abc", "{}")).await;
    assert_error(answer, StatusCode::NOT_FOUND, "SoNotFoundException", "abc");
}

#[tokio::test]
async fn error_bodies_keep_the_vendor_property_order() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let response = app.request(Method::GET, "/api/v1/TicketMessage/99999").send().await.expect("answered");
    assert_eq!(response.headers()["content-type"], "application/json; charset=utf-8");
    let text = response.text().await.expect("body");
    assert_eq!(
        text,
        r#"{"Error":true,"ErrorType":"SoNotFoundException","ErrorMessage":"TicketMessage id 99999 not found","ErrorSource":"SuperOffice.Services.Implementation"}"#
    );
}
