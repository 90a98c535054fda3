//! The `ticketd` binary as an operator runs it: `serve --demo` on a free port, the seed's
//! sample request with curl's headers, graceful shutdown on SIGTERM, and `associate add`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

const SEED_BODY: &str = include_str!("../fixtures/seed-put-request.json");

pub fn ticketd() -> Command {
    // The long soak and crash runs may point at a release build instead of the test build.
    let mut command =
        Command::new(std::env::var("TICKETD_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_ticketd").to_owned()));
    // Test receivers listen on 127.0.0.1, which webhooks may not target by default.
    command.env("TICKETD_WEBHOOK_ALLOW_PRIVATE", "true");
    command
}

/// A server process that is killed when the value goes, so a failing test leaves none behind.
pub struct ServerProcess(Child);

impl ServerProcess {
    pub fn new(child: Child) -> Self {
        Self(child)
    }
}

impl std::ops::Deref for ServerProcess {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for ServerProcess {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `ticketd serve` and returns it with the base URL it logged.
fn serve(database_url: &str) -> (ServerProcess, String) {
    serve_with(database_url, &[])
}

/// Starts `ticketd serve --demo` with more options and returns it with the base URL it logged.
pub fn serve_with(database_url: &str, options: &[&str]) -> (ServerProcess, String) {
    let mut child = ticketd()
        .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--database-url", database_url])
        .args(options)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ticketd starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines.next().expect("ticketd logs before exiting").expect("utf-8 log");
        if let Some(at) = line.find("listening on ") {
            break line[at + "listening on ".len()..].trim().to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (ServerProcess(child), base)
}

#[tokio::test]
async fn serve_demo_answers_the_seed_request_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let (mut child, base) = serve(&url);
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"), "{base}");
    let client = crate::helpers::client();
    let response = client
        .put(format!("{base}/api/v1/TicketMessage/1?notify=False"))
        .header("Authorization", "Basic dGplMDpUamUw")
        .header("Accept", "application/json; charset=utf-8")
        .header("Accept-Language", "*")
        .header("Content-Type", "application/json; charset=utf-8")
        .body(SEED_BODY)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json; charset=utf-8");
    let health = client.get(format!("{base}/health")).send().await.expect("answered");
    assert_eq!(health.status(), StatusCode::OK);
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    let status = wait_with_timeout(&mut child, Duration::from_secs(20));
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[tokio::test]
async fn associate_add_creates_a_login_that_authenticates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let migrate = ticketd().args(["migrate", "--database-url", &url]).status().expect("migrate runs");
    assert!(migrate.success());
    let mut add = ticketd()
        .args(["associate", "add", "kari", "--password-stdin", "--name", "Kari Nørdmann", "--database-url", &url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("associate add runs");
    add.stdin.take().expect("stdin").write_all(b"s3cret pass\n").expect("write password");
    let output = add.wait_with_output().expect("finishes");
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "1");
    let duplicate = ticketd()
        .args(["associate", "add", "KARI", "--password-stdin", "--database-url", &url])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let output = feed(duplicate, b"x\n");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already taken"));

    let store = ticketd::store::connect(&url).await.expect("store");
    let credentials = store.credentials("kari").await.expect("lookup").expect("exists");
    assert!(credentials.password_hash.starts_with("$argon2id$"), "only the hash is stored");
    assert!(ticketd::auth::password::verify("s3cret pass".into(), credentials.password_hash).await);
}

fn feed(mut child: Child, input: &[u8]) -> std::process::Output {
    child.stdin.take().expect("stdin").write_all(input).expect("write");
    child.wait_with_output().expect("finishes")
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("ticketd did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn credential_commands_print_only_the_secret_and_it_works() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("creds.db").display());
    let add = ticketd()
        .args(["associate", "add", "ola", "--password-stdin", "--role", "readonly", "--database-url", &url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    assert!(feed(add, b"pw\n").status.success());
    let run = |args: &[&str]| {
        let output = ticketd().args(args).args(["--database-url", &url]).output().expect("runs");
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let ticket = run(&["ticket", "issue", "OLA", "--ttl", "2h"]);
    assert!(ticket.starts_with("7T:") && ticket.trim_end().lines().count() == 1, "{ticket}");
    let token = run(&["token", "issue", "ola", "--scope", "read"]);
    assert!(token.starts_with("8A:") && token.trim_end().lines().count() == 1, "{token}");
    let app_token = run(&["app", "add", "Partner AS"]);
    assert_eq!(app_token.trim().len(), 43, "{app_token}");

    let store = ticketd::store::connect(&url).await.expect("store");
    // Another process disables the login below: read the credentials version on every request,
    // so that is seen at once rather than within the default check interval.
    let settings = ticketd::auth::AuthSettings { credentials_check_interval: Duration::ZERO, ..Default::default() };
    let auth = ticketd::auth::Authenticator::new(store.clone(), &settings).expect("auth");
    let headers = |pairs: &[(&'static str, String)]| {
        let mut map = reqwest::header::HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header"));
        }
        map
    };
    let principal = auth
        .authenticate(&headers(&[("authorization", format!("SOTICKET {}", ticket.trim()))]), None)
        .await
        .expect("the ticket authenticates");
    assert_eq!(principal.login, "ola");
    assert!(!principal.access.can_write(), "readonly role");
    let with_app =
        headers(&[("authorization", format!("Bearer {}", token.trim())), ("so-apptoken", app_token.trim().into())]);
    let principal = auth.authenticate(&with_app, None).await.expect("the token authenticates");
    assert_eq!(principal.app.as_deref(), Some("Partner AS"));

    run(&["ticket", "revoke", ticket.trim()]);
    run(&["associate", "disable", "ola"]);
    let refused = auth.authenticate(&headers(&[("authorization", format!("Bearer {}", token.trim()))]), None).await;
    assert!(refused.is_err(), "disabled associates are refused");
    run(&[
        "customfield",
        "add",
        "x_kunde",
        "--type",
        "integer",
        "--label",
        "NO:\"Kunde\";US:\"Customer\"",
        "--mandatory",
    ]);
    assert_eq!(run(&["customfield", "list"]), "x_kunde\tInteger\n");
    let bad_type =
        ticketd().args(["customfield", "add", "x_y", "--type", "Nope", "--database-url", &url]).output().expect("runs");
    assert!(!bad_type.status.success());
    let no_message =
        ticketd().args(["foreignkey", "set", "42", "k", "v", "--database-url", &url]).output().expect("runs");
    assert!(String::from_utf8_lossy(&no_message.stderr).contains("no ticket message 42"));
    let missing = ticketd().args(["ticket", "issue", "nobody", "--database-url", &url]).output().expect("runs");
    assert!(!missing.status.success() && missing.stdout.is_empty());
}

/// Runs a `ticketd` command that must succeed and returns what it printed.
pub fn run_ok(args: &[&str]) -> String {
    let output = ticketd().args(args).output().expect("ticketd runs");
    assert!(output.status.success(), "ticketd {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// [`run_ok`] beside a server running in this test's runtime. Waiting for the command on the
/// runtime's only thread would stall the server mid-transaction (a write lock taken, its
/// answer never read), and the command would then wait for that lock until it gave up.
pub async fn run_ok_beside_server(args: &[&str]) -> String {
    let output = output_beside_server(args).await;
    assert!(output.status.success(), "ticketd {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A command's output, waited for off the runtime's thread (see [`run_ok_beside_server`]).
pub async fn output_beside_server(args: &[&str]) -> std::process::Output {
    let mut command = ticketd();
    command.args(args);
    tokio::task::spawn_blocking(move || command.output().expect("ticketd runs")).await.expect("the command's thread")
}

#[tokio::test]
async fn clients_signing_in_together_share_the_password_checks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("signin.db").display());
    let (_child, base) = serve(&url);
    let client = crate::helpers::client();
    let get = |path: &str| client.get(format!("{base}{path}")).header("Authorization", "Basic dGplMDpUamUw").send();
    let together = futures_util::future::join_all((0..16).map(|_| get("/api/v1/TicketMessage/1"))).await;
    for response in together {
        assert_eq!(response.expect("answered").status(), StatusCode::OK);
    }
    let metrics = get("/metrics").await.expect("answered").text().await.expect("text");
    let checks: u64 = metrics
        .lines()
        .find_map(|line| line.strip_prefix("ticketd_password_verifications_total "))
        .expect("the counter is exported")
        .parse()
        .expect("a number");
    // At most one check per core runs at once; whoever waited finds the login verified.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    assert!((1..=cores).contains(&checks), "16 sign-ins of one login at once ran {checks} argon2 checks");
}

#[test]
fn serve_on_a_taken_port_exits_naming_the_address_and_the_cause() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = taken.local_addr().expect("bound").to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("taken.db").display());
    let output = ticketd()
        .args(["serve", "--listen", &address, "--database-url", &url])
        .env("RUST_LOG", "off")
        .output()
        .expect("ticketd runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("ticketd: cannot listen on {address}: ")), "{stderr}");
    assert!(stderr.to_ascii_lowercase().contains("in use"), "the operating system's reason: {stderr}");
}
