//! Sustained mixed load on the real binary: GET, PUT, POST, PATCH and list requests from many
//! connections at once. No request may fail, and the server's open files and memory must come
//! back to a bound afterwards. Latency is reported, never asserted.
//!
//! `TICKETD_SOAK_SECONDS` (default 5) and `TICKETD_SOAK_CONNECTIONS` (default 32) set the run,
//! `TICKETD_SOAK_BACKEND=postgres` runs it on the harness's PostgreSQL and `TICKETD_BINARY`
//! on another build; docs/reliability.md has the long one. The p99 is printed per tenth of the
//! run, to show whether it stays stable.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::cli::{run_ok, serve_with};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The server's resident memory (kB) and open file descriptors.
fn footprint(pid: u32) -> (u64, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let files = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|dir| dir.count()).unwrap_or(0);
    (rss, files)
}

/// One client connection's loop: a mix of reads and writes until the deadline; its latencies.
async fn client_loop(
    client: reqwest::Client,
    base: String,
    token: String,
    index: usize,
    until: Instant,
    failures: Arc<AtomicUsize>,
    started_at: Instant,
) -> Vec<(Duration, Duration)> {
    let mut latencies = Vec::new();
    let mut n = 0usize;
    while Instant::now() < until {
        n += 1;
        let message = (index + n) % 10 + 1;
        let (method, path, body) = match n % 6 {
            0 => {
                (Method::PUT, format!("/api/v1/TicketMessage/{message}"), json!({"Body": format!("soak {index}-{n}")}))
            }
            1 => (Method::POST, "/api/v1/TicketMessage".to_owned(), json!({"Ticket": {"TicketId": 1}, "Body": "soak"})),
            2 => (Method::PATCH, format!("/api/v1/TicketMessage/{message}"), json!({"Important": n.is_multiple_of(2)})),
            3 => (Method::GET, "/api/v1/TicketMessage?$filter=ticketId%20eq%201&$top=20".to_owned(), json!(null)),
            _ => (Method::GET, format!("/api/v1/TicketMessage/{message}"), json!(null)),
        };
        let mut request = client.request(method.clone(), format!("{base}{path}")).header("Authorization", &token);
        if !body.is_null() {
            let media = if method == Method::PATCH { "application/merge-patch+json" } else { "application/json" };
            request = request.header("Content-Type", media).body(body.to_string());
        }
        let started = Instant::now();
        let ok = match request.send().await {
            Ok(response) if response.status() == StatusCode::OK => response.bytes().await.is_ok(),
            Ok(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                eprintln!("soak: {method} {path}: {status} {}", text.chars().take(160).collect::<String>());
                false
            }
            Err(err) => {
                eprintln!("soak: {method} {path}: {err}");
                false
            }
        };
        latencies.push((started - started_at, started.elapsed()));
        if !ok {
            failures.fetch_add(1, Ordering::Relaxed);
        }
    }
    latencies
}

/// The 99th percentile latency of the requests started in each window of the run.
fn p99_per_window(samples: &[(Duration, Duration)], window: Duration) -> Vec<Duration> {
    let window = window.max(Duration::from_millis(100));
    let mut windows: Vec<Vec<Duration>> = Vec::new();
    for &(at, took) in samples {
        let slot = (at.as_millis() / window.as_millis()) as usize;
        if windows.len() <= slot {
            windows.resize(slot + 1, Vec::new());
        }
        windows[slot].push(took);
    }
    windows
        .into_iter()
        .filter(|w| !w.is_empty())
        .map(|mut w| {
            w.sort();
            w[(w.len() * 99 / 100).min(w.len() - 1)]
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_load_gets_no_errors_and_leaves_files_and_memory_bounded() {
    let seconds = setting("TICKETD_SOAK_SECONDS", 5);
    let connections = setting("TICKETD_SOAK_CONNECTIONS", 32) as usize;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("TICKETD_SOAK_BACKEND").as_deref() {
        Ok("postgres") => crate::pg::fresh_database().await.expect("the harness's PostgreSQL"),
        _ => format!("sqlite://{}", dir.path().join("soak.db").display()),
    };
    let (mut server, base) = serve_with(&url, &[]);
    let token = format!("Bearer {}", run_ok(&["token", "issue", "tje0", "--database-url", &url]).trim());
    let (rss_before, files_before) = footprint(server.id());

    let failures = Arc::new(AtomicUsize::new(0));
    let started_at = Instant::now();
    let until = started_at + Duration::from_secs(seconds);
    let client = crate::helpers::client();
    let tasks: Vec<_> = (0..connections)
        .map(|i| {
            tokio::spawn(client_loop(
                client.clone(),
                base.clone(),
                token.clone(),
                i,
                until,
                failures.clone(),
                started_at,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client"));
    }
    let (rss_loaded, files_loaded) = footprint(server.id());
    drop(client);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rss_after, files_after) = footprint(server.id());
    eprintln!("soak: p99 per tenth of the run: {:?}", p99_per_window(&latencies, Duration::from_secs(seconds) / 10));
    let mut latencies: Vec<Duration> = latencies.into_iter().map(|(_, took)| took).collect();
    latencies.sort();
    let at = |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)));
    eprintln!(
        "soak: {seconds} s, {connections} connections, {} requests ({:.0}/s), p50 {:?}, p99 {:?}, p99.9 {:?}; \
         RSS {rss_before} → {rss_loaded} → {rss_after} kB; open files {files_before} → {files_loaded} → {files_after}",
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        at(0.5).copied().unwrap_or_default(),
        at(0.99).copied().unwrap_or_default(),
        at(0.999).copied().unwrap_or_default(),
    );
    assert_eq!(failures.load(Ordering::Relaxed), 0, "every request of the mixed load succeeded");
    assert!(!latencies.is_empty());
    assert!(files_after <= files_before + 16, "connections are released: {files_before} → {files_after} open files");
    assert!(rss_after < 256 * 1024, "resident memory stays under 256 MB: {rss_after} kB");
    server.kill().expect("stop");
    let _ = server.wait();
}
