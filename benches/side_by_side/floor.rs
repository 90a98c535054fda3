//! The floors ticketd is measured against, run as modes of this binary in their own pinned
//! process: a bare axum server (B0 reads the body and answers 200; B1 also runs one UPDATE of the
//! message row) and the same UPDATE in a loop without HTTP (B2), on the same database with the
//! pool settings of ticketd's stores (SQLite: 8 connections, 30 s busy timeout, foreign keys;
//! PostgreSQL: 16 connections).

use std::net::SocketAddr;
use std::str::FromStr as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::put;
use axum::serve::ListenerExt as _;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use super::procs;

pub const SERVE_MODE: &str = "floor-server";
pub const LOOP_MODE: &str = "storage-loop";

/// The statement ticketd's save runs for the message row (`UPDATE_MESSAGE` in
/// `src/store/save_sql.rs`), with no expected version, as an unconditional PUT has.
const UPDATE_MESSAGE: &str = "UPDATE ticket_messages SET ticket_id = $1, created_at = $2, created_by = $3, \
     author = $4, slevel = $5, message_type = $6, message_id = $7, time_spent = $8, body = $9, html_body = $10, \
     email_header = $11, debug_info = $12, mail_sorter = $13, category = $14, person_id = $15, \
     search_title = $16, important = $17, language = $18, sentiment = $19, \
     sentiment_confidence = $20, badge = $21, updated_at = $22, version = version + 1 \
     WHERE id = $23 AND (CAST($24 AS BIGINT) IS NULL OR version = CAST($24 AS BIGINT))";

/// .NET ticks of 2024-01-01, and of the Unix epoch (ticketd stores times as .NET ticks).
const CREATED_AT_TICKS: i64 = 638_396_640_000_000_000;
const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;

/// Binds the values B3's JSON body saves (`tag` where that body has `{n}`).
macro_rules! bind_message_row {
    ($query:expr, $id:expr, $tag:expr, $now:expr) => {
        $query
            .bind(1_i32)
            .bind(CREATED_AT_TICKS)
            .bind(1_i32)
            .bind("Tje Ødegård")
            .bind(2_i32)
            .bind(2_i32)
            .bind("<bench@example.com>")
            .bind(5_i32)
            .bind(format!("Bench body {}", $tag))
            .bind(format!("<p>Bench body {}</p>", $tag))
            .bind("")
            .bind("")
            .bind("")
            .bind(0_i32)
            .bind(None::<i32>)
            .bind(format!("Bench {}", $tag))
            .bind(false)
            .bind("no")
            .bind(0_i32)
            .bind(0_i32)
            .bind(0_i32)
            .bind($now)
            .bind($id)
            .bind(None::<i64>)
    };
}

/// The floors' database: one pool, set up as ticketd's store sets up its own.
#[derive(Clone)]
pub enum FloorDb {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl FloorDb {
    pub async fn connect(url: &str, synchronous: &str) -> Result<Self, String> {
        if url.starts_with("postgres") {
            let pool = PgPoolOptions::new().max_connections(16).connect(url).await.map_err(|e| e.to_string())?;
            return Ok(Self::Postgres(pool));
        }
        let synchronous = if synchronous.eq_ignore_ascii_case("normal") {
            SqliteSynchronous::Normal
        } else {
            SqliteSynchronous::Full
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| e.to_string())?
            .synchronous(synchronous)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool =
            SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(|e| e.to_string())?;
        Ok(Self::Sqlite(pool))
    }

    /// One UPDATE of message `id`'s row, in its own (autocommit) transaction.
    pub async fn save(&self, id: i32, tag: u64) -> Result<(), String> {
        let now =
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64 / 100) + UNIX_EPOCH_TICKS;
        let updated = match self {
            Self::Sqlite(pool) => bind_message_row!(sqlx::query(UPDATE_MESSAGE), id, tag, now)
                .execute(pool)
                .await
                .map(|d| d.rows_affected()),
            Self::Postgres(pool) => bind_message_row!(sqlx::query(UPDATE_MESSAGE), id, tag, now)
                .execute(pool)
                .await
                .map(|d| d.rows_affected()),
        };
        match updated {
            Ok(1) => Ok(()),
            Ok(_) => Err(format!("message {id} does not exist")),
            Err(error) => Err(error.to_string()),
        }
    }
}

/// The value of `--name` in a mode's arguments.
fn flag<'a>(args: &'a [String], name: &str) -> Result<&'a str, String> {
    args.iter()
        .position(|arg| arg == name)
        .and_then(|at| args.get(at + 1))
        .map(String::as_str)
        .ok_or_else(|| format!("missing {name}"))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    // Multi-threaded like ticketd's; under `taskset -c 0` that is one worker.
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())
}

#[derive(Clone)]
struct FloorState {
    db: FloorDb,
    next_tag: Arc<AtomicU64>,
}

/// `floor-server --listen ADDR --database-url URL --sqlite-synchronous full|normal`: B0 at
/// `PUT /noop/{id}`, B1 at `PUT /raw/{id}`.
pub fn serve(args: &[String]) -> Result<(), String> {
    let listen: SocketAddr = flag(args, "--listen")?.parse().map_err(|e| format!("--listen: {e}"))?;
    let (url, synchronous) = (flag(args, "--database-url")?, flag(args, "--sqlite-synchronous")?);
    runtime()?.block_on(async {
        let state = FloorState { db: FloorDb::connect(url, synchronous).await?, next_tag: Arc::default() };
        let app = Router::new().route("/noop/{id}", put(noop)).route("/raw/{id}", put(raw)).with_state(state);
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| e.to_string())?;
        // ticketd sets TCP_NODELAY on every connection; the floor must too.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await.map_err(|e| e.to_string())
    })
}

async fn noop(body: Bytes) -> StatusCode {
    std::hint::black_box(body.len());
    StatusCode::OK
}

async fn raw(State(state): State<FloorState>, Path(id): Path<i32>, body: Bytes) -> (StatusCode, String) {
    std::hint::black_box(body.len());
    let tag = state.next_tag.fetch_add(1, Ordering::Relaxed);
    match state.db.save(id, tag).await {
        Ok(()) => (StatusCode::OK, String::new()),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error),
    }
}

/// `storage-loop --database-url URL --sqlite-synchronous S --tasks N --seconds S --warmup S
/// [--pg-pid PID]`: B2. Prints a `BENCH_RESULT` line like the wrk script's, plus the CPU ticks
/// spent by this process (and by PostgreSQL, given its postmaster) and this process's VmHWM.
pub fn storage_loop(args: &[String]) -> Result<(), String> {
    let number = |name: &str| -> Result<u64, String> { flag(args, name)?.parse().map_err(|e| format!("{name}: {e}")) };
    let (tasks, seconds, warmup) = (number("--tasks")? as usize, number("--seconds")?, number("--warmup")?);
    let postgres = flag(args, "--pg-pid").ok().and_then(|pid| pid.parse::<u32>().ok());
    let (url, synchronous) = (flag(args, "--database-url")?, flag(args, "--sqlite-synchronous")?);
    runtime()?.block_on(async {
        let db = FloorDb::connect(url, synchronous).await?;
        let next_tag = Arc::new(AtomicU64::new(0));
        hammer(&db, tasks, Duration::from_secs(warmup), &next_tag).await?;
        let cpu_ticks = || procs::tree_ticks(std::process::id()) + postgres.map_or(0, procs::tree_ticks);
        let ticks_before = cpu_ticks();
        let started = Instant::now();
        let mut latencies = hammer(&db, tasks, Duration::from_secs(seconds), &next_tag).await?;
        let elapsed = started.elapsed();
        let ticks = cpu_ticks() - ticks_before;
        latencies.sort_unstable();
        let at = |q: f64| percentile(&latencies, q);
        println!(
            "BENCH_RESULT requests={} duration_us={} status_errors=0 socket_errors=0 p50_us={} p99_us={} p999_us={} max_us={} cpu_ticks={ticks} hwm_kib={}",
            latencies.len(),
            elapsed.as_micros(),
            at(0.5),
            at(0.99),
            at(0.999),
            at(1.0),
            procs::memory_kib(std::process::id()).0
        );
        Ok(())
    })
}

/// Runs `tasks` loops of saves for `duration`; the latency of every save, in µs.
async fn hammer(db: &FloorDb, tasks: usize, duration: Duration, next_tag: &Arc<AtomicU64>) -> Result<Vec<u32>, String> {
    let deadline = Instant::now() + duration;
    let loops: Vec<_> = (0..tasks)
        .map(|_| {
            let (db, next_tag) = (db.clone(), next_tag.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    db.save(super::variants::MESSAGE_ID, next_tag.fetch_add(1, Ordering::Relaxed)).await?;
                    latencies.push(started.elapsed().as_micros() as u32);
                }
                Ok::<_, String>(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for one in loops {
        all.extend(one.await.map_err(|e| e.to_string())??);
    }
    Ok(all)
}

/// The value at quantile `q` (0–1) of sorted samples; 0 when there are none.
fn percentile(sorted: &[u32], q: f64) -> u32 {
    let at = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(at).copied().unwrap_or(0)
}
