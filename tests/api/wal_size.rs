//! SQLite's write-ahead log stays bounded under a sustained write load with readers running
//! all along (readers must not starve the checkpointer). The short run here takes 10 s;
//! `TICKETD_WAL_LOAD_SECONDS=60` (or `TICKETD_FAULTS_LONG=1`) runs the measurement
//! docs/operations.md reports.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// The `-wal` size past which the writer truncates the log (`--sqlite-wal-limit-mb`), set low
/// here so a short run passes it several times.
const WAL_LIMIT_MB: u64 = 1;
/// The largest `-wal` file allowed: the limit plus what the commits between two of the
/// writer's looks at the file add. Without truncation, the log passes 4 MiB within 10 s here.
const WAL_BOUND: u64 = 3 * 1024 * 1024;
const WRITERS: usize = 4;
const READERS: usize = 4;

/// 10 s, or 60 s with `TICKETD_FAULTS_LONG=1`; `TICKETD_WAL_LOAD_SECONDS` sets it outright.
fn load_duration() -> Duration {
    let long = std::env::var_os("TICKETD_FAULTS_LONG").is_some();
    let seconds = std::env::var("TICKETD_WAL_LOAD_SECONDS").ok().and_then(|text| text.parse().ok());
    Duration::from_secs(seconds.unwrap_or(if long { 60 } else { 10 }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_wal_stays_bounded_under_a_sustained_write_load_with_readers() {
    let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |settings| settings.sqlite_wal_limit_mb = WAL_LIMIT_MB).await
    else {
        return;
    };
    let app = Arc::new(app);
    let path = app.database_url().trim_start_matches("sqlite://").to_owned();
    let wal = format!("{path}-wal");
    let stop = Arc::new(AtomicBool::new(false));
    let saves = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let (app, stop, saves) = (app.clone(), stop.clone(), saves.clone());
        tasks.push(tokio::spawn(async move {
            // About 4 KiB of text per save, so the log grows quickly.
            let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(70);
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"Ticket": {"TicketId": 3}, "Body": format!("{writer} {filler}")});
                let (status, answer) =
                    app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body.to_string())).await;
                assert_eq!(status, StatusCode::OK, "{answer}");
                saves.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for _ in 0..READERS {
        let (app, stop) = (app.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                assert_eq!(app.get_message(3).await.0, StatusCode::OK);
                let list = app.request(Method::GET, "/api/v1/TicketMessage?$top=50&$orderBy=createdAt%20desc");
                assert_eq!(app.call(list).await.0, StatusCode::OK);
            }
        }));
    }
    let (started, duration) = (Instant::now(), load_duration());
    let mut largest = 0;
    while started.elapsed() < duration {
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |meta| meta.len()));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("load task");
    }
    let database = std::fs::metadata(&path).map_or(0, |meta| meta.len());
    let saves = saves.load(Ordering::Relaxed);
    eprintln!("{saves} saves in {duration:?}; largest WAL {largest} bytes; database {database} bytes");
    assert!(largest <= WAL_BOUND, "the WAL reached {largest} bytes (bound {WAL_BOUND}) after {saves} saves");
}
