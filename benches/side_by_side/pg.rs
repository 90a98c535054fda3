//! A throwaway PostgreSQL server for the benchmark, started like the test suite's
//! (`tests/api/pg.rs`): initdb into a temporary directory, `pg_ctl` on a free loopback port,
//! through `runuser -u postgres` when we are root; stopped and removed when this process exits.
//!
//! Unlike the tests' server it keeps PostgreSQL's durable defaults (`fsync`,
//! `synchronous_commit`), so its figures compare with SQLite at `synchronous=FULL`;
//! `BENCH_PG_OPTIONS` adds settings (e.g. `-c synchronous_commit=off`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::procs;

/// The running server.
pub struct PgServer {
    pub port: u16,
    data: PathBuf,
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// A PostgreSQL program, pinned to `cpus` when given; through `runuser` as root (the server
/// refuses to run as root). Affinity set by taskset passes to every process the program forks.
fn pg_command(program: &str, cpus: Option<&str>) -> Command {
    let mut command = Command::new("taskset");
    command.args(["-c", cpus.unwrap_or("0-1023")]);
    if is_root() {
        command.args(["runuser", "-u", "postgres", "--"]);
    }
    command.arg(program);
    command
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command.output().map_err(|err| format!("{what}: {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {}", String::from_utf8_lossy(&output.stderr)))
    }
}

/// Starts a server whose processes run on `cpus`, with one database, `ticketd_bench`.
pub fn start(cpus: Option<&str>) -> Result<PgServer, String> {
    let dir = tempfile::Builder::new().prefix("ticketd-bench-pg-").tempdir().map_err(|e| e.to_string())?.keep();
    if is_root() {
        run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir), "chown")?;
    }
    let data = dir.join("data");
    run(
        pg_command("initdb", None)
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
            .arg(&data),
        "initdb",
    )?;
    let port = procs::free_port()?;
    let extra = std::env::var("BENCH_PG_OPTIONS").unwrap_or_default();
    // Autovacuum looks for work every second, as docs/deployment.md recommends for ticketd: a
    // message saved often leaves dead child rows that later reads walk until they are vacuumed.
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200 -c autovacuum_naptime=1 {extra}",
        dir.display()
    );
    run(
        pg_command("pg_ctl", cpus)
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .args(["-l"])
            .arg(dir.join("log"))
            .args(["-o", &options, "start"]),
        "pg_ctl start",
    )?;
    spawn_reaper(&dir, &data);
    let server = PgServer { port, data };
    create_database(port)?;
    Ok(server)
}

fn create_database(port: u16) -> Result<(), String> {
    use sqlx::Connection as _;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let admin = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let mut conn = sqlx::PgConnection::connect(&admin).await.map_err(|e| format!("connect: {e}"))?;
        sqlx::raw_sql("CREATE DATABASE ticketd_bench").execute(&mut conn).await.map_err(|e| format!("create: {e}"))?;
        Ok(())
    })
}

impl PgServer {
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/ticketd_bench", self.port)
    }

    /// The postmaster's pid: the parent of every backend, so its process tree is the database.
    pub fn postmaster_pid(&self) -> Result<u32, String> {
        let text =
            std::fs::read_to_string(self.data.join("postmaster.pid")).map_err(|e| format!("postmaster.pid: {e}"))?;
        text.lines().next().and_then(|pid| pid.trim().parse().ok()).ok_or_else(|| "postmaster.pid: no pid".into())
    }

    /// Lets the postmaster and its current processes run on every core; backends forked later
    /// inherit that.
    pub fn unpin(&self) -> Result<(), String> {
        let postmaster = self.postmaster_pid()?;
        let mut pids = procs::children_of(postmaster);
        pids.push(postmaster);
        for pid in pids {
            run(Command::new("taskset").args(["-a", "-p", "-c", "0-1023", &pid.to_string()]), "taskset -p")?;
        }
        Ok(())
    }
}

/// Stops the server and removes its directory once this process is gone, however it ends.
fn spawn_reaper(dir: &Path, data: &Path) {
    let stop = if is_root() { "runuser -u postgres -- pg_ctl" } else { "pg_ctl" };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} -D '{data}' -m immediate stop; rm -rf '{dir}'",
        pid = std::process::id(),
        data = data.display(),
        dir = dir.display(),
    );
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}
