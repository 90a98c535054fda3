//! Side-by-side benchmark of saving a ticket message: ticketd's real PUT and PATCH (B3–B6)
//! against floors measured in the same run on the same database — a bare axum server (B0), the
//! same plus one UPDATE of the row (B1), and that UPDATE without HTTP (B2) — on SQLite WAL at
//! `synchronous=NORMAL` and `FULL` and on a PostgreSQL server it starts itself. Variants are
//! interleaved round by round; medians are reported. See docs/benchmarks.md.
//!
//! `benches/run.sh` runs it and draws the charts. This binary also runs as the floor server
//! (`floor-server …`) and as the storage loop (`storage-loop …`): every server is its own
//! process, pinned to core 0 while wrk loads it from core 1.

#[path = "side_by_side/floor.rs"]
mod floor;
#[path = "side_by_side/load.rs"]
mod load;
#[path = "side_by_side/measure.rs"]
mod measure;
#[path = "side_by_side/pg.rs"]
mod pg;
#[path = "side_by_side/procs.rs"]
mod procs;
#[path = "side_by_side/report.rs"]
mod report;
#[path = "side_by_side/scale.rs"]
mod scale;
#[path = "side_by_side/variants.rs"]
mod variants;

use std::path::PathBuf;
use std::process::ExitCode;

use measure::{Bench, Sample};
use serde_json::{Value, json};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some(floor::SERVE_MODE) => floor::serve(&args[1..]),
        Some(floor::LOOP_MODE) => floor::storage_loop(&args[1..]),
        // `cargo bench` passes `--bench`.
        _ => orchestrate(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("side_by_side: {why}");
            ExitCode::FAILURE
        }
    }
}

/// A database configuration every variant is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    SqliteNormal,
    SqliteFull,
    Postgres,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::SqliteNormal, Backend::SqliteFull, Backend::Postgres];

    pub fn name(self) -> &'static str {
        match self {
            Backend::SqliteNormal => "sqlite-normal",
            Backend::SqliteFull => "sqlite-full",
            Backend::Postgres => "postgres",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Backend::SqliteNormal => "SQLite WAL, synchronous=NORMAL",
            Backend::SqliteFull => "SQLite WAL, synchronous=FULL",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// The `--sqlite-synchronous` value (PostgreSQL ignores it).
    pub fn synchronous(self) -> &'static str {
        if self == Backend::SqliteNormal { "normal" } else { "full" }
    }
}

/// The run's knobs, from the environment (see docs/benchmarks.md).
#[derive(Clone, Debug)]
pub struct Settings {
    pub seconds: u64,
    pub warmup: u64,
    pub rounds: usize,
    pub connections: u32,
    pub wrk_threads: u32,
    pub storage_tasks: usize,
    pub backends: Vec<Backend>,
    pub scale_out: bool,
    /// `BENCH_VARIANTS`: the ids measured (the storage loop is `B2`); `None` measures all.
    pub only: Option<Vec<String>>,
    pub out_dir: PathBuf,
    /// The commit measured (at the start of the run).
    pub commit: String,
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => {
            text.trim().parse().map_err(|_| format!("{name}={text} is not a number"))
        }
        _ => Ok(default),
    }
}

impl Settings {
    fn from_env() -> Result<Self, String> {
        let backends = match std::env::var("BENCH_BACKENDS") {
            Ok(list) if !list.trim().is_empty() => list
                .split(',')
                .map(|name| {
                    Backend::ALL
                        .into_iter()
                        .find(|b| b.name() == name.trim())
                        .ok_or_else(|| format!("unknown backend {name}"))
                })
                .collect::<Result<_, _>>()?,
            _ => Backend::ALL.to_vec(),
        };
        let default_out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/benchmarks");
        Ok(Self {
            seconds: env_number("BENCH_SECONDS", 5)?.max(1),
            warmup: env_number("BENCH_WARMUP", 1)?,
            rounds: env_number("BENCH_ROUNDS", 3)?.max(1),
            connections: env_number("BENCH_CONNECTIONS", 32)?.max(1),
            wrk_threads: env_number("BENCH_WRK_THREADS", 1)?.max(1),
            storage_tasks: env_number("BENCH_STORAGE_TASKS", 8)?.max(2),
            backends,
            scale_out: env_number("BENCH_SCALE_OUT", 1)? != 0,
            only: std::env::var("BENCH_VARIANTS")
                .ok()
                .filter(|list| !list.trim().is_empty())
                .map(|list| list.split(',').map(|id| id.trim().to_owned()).collect()),
            out_dir: std::env::var_os("BENCH_OUT").map_or(default_out, PathBuf::from),
            commit: source_commit(),
        })
    }

    /// Whether the variant `id` is measured.
    pub fn chooses(&self, id: &str) -> bool {
        self.only.as_ref().is_none_or(|ids| ids.iter().any(|chosen| chosen == id))
    }

    fn to_json(&self) -> Value {
        json!({
            "seconds": self.seconds, "warmup_seconds": self.warmup, "rounds": self.rounds,
            "connections": self.connections, "wrk_threads": self.wrk_threads,
            "storage_tasks": self.storage_tasks,
            "backends": self.backends.iter().map(|b| b.name()).collect::<Vec<_>>(),
            "server_cpus": measure::SERVER_CPUS, "load_cpus": measure::LOAD_CPUS,
            "commit": self.commit,
        })
    }
}

/// The commit measured, with `+changes` when the server's sources differ from it.
fn source_commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]);
    let changed = !git(&["status", "--porcelain", "--", "src", "migrations", "Cargo.toml", "Cargo.lock"]).is_empty();
    if changed { format!("{commit}+changes") } else { commit }
}

fn orchestrate() -> Result<(), String> {
    let settings = Settings::from_env()?;
    eprintln!("side_by_side: {settings:?}");
    let workdir = tempfile::Builder::new().prefix("ticketd-side-by-side-").tempdir().map_err(|e| e.to_string())?;
    let postgres = if settings.backends.contains(&Backend::Postgres) {
        // PostgreSQL runs on the servers' core, so the load generator's core stays its own.
        Some(pg::start(Some(measure::SERVER_CPUS))?)
    } else {
        None
    };
    let bench = Bench {
        sqlite_url: format!("sqlite://{}", workdir.path().join("bench.db").display()),
        postgres,
        workdir: workdir.path().to_path_buf(),
        ticketd: PathBuf::from(env!("CARGO_BIN_EXE_ticketd")),
        this_exe: std::env::current_exe().map_err(|e| e.to_string())?,
        script: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/side_by_side.lua"),
        ticks_per_second: procs::ticks_per_second(),
        settings,
    };
    let http: Vec<variants::Variant> =
        variants::http_variants().into_iter().filter(|v| bench.settings.chooses(v.id)).collect();
    for &backend in &bench.settings.backends {
        bench.prepare(backend, &http)?;
    }
    let samples = run_rounds(&bench, &http)?;
    let scale = if bench.settings.scale_out {
        scale::run(&bench, http.iter().find(|v| v.id == "B3").ok_or("no B3")?)?
    } else {
        Vec::new()
    };
    write_results(&bench.settings, &http, &samples, &scale)
}

/// One item of a round: an HTTP variant, or the storage loop at a number of tasks.
enum Item<'a> {
    Http(&'a variants::Variant),
    Storage(usize),
}

/// Every backend's items, each round in an order rotated by one, so no variant always runs
/// first or right after a particular other one.
fn run_rounds(bench: &Bench, http: &[variants::Variant]) -> Result<Vec<Sample>, String> {
    let mut items: Vec<Item> = http.iter().map(Item::Http).collect();
    if bench.settings.chooses("B2") {
        items.insert(2.min(items.len()), Item::Storage(1));
        items.insert(3.min(items.len()), Item::Storage(bench.settings.storage_tasks));
    }
    let rounds = bench.settings.rounds;
    let mut samples = Vec::new();
    for round in 0..rounds {
        for &backend in &bench.settings.backends {
            for at in 0..items.len() {
                let item = &items[(at + round) % items.len()];
                let sample = match *item {
                    Item::Http(variant) => bench.measure_http(backend, variant, round)?,
                    Item::Storage(tasks) => bench.measure_storage(backend, tasks, round)?,
                };
                eprintln!(
                    "round {}/{rounds} {:>13} {:>4}: {:>8.0} req/s  p99 {:>7.2} ms  {:>6.1} µs CPU/req  errors {}",
                    round + 1,
                    backend.name(),
                    sample.variant,
                    sample.load.per_second(),
                    sample.load.p99_us / 1000.0,
                    sample.cpu_us_per_request,
                    sample.load.status_errors + sample.load.socket_errors
                );
                samples.push(sample);
            }
        }
    }
    Ok(samples)
}

fn write_results(
    settings: &Settings,
    http: &[variants::Variant],
    samples: &[Sample],
    scale: &[scale::ScaleSample],
) -> Result<(), String> {
    let mut ids: Vec<(String, String)> = http.iter().map(|v| (v.id.to_owned(), v.what.to_owned())).collect();
    let storage = if settings.chooses("B2") { vec![(2, 1), (3, settings.storage_tasks)] } else { Vec::new() };
    for (at, tasks) in storage {
        let at = at.min(ids.len());
        let what = format!("the UPDATE without HTTP, {tasks} task{}", if tasks == 1 { "" } else { "s" });
        ids.insert(at, (variants::storage_id(tasks), what));
    }
    let summaries = report::summarize(samples, &settings.backends, &ids);
    let document = report::to_json(settings, &summaries, samples, scale);
    let markdown = report::to_markdown(&summaries, scale);
    std::fs::create_dir_all(&settings.out_dir).map_err(|e| format!("{}: {e}", settings.out_dir.display()))?;
    let json_path = settings.out_dir.join("results.json");
    let text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    std::fs::write(&json_path, text + "\n").map_err(|e| format!("{}: {e}", json_path.display()))?;
    let markdown_path = settings.out_dir.join("results.md");
    let header = "<!-- Written by `cargo bench --bench side_by_side`; see ../benchmarks.md. -->\n";
    std::fs::write(&markdown_path, format!("{header}{markdown}"))
        .map_err(|e| format!("{}: {e}", markdown_path.display()))?;
    println!("{markdown}");
    println!("results: {} and {}", json_path.display(), markdown_path.display());
    Ok(())
}
