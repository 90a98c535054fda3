//! Every authentication scheme over a real socket: Basic, SoTicket, Bearer (API tokens and
//! JWTs), browser sessions with XSRF, SO-AppToken, roles, disabling and rate limiting.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use ticketd::auth::issue::{issue_ticket, issue_token, register_app};
use ticketd::auth::password;
use ticketd::domain::Scope;
use ticketd::store::{AssociateChange, SecretKind};

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    bad_or_missing_credentials_get_401_with_every_challenge,
    logins_match_without_case,
    soticket_tickets_work_until_expired_or_revoked,
    api_tokens_work_until_revoked_and_read_scope_cannot_write,
    read_only_associates_get_403_on_writes_and_read_rights_in_responses,
    disabled_associates_and_changed_passwords_are_refused_at_once,
);

pub(crate) const MESSAGE: &str = "/api/v1/TicketMessage/1";
pub(crate) const HOUR: chrono::Duration = chrono::Duration::hours(1);

/// A GET of message 1 with the given `Authorization` value.
pub(crate) fn get_with(app: &TestApp, authorization: &str) -> RequestBuilder {
    app.client.get(app.url(MESSAGE)).header("Authorization", authorization)
}

pub(crate) async fn status(request: RequestBuilder) -> StatusCode {
    request.send().await.expect("answered").status()
}

async fn bad_or_missing_credentials_get_401_with_every_challenge(backend: Backend) {
    // More failures than the default limit, which has its own test.
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.auth.auth_failure_limit = 100).await else {
        return;
    };
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
        let mut request = app.client.get(app.url(MESSAGE));
        if let Some(value) = header {
            request = request.header("Authorization", reqwest::header::HeaderValue::from_bytes(value).expect("bytes"));
        }
        let response = request.send().await.expect("answered");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{header:?}");
        let challenges: Vec<&str> =
            response.headers().get_all("www-authenticate").iter().filter_map(|v| v.to_str().ok()).collect();
        assert_eq!(
            challenges,
            [
                "Basic realm=\"SuperOffice Username or Ticket\"",
                "SOTicket realm=\"SuperOffice\"",
                "Bearer realm=\"SuperOffice\""
            ]
        );
        let body = response.text().await.expect("body");
        assert!(body.contains("Authorization") && !body.contains("Tje0"));
    }
    // The message is the same for an unknown login and a wrong password.
    let unknown = app.client.get(app.url(MESSAGE)).basic_auth("nobody", Some("x")).send().await.expect("answered");
    let wrong = app.client.get(app.url(MESSAGE)).basic_auth("tje0", Some("x")).send().await.expect("answered");
    assert_eq!(unknown.text().await.expect("body"), wrong.text().await.expect("body"));
    // PUT is refused before the body is looked at.
    let response = app.client.put(app.url(MESSAGE)).body("{}").send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn logins_match_without_case(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let request = app.client.request(Method::GET, app.url(MESSAGE)).basic_auth("TJE0", Some("Tje0"));
    assert_eq!(status(request).await, StatusCode::OK);
    for scheme in ["BASIC", "basic", "bAsIc"] {
        assert_eq!(status(get_with(&app, &format!("{scheme} dGplMDpUamUw"))).await, StatusCode::OK, "{scheme}");
    }
    assert_eq!(
        status(app.client.get(app.url(MESSAGE)).basic_auth("tje0", Some("tje0"))).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn soticket_tickets_work_until_expired_or_revoked(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let store = app.store.as_ref();
    let ticket = issue_ticket(store, 2, HOUR).await.expect("ticket");
    assert!(ticket.starts_with("7T:"));
    for scheme in ["SoTicket", "SOTicket", "SOTICKET", "soticket"] {
        assert_eq!(status(get_with(&app, &format!("{scheme} {ticket}"))).await, StatusCode::OK, "{scheme}");
    }
    let (status_code, body) = app.call(get_with(&app, &format!("SoTicket {ticket}"))).await;
    assert_eq!(status_code, StatusCode::OK);
    assert_eq!(body["EjMessageId"], 1);
    let expired = issue_ticket(store, 2, chrono::Duration::seconds(-1)).await.expect("ticket");
    for bad in
        [format!("SoTicket {expired}"), "SoTicket 7T:made-up".into(), "SoTicket".into(), format!("SoTicket {ticket}x")]
    {
        assert_eq!(status(get_with(&app, &bad)).await, StatusCode::UNAUTHORIZED, "{bad}");
    }
    store.revoke_secret(SecretKind::Ticket, Some(&ticketd::auth::secrets::digest(&ticket)), "").await.expect("revoke");
    assert_eq!(status(get_with(&app, &format!("SoTicket {ticket}"))).await, StatusCode::UNAUTHORIZED);
}

async fn api_tokens_work_until_revoked_and_read_scope_cannot_write(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let store = app.store.as_ref();
    let token = issue_token(store, 1, None, Scope::ReadWrite).await.expect("token");
    for scheme in ["Bearer", "BEARER", "bearer"] {
        assert_eq!(status(get_with(&app, &format!("{scheme} {token}"))).await, StatusCode::OK);
    }
    let put = |auth: String| {
        app.client
            .put(app.url(MESSAGE))
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .body(r#"{"Body":"via token"}"#)
    };
    assert_eq!(status(put(format!("Bearer {token}"))).await, StatusCode::OK);
    let reader = issue_token(store, 1, None, Scope::Read).await.expect("token");
    assert_eq!(status(get_with(&app, &format!("Bearer {reader}"))).await, StatusCode::OK);
    let refused = app.call(put(format!("Bearer {reader}"))).await;
    assert_error(refused, StatusCode::FORBIDDEN, "SoAccessDeniedException", "tje0");
    let expired = issue_token(store, 1, Some(chrono::Duration::seconds(-5)), Scope::ReadWrite).await.expect("token");
    for bad in [format!("Bearer {expired}"), "Bearer 8A:nope".into(), "Bearer".into(), "Bearer a.b.c".into()] {
        assert_eq!(status(get_with(&app, &bad)).await, StatusCode::UNAUTHORIZED, "{bad}");
    }
    store.revoke_secret(SecretKind::ApiToken, Some(&ticketd::auth::secrets::digest(&token)), "").await.expect("revoke");
    assert_eq!(status(get_with(&app, &format!("Bearer {token}"))).await, StatusCode::UNAUTHORIZED);
}

async fn read_only_associates_get_403_on_writes_and_read_rights_in_responses(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let reader = app.client.get(app.url(MESSAGE)).basic_auth("gjest", Some("Gjest1"));
    let (status_code, body) = app.call(reader).await;
    assert_eq!(status_code, StatusCode::OK);
    assert_eq!(body["TableRight"], json!({"Mask": "Select", "Reason": "[SR_RIGHTS_READ_ONLY]"}));
    assert_eq!(body["FieldProperties"]["Body"]["FieldRight"]["Mask"], "Read");
    let (_, admin) = app.get_message(1).await;
    assert_eq!(admin["TableRight"]["Mask"], "FULL");
    assert_eq!(admin["FieldProperties"]["Body"]["FieldRight"]["Mask"], "Update");
    assert_eq!(admin["FieldProperties"]["EjMessageId"]["FieldRight"]["Mask"], "Read");
    for (method, path) in [(Method::PUT, MESSAGE), (Method::POST, "/api/v1/TicketMessage")] {
        let write = app
            .client
            .request(method, app.url(path))
            .basic_auth("gjest", Some("Gjest1"))
            .header("Content-Type", "application/json")
            .body(r#"{"Ticket":{"TicketId":1},"Body":"no"}"#);
        assert_error(app.call(write).await, StatusCode::FORBIDDEN, "SoAccessDeniedException", "gjest");
    }
    assert_eq!(app.get_message(1).await.1, admin);
}

async fn disabled_associates_and_changed_passwords_are_refused_at_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let store = app.store.as_ref();
    let ticket = issue_ticket(store, 2, HOUR).await.expect("ticket");
    let basic = || app.client.get(app.url(MESSAGE)).basic_auth("ragnhild", Some("Ragnhild1"));
    assert_eq!(status(basic()).await, StatusCode::OK);
    assert_eq!(status(basic()).await, StatusCode::OK, "a cached verification");
    store.change_associate("ragnhild", &AssociateChange::Disabled(true)).await.expect("disable");
    assert_eq!(status(basic()).await, StatusCode::UNAUTHORIZED, "disabled: the cache does not help");
    assert_eq!(status(get_with(&app, &format!("SoTicket {ticket}"))).await, StatusCode::UNAUTHORIZED);
    store.change_associate("ragnhild", &AssociateChange::Disabled(false)).await.expect("enable");
    assert_eq!(status(basic()).await, StatusCode::OK);
    let new_hash = password::hash("Nytt-passord").expect("hash");
    store.change_associate("ragnhild", &AssociateChange::PasswordHash(new_hash)).await.expect("passwd");
    assert_eq!(status(basic()).await, StatusCode::UNAUTHORIZED, "the old password is cached no longer");
    let fresh = app.client.get(app.url(MESSAGE)).basic_auth("ragnhild", Some("Nytt-passord"));
    assert_eq!(status(fresh).await, StatusCode::OK);
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_with_retry_after() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    for _ in 0..10 {
        let wrong = app.client.get(app.url(MESSAGE)).basic_auth("jose", Some("guess"));
        assert_eq!(status(wrong).await, StatusCode::UNAUTHORIZED);
    }
    let response = app.client.get(app.url(MESSAGE)).basic_auth("jose", Some("José1")).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
    assert!((1..=60).contains(&retry));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["ErrorType"], "TooManyRequestsException");
}

#[tokio::test]
async fn jwts_are_checked_for_key_algorithm_expiry_issuer_and_audience() {
    // Issuer and audience are configured, so a token must carry both.
    let secret = "a-long-enough-test-secret-for-hs256";
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |settings| {
        settings.auth.auth_failure_limit = 100;
        settings.auth.jwt_hs256_secret = Some(secret.into());
        settings.auth.jwt_issuer = Some("https://sod.example.com".into());
        settings.auth.jwt_audience = Some("ticketd".into());
    })
    .await
    else {
        return;
    };
    let now = chrono::Utc::now().timestamp();
    let claims = |changes: Value| {
        let mut claims = json!({"sub": "ragnhild", "iss": "https://sod.example.com", "aud": "ticketd", "exp": now + 600, "nbf": now - 10});
        for (k, v) in changes.as_object().into_iter().flatten() {
            claims[k] = v.clone();
        }
        claims
    };
    let hs = |claims: &Value, key: &str| {
        encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(key.as_bytes()).expect("key"))
            .expect("jwt")
    };
    let without = |mut claims: Value, name: &str| {
        claims.as_object_mut().map(|fields| fields.remove(name));
        claims
    };
    let good = hs(&claims(json!({})), secret);
    assert_eq!(status(get_with(&app, &format!("Bearer {good}"))).await, StatusCode::OK);
    let rsa = EncodingKey::from_rsa_pem(include_bytes!("../fixtures/jwt/rsa-private.pem")).expect("rsa key");
    let cases = [
        ("wrong secret", hs(&claims(json!({})), "another-secret-of-enough-length")),
        ("expired", hs(&claims(json!({"exp": now - 600})), secret)),
        ("not yet valid", hs(&claims(json!({"nbf": now + 600})), secret)),
        ("wrong issuer", hs(&claims(json!({"iss": "https://evil.example.com"})), secret)),
        ("wrong audience", hs(&claims(json!({"aud": "someone-else"})), secret)),
        ("no issuer", hs(&without(claims(json!({})), "iss"), secret)),
        ("no audience", hs(&without(claims(json!({})), "aud"), secret)),
        ("unknown login", hs(&claims(json!({"sub": "nobody"})), secret)),
        ("algorithm not pinned", encode(&Header::new(Algorithm::RS256), &claims(json!({})), &rsa).expect("jwt")),
        ("alg none", format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", good.split('.').nth(1).unwrap_or(""))),
        ("malformed", "eyJ.not.ajwt".into()),
    ];
    for (what, token) in cases {
        assert_eq!(status(get_with(&app, &format!("Bearer {token}"))).await, StatusCode::UNAUTHORIZED, "{what}");
    }
}

#[tokio::test]
async fn a_short_hs256_secret_stops_the_server_from_starting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("short-secret.db").display());
    let mut settings = ticketd::app::Settings {
        listen: "127.0.0.1:0".parse().expect("address"),
        database_url: url.into(),
        ..Default::default()
    };
    settings.auth.jwt_hs256_secret = Some("only-twenty-six-bytes-long".into());
    // `ticketd serve` prints this error and exits.
    let Err(error) = ticketd::app::Application::build(settings.clone()).await else {
        panic!("a 26-byte HS256 secret was accepted")
    };
    let error = error.to_string();
    assert!(error.contains("--jwt-hs256-secret") && error.contains("TICKETD_JWT_HS256_SECRET"), "{error}");
    assert!(error.contains("at least 32 bytes"), "{error}");
    settings.auth.jwt_hs256_secret = Some("a-secret-of-exactly-32-bytes-ok!".into());
    assert!(ticketd::app::Application::build(settings).await.is_ok(), "32 bytes are enough");
}

#[tokio::test]
async fn jwts_signed_with_rsa_pem_and_ec_jwks_keys_are_accepted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ec_private = include_bytes!("../fixtures/jwt/ec-private.pem");
    let ec = EncodingKey::from_ec_pem(ec_private).expect("ec key");
    let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&ec, Algorithm::ES256).expect("jwk");
    jwk.common.key_id = Some("ec-1".into());
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, json!({"keys": [jwk]}).to_string()).expect("write jwks");
    let public_pem = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt/rsa-public.pem");
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |settings| {
        settings.auth.jwt_public_key = Some(public_pem.into());
        settings.auth.jwt_jwks = Some(jwks.display().to_string());
        settings.auth.jwt_associate_claim = "preferred_username".into();
    })
    .await
    else {
        return;
    };
    let claims = json!({"preferred_username": "jose", "exp": chrono::Utc::now().timestamp() + 600});
    let rsa = EncodingKey::from_rsa_pem(include_bytes!("../fixtures/jwt/rsa-private.pem")).expect("rsa key");
    let rs256 = encode(&Header::new(Algorithm::RS256), &claims, &rsa).expect("jwt");
    let mut es_header = Header::new(Algorithm::ES256);
    es_header.kid = Some("ec-1".into());
    let es256 = encode(&es_header, &claims, &ec).expect("jwt");
    for token in [rs256, es256] {
        assert_eq!(status(get_with(&app, &format!("Bearer {token}"))).await, StatusCode::OK);
    }
    let no_claim = encode(
        &Header::new(Algorithm::RS256),
        &json!({"sub": "jose", "exp": chrono::Utc::now().timestamp() + 60}),
        &rsa,
    )
    .expect("jwt");
    assert_eq!(status(get_with(&app, &format!("Bearer {no_claim}"))).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn browser_sessions_need_the_matching_xsrf_header() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let login = app
        .client
        .post(app.url("/api/v1/session"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("username=ragnhild&password=Ragnhild1")
        .send()
        .await
        .expect("answered");
    assert_eq!(login.status(), StatusCode::OK);
    let cookies: Vec<String> =
        login.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let session_cookie = cookies.iter().find(|c| c.starts_with("ticketd_session=")).expect("session cookie");
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Strict"));
    let xsrf_cookie = cookies.iter().find(|c| c.starts_with("XSRF-TOKEN=")).expect("xsrf cookie");
    assert!(!xsrf_cookie.contains("HttpOnly"), "scripts must be able to read the XSRF token");
    let body: Value = login.json().await.expect("json");
    let xsrf = body["XsrfToken"].as_str().expect("token").to_owned();
    let ticket = body["Ticket"].as_str().expect("ticket").to_owned();
    let cookie_header = cookies.iter().map(|c| c.split(';').next().unwrap_or_default()).collect::<Vec<_>>().join("; ");
    let with_cookie = || app.client.get(app.url(MESSAGE)).header("Cookie", cookie_header.clone());
    assert_eq!(status(with_cookie().header("X-XSRF-TOKEN", &xsrf)).await, StatusCode::OK);
    assert_eq!(status(with_cookie()).await, StatusCode::UNAUTHORIZED, "missing header");
    assert_eq!(status(with_cookie().header("X-XSRF-TOKEN", "forged")).await, StatusCode::UNAUTHORIZED, "wrong header");
    let no_cookie = app.client.get(app.url(MESSAGE)).header("X-XSRF-TOKEN", &xsrf);
    assert_eq!(status(no_cookie).await, StatusCode::UNAUTHORIZED, "header without cookie");
    let authorization_wins =
        with_cookie().header("X-XSRF-TOKEN", &xsrf).header("Authorization", "Basic dGplMDp3cm9uZw==");
    assert_eq!(status(authorization_wins).await, StatusCode::UNAUTHORIZED, "with Authorization the cookie is ignored");
    assert_eq!(
        status(get_with(&app, &format!("SoTicket {ticket}"))).await,
        StatusCode::OK,
        "the login also issues a ticket"
    );
    let wrong = app.client.post(app.url("/api/v1/session")).json(&json!({"Username": "ragnhild", "Password": "no"}));
    assert_eq!(status(wrong).await, StatusCode::UNAUTHORIZED);
    let logout = app
        .client
        .delete(app.url("/api/v1/session"))
        .header("Cookie", cookie_header.clone())
        .header("X-XSRF-TOKEN", &xsrf);
    let response = logout.send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        response.headers().get_all("set-cookie").iter().all(|c| c.to_str().unwrap_or_default().contains("Max-Age=0"))
    );
    assert_eq!(status(with_cookie().header("X-XSRF-TOKEN", &xsrf)).await, StatusCode::UNAUTHORIZED, "after logout");
}

#[tokio::test]
async fn app_tokens_are_optional_unless_required_for_soticket() {
    for required in [false, true] {
        let Some(app) =
            TestApp::spawn_with(Backend::Sqlite, |settings| settings.auth.require_app_token = required).await
        else {
            return;
        };
        let store = app.store.as_ref();
        let app_token = register_app(store, "Partner AS").await.expect("app");
        let ticket = issue_ticket(store, 1, HOUR).await.expect("ticket");
        let soticket = || get_with(&app, &format!("SoTicket {ticket}"));
        let expected_without = if required { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
        assert_eq!(status(soticket()).await, expected_without, "absent, required={required}");
        assert_eq!(status(soticket().header("SO-AppToken", &app_token)).await, StatusCode::OK, "valid");
        assert_eq!(status(soticket().header("SO-AppToken", "nope")).await, StatusCode::UNAUTHORIZED, "invalid");
        let basic = app.client.get(app.url(MESSAGE)).basic_auth("tje0", Some("Tje0"));
        assert_eq!(status(basic).await, StatusCode::OK, "Basic callers need no app token");
        let basic_bad_app =
            app.client.get(app.url(MESSAGE)).basic_auth("tje0", Some("Tje0")).header("SO-AppToken", "nope");
        assert_eq!(status(basic_bad_app).await, StatusCode::UNAUTHORIZED);
        store.revoke_secret(SecretKind::App, None, "Partner AS").await.expect("revoke");
        assert_eq!(status(soticket().header("SO-AppToken", &app_token)).await, StatusCode::UNAUTHORIZED, "removed app");
    }
}
