//! One measurement: start the server for a variant pinned to core 0, check one request, warm it
//! up, load it from core 1 with wrk for the run's seconds while reading its CPU time and memory,
//! stop it. Also the storage loop (B2), run the same way without HTTP.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use super::load::{self, LoadResult, RequestShape, Wrk};
use super::pg::PgServer;
use super::procs::{self, Server};
use super::variants::{Target, Variant};
use super::{Backend, Settings, floor};

/// The cores the servers (and PostgreSQL) run on, and the one wrk runs on.
pub const SERVER_CPUS: &str = "0";
pub const LOAD_CPUS: &str = "1";

/// One measured run of one variant on one backend.
#[derive(Clone, Debug)]
pub struct Sample {
    pub backend: Backend,
    pub variant: String,
    pub round: usize,
    pub load: LoadResult,
    /// CPU time of the server process (and of PostgreSQL's processes) per request.
    pub cpu_us_per_request: f64,
    /// Share of the run that core 0 (servers) and core 1 (wrk) were busy.
    pub server_core_busy: f64,
    pub load_core_busy: f64,
    /// The server's VmHWM at the end (its peak since start-up), in KiB.
    pub peak_rss_kib: u64,
    /// The largest VmRSS sampled during the measured window, in KiB.
    pub load_rss_kib: u64,
    /// Saves per SQLite transaction in the window, where ticketd reports group commits.
    pub saves_per_commit: Option<f64>,
    /// Error statuses in the server's log (whole run, warm-up included) and their counts.
    pub error_statuses: BTreeMap<u16, u64>,
    /// The first line the server logged at ERROR level, if any.
    pub first_server_error: Option<String>,
}

/// Everything runs share: settings, the databases and the programs.
pub struct Bench {
    pub settings: Settings,
    pub sqlite_url: String,
    pub postgres: Option<PgServer>,
    pub workdir: PathBuf,
    pub ticketd: PathBuf,
    pub this_exe: PathBuf,
    pub script: PathBuf,
    pub ticks_per_second: f64,
}

/// What a load window measured besides wrk's own figures.
struct Window {
    load: LoadResult,
    cpu_ticks: u64,
    server_core_busy: f64,
    load_core_busy: f64,
    load_rss_kib: u64,
    saves_per_commit: Option<f64>,
}

impl Bench {
    pub fn url(&self, backend: Backend) -> String {
        match (backend, &self.postgres) {
            (Backend::Postgres, Some(server)) => server.url(),
            _ => self.sqlite_url.clone(),
        }
    }

    pub fn wrk(&self, cpus: Option<&'static str>) -> Wrk<'_> {
        let settings = &self.settings;
        Wrk { script: &self.script, connections: settings.connections, threads: settings.wrk_threads, cpus }
    }

    /// CPU ticks of PostgreSQL so far (0 without it).
    fn postgres_ticks(&self) -> u64 {
        self.postgres.as_ref().and_then(|server| server.postmaster_pid().ok()).map_or(0, procs::tree_ticks)
    }

    /// Starts ticketd (`serve --demo`) or the floor server on a free port, on `cpus`.
    pub fn start(&self, target: Target, backend: Backend, cpus: Option<&str>) -> Result<Server, String> {
        let port = procs::free_port()?;
        let (mut command, log) = match target {
            Target::Ticketd => {
                let mut command = procs::pinned(cpus, &self.ticketd);
                command.args(["serve", "--demo"]);
                (command, "ticketd.log")
            }
            Target::Floor => {
                let mut command = procs::pinned(cpus, &self.this_exe);
                command.arg(floor::SERVE_MODE);
                (command, "floor.log")
            }
        };
        command
            .args(["--listen", &format!("127.0.0.1:{port}"), "--database-url", &self.url(backend)])
            .args(["--sqlite-synchronous", backend.synchronous()]);
        Server::start(command, port, &self.workdir.join(log))
    }

    /// Seeds the backend's database (ticketd's demo data) and checks that every variant's
    /// request is answered 2xx before anything is measured.
    pub fn prepare(&self, backend: Backend, variants: &[Variant]) -> Result<(), String> {
        for target in [Target::Ticketd, Target::Floor] {
            let server = self.start(target, backend, None)?;
            let checked = variants.iter().filter(|variant| variant.target == target).try_for_each(|variant| {
                load::resolved(server.port, variant.id, &variant.shape)
                    .and_then(|shape| load::check(server.port, &shape))
                    .map_err(|e| format!("{}: {e}", variant.id))
            });
            let log = server.log_tail();
            server.stop();
            checked.map_err(|e| format!("{} on {}: {e}\n{log}", target_name(target), backend.name()))?;
        }
        Ok(())
    }

    /// B0, B1 or B3–B6 on one backend.
    pub fn measure_http(&self, backend: Backend, variant: &Variant, round: usize) -> Result<Sample, String> {
        let server = self.start(variant.target, backend, Some(SERVER_CPUS))?;
        let window =
            load::resolved(server.port, variant.id, &variant.shape).and_then(|shape| self.load_window(&server, &shape));
        let (peak_rss_kib, _) = procs::memory_kib(server.pid);
        let log = if window.is_err() { server.log_tail() } else { String::new() };
        let (error_statuses, first_server_error) = server.stop_counting_errors();
        if let Some(line) = &first_server_error {
            eprintln!("{} on {} logged: {line}", variant.id, backend.name());
        }
        let window = window.map_err(|e| format!("{} on {}: {e}\n{log}", variant.id, backend.name()))?;
        Ok(Sample {
            backend,
            variant: variant.id.to_owned(),
            round,
            cpu_us_per_request: self.micros_per_request(window.cpu_ticks, window.load.requests),
            server_core_busy: window.server_core_busy,
            load_core_busy: window.load_core_busy,
            peak_rss_kib,
            load_rss_kib: window.load_rss_kib,
            saves_per_commit: window.saves_per_commit,
            error_statuses,
            first_server_error,
            load: window.load,
        })
    }

    fn load_window(&self, server: &Server, shape: &RequestShape) -> Result<Window, String> {
        load::check(server.port, shape)?;
        let wrk = self.wrk(Some(LOAD_CPUS));
        if self.settings.warmup > 0 {
            // Warm the Basic-auth cache, the pools and the page cache; not measured.
            wrk.run(server.port, shape, self.settings.warmup)?;
        }
        let ticks = || procs::tree_ticks(server.pid) + self.postgres_ticks();
        let commits_before = load::group_commit_counts(server.port);
        let (ticks_before, core0, core1) = (ticks(), procs::core_jiffies(0), procs::core_jiffies(1));
        let sampler = procs::RssSampler::start(server.pid);
        let load = wrk.run(server.port, shape, self.settings.seconds);
        let load_rss_kib = sampler.finish();
        let commits = commits_before.zip(load::group_commit_counts(server.port));
        let saves_per_commit = commits
            .map(|((transactions, saves), (transactions_after, saves_after))| {
                (saves_after - saves) as f64 / (transactions_after - transactions) as f64
            })
            .filter(|ratio| ratio.is_finite());
        Ok(Window {
            saves_per_commit,
            load: load?,
            cpu_ticks: ticks() - ticks_before,
            server_core_busy: procs::busy_share(core0, procs::core_jiffies(0)),
            load_core_busy: procs::busy_share(core1, procs::core_jiffies(1)),
            load_rss_kib,
        })
    }

    fn micros_per_request(&self, ticks: u64, requests: u64) -> f64 {
        if requests == 0 { 0.0 } else { ticks as f64 / self.ticks_per_second * 1e6 / requests as f64 }
    }

    /// B2: the floor's UPDATE in a loop at `tasks` concurrent tasks, no HTTP, pinned to core 0.
    pub fn measure_storage(&self, backend: Backend, tasks: usize, round: usize) -> Result<Sample, String> {
        let settings = &self.settings;
        let mut command: Command = procs::pinned(Some(SERVER_CPUS), &self.this_exe);
        command
            .args([floor::LOOP_MODE, "--database-url", &self.url(backend)])
            .args(["--sqlite-synchronous", backend.synchronous(), "--tasks", &tasks.to_string()])
            .args(["--seconds", &settings.seconds.to_string(), "--warmup", &settings.warmup.to_string()]);
        if let (Backend::Postgres, Some(server)) = (backend, &self.postgres) {
            command.args(["--pg-pid", &server.postmaster_pid()?.to_string()]);
        }
        let (core0, core1) = (procs::core_jiffies(0), procs::core_jiffies(1));
        let output = command.output().map_err(|e| format!("storage loop: {e}"))?;
        let (server_core_busy, load_core_busy) =
            (procs::busy_share(core0, procs::core_jiffies(0)), procs::busy_share(core1, procs::core_jiffies(1)));
        if !output.status.success() {
            return Err(format!(
                "storage loop on {} failed: {}",
                backend.name(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let load = load::parse_result(&String::from_utf8_lossy(&output.stdout))?;
        let cpu_ticks = load.extra.get("cpu_ticks").copied().unwrap_or(0.0) as u64;
        let peak_rss_kib = load.extra.get("hwm_kib").copied().unwrap_or(0.0) as u64;
        Ok(Sample {
            backend,
            variant: super::variants::storage_id(tasks),
            round,
            cpu_us_per_request: self.micros_per_request(cpu_ticks, load.requests),
            server_core_busy,
            load_core_busy,
            peak_rss_kib,
            load_rss_kib: peak_rss_kib,
            saves_per_commit: None,
            error_statuses: BTreeMap::new(),
            first_server_error: None,
            load,
        })
    }
}

fn target_name(target: Target) -> &'static str {
    match target {
        Target::Ticketd => "ticketd",
        Target::Floor => "floor server",
    }
}
