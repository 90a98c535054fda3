//! Sign-in limits that slow guessing without locking anyone out, and `--trusted-proxy`: whose
//! forwarding headers decide the client address, the scheme (links, `Secure` cookies) and the
//! host, and that a hostile `Host` never reaches a link.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::json;
use ticketd::auth::issue::issue_token;
use ticketd::domain::Scope;

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    failures_from_an_address_block_neither_its_valid_logins_nor_its_tokens,
    failures_from_another_client_do_not_lock_out_a_correct_password,
    a_trusted_proxy_decides_address_scheme_host_and_cookies,
    forwarding_headers_from_anyone_else_are_ignored,
    hostile_hosts_never_reach_links,
);

const MESSAGE: &str = "/api/v1/TicketMessage/1";
const PAGE: &str = "/api/v1/TicketMessage?$top=1";
const FORWARDED_HTTPS: [(&str, &str); 3] =
    [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "tickets.example.com")];

fn basic(app: &TestApp, login: &str, password: &str) -> RequestBuilder {
    app.client.get(app.url(MESSAGE)).basic_auth(login, Some(password))
}

fn sign_in(app: &TestApp, login: &str, password: &str) -> RequestBuilder {
    app.client.post(app.url("/api/v1/session")).json(&json!({"Username": login, "Password": password}))
}

async fn status(request: RequestBuilder) -> StatusCode {
    request.send().await.expect("answered").status()
}

/// Sends `request` and asserts a 429 with a `Retry-After` within the window.
async fn assert_refused(request: RequestBuilder) {
    let response = request.send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
}

/// The `Set-Cookie` values of a successful sign-in.
async fn cookies(request: RequestBuilder) -> Vec<String> {
    let response = request.send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
}

async fn failures_from_an_address_block_neither_its_valid_logins_nor_its_tokens(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let token = issue_token(app.store.as_ref(), 1, None, Scope::ReadWrite).await.expect("token");
    assert_eq!(status(basic(&app, "tje0", "Tje0")).await, StatusCode::OK, "verified before the attack");
    for _ in 0..12 {
        for login in ["tje0", "jose"] {
            let answer = status(basic(&app, login, "guess")).await;
            assert!([StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&answer), "{answer}");
        }
    }
    assert_refused(basic(&app, "jose", "guess")).await;
    assert_eq!(status(basic(&app, "tje0", "Tje0")).await, StatusCode::OK, "a verified password");
    assert_eq!(
        status(basic(&app, "ragnhild", "Ragnhild1")).await,
        StatusCode::OK,
        "a login this address never got wrong"
    );
    assert_eq!(status(sign_in(&app, "ragnhild", "Ragnhild1")).await, StatusCode::OK);
    let bearer = app.client.get(app.url(MESSAGE)).bearer_auth(&token);
    assert_eq!(status(bearer).await, StatusCode::OK, "a valid token");
}

async fn failures_from_another_client_do_not_lock_out_a_correct_password(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |settings| settings.auth.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()])
            .await
    else {
        return;
    };
    let from = |request: RequestBuilder, client: &str| request.header("X-Forwarded-For", client.to_owned());
    for _ in 0..15 {
        let answer = status(from(basic(&app, "jose", "guess"), "203.0.113.7")).await;
        assert!([StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&answer), "{answer}");
    }
    assert_refused(from(basic(&app, "jose", "guess"), "203.0.113.7")).await;
    assert_refused(from(sign_in(&app, "jose", "guess"), "203.0.113.7")).await;
    // The login is busy failing: a second attacker address gets one guess, then waits.
    assert_eq!(status(from(basic(&app, "jose", "guess"), "203.0.113.8")).await, StatusCode::UNAUTHORIZED);
    assert_refused(from(basic(&app, "jose", "guess"), "203.0.113.8")).await;
    // The real user, from an address that has not got the password wrong, is let in at once.
    assert_eq!(status(from(sign_in(&app, "jose", "José1"), "198.51.100.9")).await, StatusCode::OK);
    assert_eq!(status(from(basic(&app, "jose", "José1"), "198.51.100.9")).await, StatusCode::OK);
}

async fn a_trusted_proxy_decides_address_scheme_host_and_cookies(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |settings| settings.auth.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()])
            .await
    else {
        return;
    };
    let forwarded = |mut request: RequestBuilder| {
        for (name, value) in FORWARDED_HTTPS {
            request = request.header(name, value);
        }
        request
    };
    let (status_code, page) = app.call(forwarded(app.request(Method::GET, PAGE))).await;
    assert_eq!(status_code, StatusCode::OK, "{page}");
    let next = page["odata.nextLink"].as_str().expect("a next page");
    assert!(next.starts_with("https://tickets.example.com/api/v1/TicketMessage?"), "{next}");
    let patched = app.call(forwarded(app.send_json(Method::PATCH, "/api/v1/TicketMessage/3", "{}"))).await;
    assert_eq!(patched.1["_Links"]["Self"], "https://tickets.example.com/api/v1/TicketMessage/3/");
    let set = cookies(forwarded(sign_in(&app, "ragnhild", "Ragnhild1"))).await;
    assert_eq!(set.len(), 2);
    assert!(set.iter().all(|c| c.ends_with("; Secure")), "{set:?}");
    let plain = cookies(sign_in(&app, "ragnhild", "Ragnhild1").header("X-Forwarded-Proto", "http")).await;
    assert!(plain.iter().all(|c| !c.contains("Secure")), "{plain:?}");
    // Each forwarded client has its own failures: rotating addresses are separate clients.
    for n in 0..12 {
        let guess = basic(&app, "jose", "guess").header("X-Forwarded-For", format!("198.51.100.{n}"));
        assert_eq!(status(guess).await, StatusCode::UNAUTHORIZED);
    }
}

async fn forwarding_headers_from_anyone_else_are_ignored(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let forwarded = |mut request: RequestBuilder| {
        for (name, value) in FORWARDED_HTTPS {
            request = request.header(name, value);
        }
        request.header("Forwarded", "for=192.0.2.1;proto=https;host=tickets.example.com")
    };
    let (_, page) = app.call(forwarded(app.request(Method::GET, PAGE))).await;
    let next = page["odata.nextLink"].as_str().expect("a next page");
    assert!(next.starts_with(&format!("{}/api/v1/TicketMessage?", app.base)), "{next}");
    let set = cookies(forwarded(sign_in(&app, "ragnhild", "Ragnhild1"))).await;
    assert!(set.iter().all(|c| !c.contains("Secure")), "{set:?}");
    // Every guess counts against the socket's address, whatever address it claims.
    for n in 0..10 {
        let guess = basic(&app, "jose", "guess").header("X-Forwarded-For", format!("198.51.100.{n}"));
        assert_eq!(status(guess).await, StatusCode::UNAUTHORIZED);
    }
    assert_refused(basic(&app, "jose", "guess").header("X-Forwarded-For", "198.51.100.99")).await;
}

async fn hostile_hosts_never_reach_links(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |settings| settings.auth.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()])
            .await
    else {
        return;
    };
    let (_, before) = app.get_message(3).await;
    for (header, host) in [
        ("Host", "evil\"<x>"),
        ("Host", "evil example.com"),
        ("Host", "a/b"),
        ("Host", "evil.example.com:80@x"),
        ("X-Forwarded-Host", "evil\"<x>"),
        ("Forwarded", "host=\"a/b\""),
    ] {
        let list = app.request(Method::GET, PAGE).header(header, host);
        assert_error(app.call(list).await, StatusCode::BAD_REQUEST, "ArgumentException", header);
        let patch = app.send_json(Method::PATCH, "/api/v1/TicketMessage/3", r#"{"Body":"evil"}"#).header(header, host);
        assert_error(app.call(patch).await, StatusCode::BAD_REQUEST, "ArgumentException", header);
        let embed = app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=Link").header(header, host);
        assert_error(app.call(embed).await, StatusCode::BAD_REQUEST, "ArgumentException", header);
    }
    let (_, after) = app.get_message(3).await;
    assert_eq!(after, before, "a refused PATCH writes nothing");
    // An IP literal with a port is a host.
    let (status_code, page) = app.call(app.request(Method::GET, PAGE).header("Host", "[::1]:8080")).await;
    assert_eq!(status_code, StatusCode::OK);
    assert!(page["odata.nextLink"].as_str().is_some_and(|n| n.starts_with("http://[::1]:8080/api/")), "{page}");
}
