//! Steady-state cost of authenticating a request, per scheme, against a real SQLite store.
//!
//! `cargo bench --bench auth` prints µs per authentication (median of rounds): Basic on its
//! first request (a full argon2id verification) and once cached, SoTicket, and a Bearer API
//! token, each including the store lookup every request makes.

use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue};
use base64::Engine as _;
use ticketd::auth::issue::{issue_ticket, issue_token};
use ticketd::auth::{AuthSettings, Authenticator};
use ticketd::domain::Scope;

const ROUNDS: usize = 7;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn header(authorization: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_str(authorization).expect("header"));
    headers
}

async fn micros_per_call(auth: &Authenticator, headers: &HeaderMap, calls: u32) -> f64 {
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..calls {
            auth.authenticate(headers, None).await.expect("authenticates");
        }
        rounds.push(started.elapsed().as_secs_f64() * 1e6 / f64::from(calls));
    }
    median(rounds)
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("auth.db").display());
    let store = ticketd::store::connect(&url).await.expect("store");
    ticketd::app::seed_demo_data(store.as_ref()).await.expect("demo data");
    let basic = header(&format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("tje0:Tje0")));
    let ticket =
        header(&format!("SoTicket {}", issue_ticket(store.as_ref(), 1, chrono::Duration::hours(1)).await.expect("t")));
    let token = header(&format!("Bearer {}", issue_token(store.as_ref(), 1, None, Scope::ReadWrite).await.expect("t")));

    // A cache that forgets at once: every call pays argon2.
    let uncached = AuthSettings { basic_cache_ttl: std::time::Duration::ZERO, ..AuthSettings::default() };
    let cold = Authenticator::new(store.clone(), &uncached).expect("auth");
    let warm = Authenticator::new(store.clone(), &AuthSettings::default()).expect("auth");
    warm.authenticate(&basic, None).await.expect("warms the cache");

    let basic_cold = micros_per_call(&cold, &basic, 10).await;
    let basic_warm = micros_per_call(&warm, &basic, 2_000).await;
    let soticket = micros_per_call(&warm, &ticket, 2_000).await;
    let bearer = micros_per_call(&warm, &token, 2_000).await;
    println!("authentication per request (µs, median of {ROUNDS} rounds, SQLite store, one task)");
    println!("| Basic, argon2id every time | Basic, cached | SoTicket | Bearer API token | cached/uncached |");
    println!("|---|---|---|---|---|");
    println!("| {basic_cold:.0} | {basic_warm:.1} | {soticket:.1} | {bearer:.1} | {:.4} |", basic_warm / basic_cold);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run());
}
