//! Basic authentication over a real socket.

use reqwest::{Method, StatusCode};

use crate::helpers::{Backend, TestApp, on_both_backends};

on_both_backends!(
    bad_or_missing_credentials_get_401_with_the_vendor_challenge,
    logins_match_without_case
);

async fn bad_or_missing_credentials_get_401_with_the_vendor_challenge(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let path = app.url("/api/v1/TicketMessage/1");
    let cases: [Option<&[u8]>; 9] = [
        None,
        Some(b"Basic dGplMDp3cm9uZw=="), // tje0:wrong
        Some(b"Basic bm9ib2R5OlRqZTA="), // nobody:Tje0
        Some(b"Basic !!!not-base64"),
        Some(b"Basic dGplMFRqZTA="), // no colon
        Some(b"Basic"),
        Some(b"Digest username=\"tje0\""),
        Some(b"Basic \xff\xfe"),
        Some(b""),
    ];
    for header in cases {
        let mut request = app.client.get(&path);
        if let Some(value) = header {
            request = request.header(
                "Authorization",
                reqwest::header::HeaderValue::from_bytes(value).expect("bytes"),
            );
        }
        let response = request.send().await.expect("answered");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{header:?}");
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok());
        assert_eq!(
            challenge,
            Some("Basic realm=\"SuperOffice Username or Ticket\"")
        );
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains("Authorization")
        );
    }
    // PUT is refused before the body is looked at.
    let response = app
        .client
        .put(&path)
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn logins_match_without_case(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let response = app
        .client
        .request(Method::GET, app.url("/api/v1/TicketMessage/1"))
        .basic_auth("TJE0", Some("Tje0"))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    let wrong_case_password = app
        .client
        .get(app.url("/api/v1/TicketMessage/1"))
        .basic_auth("tje0", Some("tje0"));
    assert_eq!(
        wrong_case_password.send().await.expect("answered").status(),
        StatusCode::UNAUTHORIZED
    );
}
