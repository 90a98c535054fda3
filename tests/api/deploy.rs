//! Deployment checks over real processes: `ticketd doctor` against real databases, SMTP
//! servers, trust-root bundles and key files, and the liveness and readiness endpoints.

use std::process::Output;

use reqwest::StatusCode;
use serde_json::Value;

use crate::cli::{serve_with, ticketd};
use crate::helpers::{Backend, TestApp, TestDatabase, on_both_backends};
use crate::sinks::SmtpSink;

/// Two public root certificates (ISRG Root X1 and X2), so the count is known wherever the
/// tests run.
const TWO_ROOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two-roots.pem");
const RSA_PUBLIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt/rsa-public.pem");

/// Runs `ticketd doctor --json` with `args`, trusting `roots`, off the runtime's thread.
async fn doctor_with_roots(args: &[&str], roots: &str) -> (Output, Value) {
    let mut command = ticketd();
    command.arg("doctor").arg("--json").args(args).env_remove("SSL_CERT_DIR").env("SSL_CERT_FILE", roots);
    let output = tokio::task::spawn_blocking(move || command.output().expect("ticketd runs")).await.expect("thread");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("doctor prints JSON ({err}): {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(report["ok"], output.status.success(), "the exit code agrees with the report: {report}");
    (output, report)
}

async fn doctor(args: &[&str]) -> (Output, Value) {
    doctor_with_roots(args, TWO_ROOTS).await
}

/// The status and detail a report gives `check`.
fn finding(report: &Value, check: &str) -> (String, String) {
    let found = report["checks"].as_array().and_then(|checks| checks.iter().find(|c| c["check"] == check));
    let found = found.unwrap_or_else(|| panic!("{check} is reported: {report}"));
    (found["status"].as_str().unwrap_or_default().to_owned(), found["detail"].as_str().unwrap_or_default().to_owned())
}

/// Forgets that the newest migration was applied, as a database restored from an older
/// backup would look.
async fn forget_newest_migration(url: &str) -> i64 {
    use sqlx::Connection as _;
    let store = ticketd::store::connect(url).await.expect("migrated");
    drop(store);
    let newest = ticketd::store::schema::SQLITE.iter().map(|m| m.version).max().expect("migrations");
    let delete = "DELETE FROM _sqlx_migrations WHERE version = $1";
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open");
        sqlx::query(delete).bind(newest).execute(&mut conn).await.expect("forget");
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query(delete).bind(newest).execute(&mut conn).await.expect("forget");
    }
    newest
}

async fn doctor_passes_every_check_of_a_working_configuration(backend: Backend) {
    let Some(database) = TestDatabase::new(backend).await else { return };
    ticketd::store::connect(&database.url).await.expect("migrated");
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    let args = ["--database-url", &database.url, "--smtp-url", &smtp_url, "--jwt-public-key", RSA_PUBLIC];
    let (output, report) = doctor(&args).await;
    assert!(output.status.success(), "{report}");
    let names: Vec<&str> =
        report["checks"].as_array().expect("checks").iter().filter_map(|c| c["check"].as_str()).collect();
    assert_eq!(names, ["config", "database", "tls-roots", "smtp", "jwt", "data-dir"]);
    let (status, detail) = finding(&report, "database");
    assert_eq!(status, "ok");
    let count = ticketd::store::schema::SQLITE.iter().count();
    assert!(detail.contains(&format!("all {count} migrations applied")), "{detail}");
    assert_eq!(
        finding(&report, "tls-roots"),
        ("ok".into(), "2 trusted root certificates from SSL_CERT_FILE/SSL_CERT_DIR".into())
    );
    let (status, detail) = finding(&report, "smtp");
    assert_eq!(status, "ok");
    assert!(detail.contains("answered EHLO"), "{detail}");
    assert_eq!(finding(&report, "jwt").0, "ok");
    let expected_data_dir = if matches!(backend, Backend::Sqlite) { "ok" } else { "skip" };
    assert_eq!(finding(&report, "data-dir").0, expected_data_dir);
}

async fn doctor_names_a_pending_migration_and_does_not_apply_it(backend: Backend) {
    let Some(database) = TestDatabase::new(backend).await else { return };
    let newest = forget_newest_migration(&database.url).await;
    let (output, report) = doctor(&["--database-url", &database.url, "--only", "database"]).await;
    assert!(!output.status.success());
    let (status, detail) = finding(&report, "database");
    assert_eq!(status, "fail");
    assert!(detail.contains("1 of") && detail.contains(&format!("{newest:04} ")), "{detail}");
    // Still pending: the doctor only looks.
    let (_, again) = doctor(&["--database-url", &database.url, "--only", "database"]).await;
    assert_eq!(finding(&again, "database"), (status, detail));
}

async fn readiness_fails_with_the_pending_migration_while_liveness_holds(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (status, body) = app.call(app.client.get(app.url("/health/ready"))).await;
    assert_eq!((status, &body["Status"]), (StatusCode::OK, &Value::from("OK")), "{body}");
    let newest = forget_newest_migration(app.database_url()).await;
    // The verdict is reused for a moment; the next fresh one names the migration.
    let reason = crate::sinks::eventually(std::time::Duration::from_secs(20), async || {
        let (status, body) = app.call(app.client.get(app.url("/health/ready"))).await;
        (status == StatusCode::SERVICE_UNAVAILABLE).then_some(body)
    })
    .await
    .expect("readiness fails");
    assert_eq!(reason["Status"], "NotReady");
    let text = reason["Reason"].as_str().unwrap_or_default();
    assert!(text.starts_with("MigrationsPending:") && text.contains(&format!("{newest:04} ")), "{text}");
    let (status, body) = app.call(app.client.get(app.url("/health/live"))).await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!({"Status": "OK"})));
}

on_both_backends!(
    doctor_passes_every_check_of_a_working_configuration,
    doctor_names_a_pending_migration_and_does_not_apply_it,
    readiness_fails_with_the_pending_migration_while_liveness_holds,
);

#[tokio::test]
async fn doctor_fails_the_trust_root_check_on_an_empty_store_and_prints_one_line_per_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").expect("write");
    let (output, report) = doctor_with_roots(&["--only", "tls-roots"], empty.to_str().expect("utf-8")).await;
    assert!(!output.status.success());
    let (status, detail) = finding(&report, "tls-roots");
    assert_eq!(status, "fail");
    assert!(detail.contains("no trusted root certificates") && detail.contains("ca-certificates"), "{detail}");

    let human = ticketd()
        .args(["doctor", "--only", "tls-roots,jwt"])
        .env_remove("SSL_CERT_DIR")
        .env("SSL_CERT_FILE", TWO_ROOTS)
        .output()
        .expect("runs");
    assert!(human.status.success());
    let text = String::from_utf8_lossy(&human.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("ok    tls-roots  2 trusted root certificates"), "{text}");
    assert!(lines[1].starts_with("skip  jwt"), "{text}");
}

#[tokio::test]
async fn doctor_fails_on_an_unreachable_smtp_server_and_on_missing_starttls() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let refused = format!("smtp://127.0.0.1:{port}");
    let (output, report) = doctor(&["--only", "smtp", "--smtp-url", &refused, "--delivery-timeout", "5s"]).await;
    assert!(!output.status.success());
    assert_eq!(finding(&report, "smtp").0, "fail");

    let sink = SmtpSink::start();
    let starttls = format!("{}?tls=required", sink.url());
    let (output, report) = doctor(&["--only", "smtp", "--smtp-url", &starttls]).await;
    assert!(!output.status.success(), "the sink offers no STARTTLS: {report}");
    let (status, detail) = finding(&report, "smtp");
    assert_eq!(status, "fail");
    assert!(detail.contains("(STARTTLS)"), "{detail}");
}

#[tokio::test]
async fn doctor_fails_on_unreadable_keys_a_missing_database_and_a_full_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jwks = dir.path().join("keys.json");
    std::fs::write(&jwks, "{not json").expect("write");
    let db = dir.path().join("absent.db");
    let url = format!("sqlite://{}", db.display());
    let jwks = jwks.to_str().expect("utf-8");
    let args =
        ["--database-url", &url, "--jwt-jwks", jwks, "--min-free-mib", "1000000000", "--only", "database,jwt,data-dir"];
    let (output, report) = doctor(&args).await;
    assert!(!output.status.success());
    let (status, detail) = finding(&report, "database");
    assert_eq!(status, "fail");
    assert!(detail.contains("does not exist yet"), "{detail}");
    assert!(!db.exists(), "the doctor creates no database");
    let (status, detail) = finding(&report, "jwt");
    assert_eq!(status, "fail");
    assert!(detail.contains("keys.json"), "{detail}");
    let (status, detail) = finding(&report, "data-dir");
    assert_eq!(status, "fail");
    assert!(detail.contains("MiB free"), "{detail}");
}

#[tokio::test]
async fn the_binary_serves_liveness_and_readiness_without_credentials() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("health.db").display());
    let (_server, base) = serve_with(&url, &[]);
    let client = crate::helpers::client();
    for path in ["/health/live", "/health/ready", "/health"] {
        let response = client.get(format!("{base}{path}")).send().await.expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body, serde_json::json!({"Status": "OK"}), "{path}");
    }
    // The container health check probes any of them.
    let addr = base.trim_start_matches("http://").to_owned();
    for (path, healthy) in [("/health/ready", true), ("/health/live", true), ("/health/nothing", false)] {
        let args = ["healthcheck", "--addr", &addr, "--path", path];
        let output = crate::cli::output_beside_server(&args).await;
        assert_eq!(output.status.success(), healthy, "healthcheck --path {path}");
    }
}
