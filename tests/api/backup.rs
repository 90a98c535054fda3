//! Backups as an operator takes them: `ticketd backup` of the SQLite file while the real server
//! takes concurrent saves, restored and served again; its refusals; and PostgreSQL's `pg_dump`
//! and `pg_restore` into a fresh database, and a `pg_basebackup` started as a server of its own,
//! each then served by ticketd.
//!
//! `TICKETD_BACKUP_SAVES` sets how many saves are acknowledged before the backup starts (50 by
//! default; docs/reliability.md quotes a larger run).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cli::{output_beside_server, run_ok, serve_with, ticketd};
use crate::helpers::{Backend, SEED_AUTH, TestApp, client};
use crate::sinks::eventually;

const WRITERS: usize = 6;

fn saves_before_backup() -> usize {
    std::env::var("TICKETD_BACKUP_SAVES").ok().and_then(|v| v.parse().ok()).unwrap_or(50)
}

/// Per message, the last save acknowledged: which writer wrote it and its sequence number. A
/// message is only ever written by one writer, with rising numbers.
type Acknowledged = HashMap<i64, (usize, u64)>;

fn label(writer: usize, n: u64) -> String {
    format!("w{writer}-n{n}")
}

fn parse_label(text: &str) -> Option<(usize, u64)> {
    let (writer, n) = text.strip_prefix('w')?.split_once("-n")?;
    Some((writer.parse().ok()?, n.parse().ok()?))
}

/// A save with the writers' token: the saved message's id, or why it was not acknowledged.
async fn save(http: &reqwest::Client, token: &str, method: Method, url: String, text: &str) -> Result<i64, String> {
    let body = json!({"Ticket": {"TicketId": 1}, "Body": text, "MessageHeaders": [{"Name": "X-Check", "Value": text}]});
    let response = http
        .request(method, url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|err| format!("not answered: {err}"))?;
    let status = response.status();
    if status != StatusCode::OK {
        return Err(format!("{status}: {}", response.text().await.unwrap_or_default()));
    }
    let saved: Value = response.json().await.map_err(|err| format!("unreadable answer: {err}"))?;
    saved["EjMessageId"].as_i64().ok_or_else(|| format!("no id in {saved}"))
}

/// What the writers share: when to stop, what they were told, and the saves that failed.
#[derive(Default)]
struct Load {
    stop: AtomicBool,
    seen: Mutex<Acknowledged>,
    saves: AtomicUsize,
    failures: Mutex<Vec<String>>,
}

impl Load {
    /// Notes an answer: an acknowledged save, or a failure (a save that was not acknowledged
    /// may still have committed, which the checks allow).
    async fn note(&self, answer: Result<i64, String>, writer: usize, n: u64) -> Option<i64> {
        match answer {
            Ok(id) => {
                self.seen.lock().expect("lock").insert(id, (writer, n));
                self.saves.fetch_add(1, Ordering::Relaxed);
                Some(id)
            }
            Err(why) => {
                self.failures.lock().expect("lock").push(why);
                tokio::time::sleep(Duration::from_millis(100)).await;
                None
            }
        }
    }
}

/// One writer: creates a message, then alternates creating more and overwriting its first
/// until told to stop.
async fn writer(base: String, token: String, index: usize, load: Arc<Load>) {
    let http = client();
    let create = format!("{base}/api/v1/TicketMessage");
    let mut own = None;
    for n in 0.. {
        if load.stop.load(Ordering::Relaxed) {
            return;
        }
        let text = label(index, n);
        let answer = match own {
            Some(own) if n % 2 == 1 => {
                save(&http, &token, Method::PUT, format!("{base}/api/v1/TicketMessage/{own}"), &text).await
            }
            _ => save(&http, &token, Method::POST, create.clone(), &text).await,
        };
        let saved = load.note(answer, index, n).await;
        own = own.or(saved);
    }
}

/// `PRAGMA integrity_check` of a database file.
fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).expect("open the copy");
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0)).expect("integrity_check")
}

/// GETs every message acknowledged before the backup from a server on the restored copy: each
/// is there, holding that save or a later one of the same writer.
async fn every_save_is_served(base: &str, token: &str, before: &Acknowledged) {
    let http = client();
    for (id, (writer, n)) in before {
        let response = http
            .get(format!("{base}/api/v1/TicketMessage/{id}"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Accept", "application/json")
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "message {id}, acknowledged before the backup, is missing");
        let message: Value = response.json().await.expect("json");
        let body = message["Body"].as_str().unwrap_or_default();
        let stored = parse_label(body).unwrap_or_else(|| panic!("message {id} holds '{body}'"));
        assert!(
            stored.0 == *writer && stored.1 >= *n,
            "message {id} holds '{body}', acknowledged '{}'",
            label(*writer, *n)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_every_save_acknowledged_before_it_began() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let (_server, base) = serve_with(&url, &[]);
    let token = run_ok(&["token", "issue", "tje0", "--database-url", &url]).trim().to_owned();
    let load = Arc::new(Load::default());
    let writers: Vec<_> =
        (0..WRITERS).map(|i| tokio::spawn(writer(base.clone(), token.clone(), i, load.clone()))).collect();
    let wanted = saves_before_backup();
    let enough = async || (load.saves.load(Ordering::Relaxed) >= wanted).then_some(());
    eventually(Duration::from_secs(3600), enough).await.expect("the writers save");

    let saves_before = load.saves.load(Ordering::Relaxed);
    let before = load.seen.lock().expect("lock").clone();
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.display().to_string();
    let backup = output_beside_server(&["backup", &copy_arg, "--database-url", &url]).await;
    let saves_during = load.saves.load(Ordering::Relaxed) - saves_before;
    load.stop.store(true, Ordering::Relaxed);
    for task in writers {
        task.await.expect("writer");
    }
    assert!(backup.status.success(), "backup failed: {}", String::from_utf8_lossy(&backup.stderr));
    let failures = load.failures.lock().expect("lock").clone();
    eprintln!(
        "{saves_before} saves ({} messages) acknowledged before the backup, {saves_during} while it ran, \
         {} not acknowledged {:?}: {}",
        before.len(),
        failures.len(),
        failures.iter().take(3).collect::<Vec<_>>(),
        String::from_utf8_lossy(&backup.stdout).trim()
    );
    assert!(!dir.path().join("copy.db.partial").exists(), "the partial copy is left behind");

    // Restore as docs/operations.md says: the copy becomes the database file of a new server.
    let restored_dir = tempfile::tempdir().expect("temp dir");
    let restored = restored_dir.path().join("ticketd.db");
    std::fs::copy(&copy, &restored).expect("restore the copy");
    assert_eq!(integrity(&restored), "ok");
    let (_restored_server, restored_base) = serve_with(&format!("sqlite://{}", restored.display()), &[]);
    every_save_is_served(&restored_base, &token, &before).await;
}

#[tokio::test]
async fn a_backup_refuses_an_existing_file_unless_forced_and_the_database_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    run_ok(&["migrate", "--database-url", &url]);
    let copy = dir.path().join("copy.db");
    std::fs::write(&copy, "an older backup").expect("write");
    let copy_arg = copy.display().to_string();

    let refused = ticketd().args(["backup", &copy_arg, "--database-url", &url]).output().expect("runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains(&copy_arg) && stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&copy).expect("read"), "an older backup");

    run_ok(&["backup", &copy_arg, "--force", "--database-url", &url]);
    assert_eq!(integrity(&copy), "ok");
    // The copy holds password hashes and secrets: its owner alone may read it.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&copy).expect("copy").permissions().mode() & 0o777, 0o600);

    let live = dir.path().join("live.db").display().to_string();
    let itself = ticketd().args(["backup", &live, "--force", "--database-url", &url]).output().expect("runs");
    assert!(!itself.status.success());
    assert!(String::from_utf8_lossy(&itself.stderr).contains("the database itself"));
    assert_eq!(integrity(&dir.path().join("live.db")), "ok");
}

#[tokio::test]
async fn a_backup_of_a_missing_database_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("absent.db").display());
    let copy = dir.path().join("copy.db");
    let output =
        ticketd().args(["backup", &copy.display().to_string(), "--database-url", &url]).output().expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("absent.db"), "names the file");
    assert!(!copy.exists() && !dir.path().join("absent.db").exists(), "nothing is created");
}

#[tokio::test]
async fn a_backup_of_a_postgres_database_points_to_pg_dump() {
    let output = ticketd()
        .args(["backup", "/nonexistent/copy.db"])
        .env("DATABASE_URL", "postgres://ticketd:secret@db.invalid/ticketd")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("pg_dump") && !stderr.contains("secret"), "{stderr}");
}

/// Saves a few messages through ticketd; their ids and bodies.
async fn save_messages(app: &TestApp, prefix: &str) -> Vec<(i64, String)> {
    let mut saved = Vec::new();
    for n in 0..5 {
        let text = format!("{prefix} {n}");
        let body = json!({"Ticket": {"TicketId": 1}, "Body": text}).to_string();
        let (status, message) = app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body)).await;
        assert_eq!(status, StatusCode::OK, "{message}");
        saved.push((message["EjMessageId"].as_i64().expect("id"), text));
    }
    saved
}

/// Starts `ticketd serve` on a restored database and reads every saved message back.
async fn serves_the_messages(url: &str, saved: &[(i64, String)]) {
    let (_server, base) = serve_with(url, &[]);
    let http = client();
    for (id, text) in saved {
        let response = http
            .get(format!("{base}/api/v1/TicketMessage/{id}"))
            .header("Authorization", SEED_AUTH)
            .header("Accept", "application/json")
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "message {id} after the restore");
        let message: Value = response.json().await.expect("json");
        assert_eq!(message["Body"], text.as_str());
    }
}

/// The PostgreSQL backup and restore of docs/operations.md: `pg_dump -Fc`, `pg_restore` into a
/// new database, ticketd started on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dump_and_pg_restore_carry_every_message_to_a_new_database() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
    let saved = save_messages(&app, "kept through pg_dump").await;
    let source = app.database_url().to_owned();
    let dump = tokio::task::spawn_blocking(move || {
        let output = crate::pg::pg_command("pg_dump").args(["-Fc", "--dbname", &source]).output().expect("pg_dump");
        assert!(output.status.success(), "pg_dump: {}", String::from_utf8_lossy(&output.stderr));
        output.stdout
    })
    .await
    .expect("pg_dump's thread");
    drop(app);

    let target = crate::pg::fresh_database().await.expect("a second database");
    let restore_into = target.clone();
    tokio::task::spawn_blocking(move || pg_restore(&restore_into, &dump)).await.expect("pg_restore's thread");
    serves_the_messages(&target, &saved).await;
}

/// The physical backup of docs/operations.md: `pg_basebackup` of the running cluster, started as
/// a server of its own on another port, ticketd started on the database there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pg_basebackup_starts_as_a_server_that_serves_every_message() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
    let saved = save_messages(&app, "kept through pg_basebackup").await;
    let (server, database) = app.database_url().rsplit_once('/').expect("a database name");
    let port = server.rsplit_once(':').expect("a port").1.to_owned();
    let database = database.to_owned();
    let restored = tokio::task::spawn_blocking(move || RestoredCluster::from_base_backup(&port))
        .await
        .expect("pg_basebackup's thread");
    drop(app);
    serves_the_messages(&format!("postgres://postgres@127.0.0.1:{}/{database}", restored.port), &saved).await;
}

/// A PostgreSQL server running on a base backup; stopped and removed when the value goes.
struct RestoredCluster {
    dir: std::path::PathBuf,
    port: u16,
}

impl RestoredCluster {
    fn from_base_backup(source_port: &str) -> Self {
        let dir = tempfile::Builder::new().prefix("ticketd-base-").tempdir().expect("temp dir").keep();
        let cluster = Self {
            dir,
            port: std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port(),
        };
        if crate::pg::is_root() {
            let chown = std::process::Command::new("chown").arg("postgres:postgres").arg(&cluster.dir).status();
            assert!(chown.is_ok_and(|status| status.success()), "chown the base backup's directory");
        }
        let data = cluster.dir.join("data");
        let backup = crate::pg::pg_command("pg_basebackup")
            .args(["-h", "127.0.0.1", "-p", source_port, "-U", "postgres", "-X", "stream", "--checkpoint=fast", "-D"])
            .arg(&data)
            .output()
            .expect("pg_basebackup");
        assert!(backup.status.success(), "pg_basebackup: {}", String::from_utf8_lossy(&backup.stderr));
        let options =
            format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", cluster.port, cluster.dir.display());
        let start = crate::pg::pg_command("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(cluster.dir.join("log"))
            .args(["-o", &options, "start"])
            .output()
            .expect("pg_ctl");
        assert!(start.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&start.stderr));
        cluster
    }
}

impl Drop for RestoredCluster {
    fn drop(&mut self) {
        let _ = crate::pg::pg_command("pg_ctl")
            .args(["-D"])
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `pg_restore --no-owner --exit-on-error -d URL`, the dump on its standard input.
fn pg_restore(url: &str, dump: &[u8]) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = crate::pg::pg_command("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname", url])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pg_restore");
    child.stdin.take().expect("stdin").write_all(dump).expect("feed the dump");
    let output = child.wait_with_output().expect("pg_restore ends");
    assert!(output.status.success(), "pg_restore: {}", String::from_utf8_lossy(&output.stderr));
}
