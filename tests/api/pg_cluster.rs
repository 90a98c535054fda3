//! PostgreSQL servers of a test's own, for tests that restart, kill or promote them: a primary
//! (initdb) or a streaming standby of one (`pg_basebackup -R`), each on a free loopback port.

use std::path::PathBuf;
use std::process::Command;

use sqlx::Connection as _;

use crate::pg::{free_port, is_root, pg_command, run, spawn_reaper};

/// One PostgreSQL server in a directory of its own, stopped (immediately) when dropped.
pub struct PgNode {
    pub port: u16,
    dir: PathBuf,
    data: PathBuf,
}

impl PgNode {
    /// A new primary; `None` (after a message) where PostgreSQL cannot run here, a panic under
    /// `CI=true`, where the scenario must run.
    pub fn primary() -> Option<Self> {
        let started = Self::init().and_then(|node| {
            run(
                pg_command("initdb")
                    .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
                    .arg(&node.data),
                "initdb",
            )?;
            node.start()?;
            Ok(node)
        });
        match started {
            Ok(node) => Some(node),
            Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("PostgreSQL is required in CI but did not start: {why}")
            }
            Err(why) => {
                eprintln!("skipping a PostgreSQL fault test: {why}");
                None
            }
        }
    }

    /// A streaming standby of `primary`, caught up and replicating.
    pub fn standby_of(primary: &PgNode) -> Self {
        let node = Self::init().expect("standby directory");
        run(
            pg_command("pg_basebackup")
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &primary.port.to_string(),
                    "-U",
                    "postgres",
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                ])
                .arg("-D")
                .arg(&node.data),
            "pg_basebackup",
        )
        .expect("base backup of the primary");
        node.start().expect("standby starts");
        node
    }

    fn init() -> Result<Self, String> {
        let dir = tempfile::Builder::new().prefix("ticketd-pgnode-").tempdir().map_err(|e| e.to_string())?.keep();
        if is_root() {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir), "chown")?;
        }
        let node = Self { port: free_port()?, data: dir.join("data"), dir };
        Ok(node)
    }

    /// Starts the server (again, after [`Self::kill`]).
    pub fn start(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100",
            self.port,
            self.dir.display()
        );
        run(
            pg_command("pg_ctl")
                .args(["-w", "-t", "60", "-D"])
                .arg(&self.data)
                .arg("-l")
                .arg(self.dir.join("log"))
                .args(["-o", &options, "start"]),
            "pg_ctl start",
        )?;
        spawn_reaper(&self.dir, &self.data);
        Ok(())
    }

    /// `pg_ctl -m immediate restart`: every backend dies at once, as in a crash; waits until the
    /// server accepts connections again.
    pub fn restart_immediately(&self) {
        self.ctl(&["-m", "immediate", "-w", "-t", "60", "restart"]);
    }

    /// Stops the server as a crash would.
    pub fn kill(&self) {
        self.ctl(&["-m", "immediate", "-w", "stop"]);
    }

    /// Turns a standby into a primary; waits until it takes writes.
    pub fn promote(&self) {
        self.ctl(&["-w", "-t", "60", "promote"]);
    }

    fn ctl(&self, args: &[&str]) {
        let mut command = pg_command("pg_ctl");
        command.arg("-D").arg(&self.data).arg("-l").arg(self.dir.join("log")).args(args);
        run(&mut command, "pg_ctl").expect("pg_ctl");
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A new connection as the superuser, to `database`.
    pub async fn connect(&self, database: &str) -> sqlx::PgConnection {
        sqlx::PgConnection::connect(&self.url(database)).await.expect("connect to the test server")
    }

    /// Creates a database and returns its URL.
    pub async fn create_database(&self, name: &str) -> String {
        let mut admin = self.connect("postgres").await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create");
        self.url(name)
    }
}

impl Drop for PgNode {
    fn drop(&mut self) {
        let mut command = pg_command("pg_ctl");
        command.arg("-D").arg(&self.data).args(["-m", "immediate", "stop"]);
        let _ = command.output();
    }
}

/// Kills a process (a server backend) with SIGKILL.
pub fn kill_process(pid: i32) {
    run(Command::new("kill").args(["-9", &pid.to_string()]), "kill -9").expect("kill the backend");
}
