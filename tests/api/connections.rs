//! Slow and idle clients cannot hold the server: a request dribbled a byte at a time is cut off,
//! idle connections are closed so that others get a slot, and a quiet event stream stays open.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, TestApp};

const LIMIT: Duration = Duration::from_secs(15);

async fn app_with_short_timeouts(max_connections: usize) -> Option<TestApp> {
    TestApp::spawn_with(Backend::Sqlite, |settings| {
        settings.max_connections = max_connections;
        settings.idle_timeout = Duration::from_millis(1500);
        settings.read_timeout = Duration::from_secs(1);
    })
    .await
}

fn address(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; `true` if it did within the limit.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buffer = [0u8; 1024];
    let read_all = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(LIMIT, read_all).await.is_ok()
}

#[tokio::test]
async fn a_request_dribbled_byte_by_byte_is_cut_off() {
    let Some(app) = app_with_short_timeouts(64).await else { return };
    let mut stream = TcpStream::connect(address(&app)).await.expect("connect");
    let request =
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut refused = false;
    for byte in request {
        if stream.write_all(&[*byte]).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused || closed_by_server(&mut stream).await, "a dribbling client is disconnected");
    let health = app.client.get(app.url("/health")).send().await.expect("answered");
    assert_eq!(health.status(), StatusCode::OK, "others are still served");
}

#[tokio::test]
async fn idle_connections_are_closed_so_others_get_a_slot() {
    let Some(app) = app_with_short_timeouts(3).await else { return };
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(address(&app)).await.expect("connect"));
    }
    // Every slot is held by a silent client; a real request gets one when they are closed.
    let health = tokio::time::timeout(LIMIT, app.client.get(app.url("/health")).send())
        .await
        .expect("answered before the limit")
        .expect("answered");
    assert_eq!(health.status(), StatusCode::OK);
    for mut stream in idle {
        assert!(closed_by_server(&mut stream).await, "an idle connection is closed");
    }
}

#[tokio::test]
async fn a_quiet_event_stream_outlives_the_idle_timeout() {
    let Some(app) = app_with_short_timeouts(64).await else { return };
    let mut stream = app
        .client
        .get(app.url("/api/v1/notifications/stream"))
        .header("Authorization", crate::helpers::SEED_AUTH)
        .send()
        .await
        .expect("stream opens");
    assert_eq!(stream.status(), StatusCode::OK);
    // Keep-alive comments arrive more often than the idle timeout, for longer than it.
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        let chunk = tokio::time::timeout(LIMIT, stream.chunk()).await.expect("in time").expect("readable");
        assert!(chunk.is_some(), "the stream stays open");
    }
}
