//! `/metrics` behind `--metrics-token`, and scrapes that share one count of the outbox.

use std::time::Duration;

use reqwest::StatusCode;
use ticketd::app::Settings;

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(concurrent_scrapes_share_one_count_of_the_outbox);

const TOKEN: &str = "metrics-Zq7rT2vK9w";

async fn scrape(app: &TestApp, authorization: Option<&str>) -> (StatusCode, String) {
    let mut request = app.client.get(app.url("/metrics"));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = request.send().await.expect("answered");
    (response.status(), response.text().await.expect("body"))
}

#[tokio::test]
async fn a_metrics_token_is_required_once_configured() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |settings| {
        settings.metrics.metrics_token = Some(TOKEN.parse().expect("a token"));
    })
    .await
    else {
        return;
    };
    let bearer = format!("Bearer {TOKEN}");
    let wrong_length = format!("Bearer {TOKEN}x");
    for (authorization, needle) in [
        (None, "Authorization"),
        (Some("Bearer metrics-Zq7rT2vK9W"), "metrics token"),
        (Some(wrong_length.as_str()), "metrics token"),
        (Some(crate::helpers::SEED_AUTH), "metrics token"),
        (Some(TOKEN), "metrics token"),
    ] {
        let (status, body) = scrape(&app, authorization).await;
        let body =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{authorization:?}: not the vendor body: {body}"));
        assert_error((status, body), StatusCode::UNAUTHORIZED, "SoAuthenticationException", needle);
    }
    let (status, body) = scrape(&app, Some(&bearer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ticketd_outbox_rows{"), "{body}");
}

#[tokio::test]
async fn without_a_metrics_token_the_metrics_stay_open() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let (status, body) = scrape(&app, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ticketd_outbox_rows{"), "{body}");
}

#[test]
fn the_metrics_token_is_left_out_of_the_options_debug_form() {
    let mut settings = Settings::default();
    settings.metrics.metrics_token = Some(TOKEN.parse().expect("a token"));
    let printed = format!("{settings:?}");
    assert!(printed.contains("metrics_token") && !printed.contains(TOKEN), "{printed}");
}

/// `ticketd_outbox_count_queries_total` as a scrape shows it.
fn count_queries(body: &str) -> u64 {
    body.lines()
        .find_map(|line| line.strip_prefix("ticketd_outbox_count_queries_total "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no outbox query counter in {body}"))
}

async fn concurrent_scrapes_share_one_count_of_the_outbox(backend: Backend) {
    // Counts kept for longer than the burst can take, so that only sharing is measured.
    let Some(app) =
        TestApp::spawn_with(backend, |settings| settings.metrics.metrics_cache = Duration::from_secs(600)).await
    else {
        return;
    };
    let burst = futures_util::future::join_all((0..16).map(|_| scrape(&app, None))).await;
    for (status, body) in &burst {
        assert_eq!(*status, StatusCode::OK);
        assert_eq!(count_queries(body), 1, "every scrape of the burst shares the first count");
    }
}
