//! A throwaway PostgreSQL server for the test process: initdb into a temporary directory,
//! started on a free loopback port, one fresh database per test, stopped and removed when the
//! test process exits.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

struct PgServer {
    port: u16,
}

/// The server, started on first use; `None` when PostgreSQL cannot run on this machine.
fn server() -> Option<&'static PgServer> {
    static SERVER: OnceLock<Option<PgServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| match start() {
            Ok(server) => Some(server),
            Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("PostgreSQL is required in CI but did not start: {why}")
            }
            Err(why) => {
                eprintln!("skipping PostgreSQL tests: {why}");
                None
            }
        })
        .as_ref()
}

/// A `postgres://` URL of a new, empty database, or `None` when PostgreSQL is unavailable.
pub async fn fresh_database() -> Option<String> {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let server = server()?;
    let name = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", server.port);
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to test PostgreSQL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    Some(format!("postgres://postgres@127.0.0.1:{}/{name}", server.port))
}

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// Runs a PostgreSQL program, through `runuser -u postgres` when we are root (the server
/// refuses to run as root).
pub fn pg_command(program: &str) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", program]);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command.output().map_err(|err| format!("{what}: {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {}", String::from_utf8_lossy(&output.stderr)))
    }
}

fn start() -> Result<PgServer, String> {
    let dir = tempfile::Builder::new().prefix("ticketd-pg-").tempdir().map_err(|e| e.to_string())?.keep();
    if is_root() {
        run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir), "chown")?;
    }
    let data = dir.join("data");
    run(
        pg_command("initdb")
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
            .arg(&data),
        "initdb",
    )?;
    let port = free_port()?;
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        dir.display()
    );
    run(
        pg_command("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .args(["-l"])
            .arg(dir.join("log"))
            .args(["-o", &options, "start"]),
        "pg_ctl start",
    )?;
    spawn_reaper(&dir, &data);
    Ok(PgServer { port })
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Stops the server and removes its directory once this test process is gone.
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
