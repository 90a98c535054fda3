//! Retention: rows past their age (save events, delivered notifications, idempotency keys, dead
//! secrets, unclaimed uploads) are swept by the server's background sweep and by `ticketd purge`,
//! recent ones and those still needed stay, and saves keep succeeding while a sweep runs.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::AssertSqlSafe;

use crate::cli::ticketd;
use crate::helpers::{Backend, TestApp, on_both_backends};

on_both_backends!(
    purge_dry_run_counts_and_purge_deletes_only_rows_past_their_retention,
    the_background_sweep_deletes_old_rows_and_keeps_recent_ones,
    saves_succeed_while_a_sweep_deletes_many_rows,
);

/// .NET ticks in a day (the stored form of dates).
const DAY: i64 = 86_400 * 10_000_000;

/// A connection of the test's own to the app's database, for arranging and inspecting rows.
enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Db {
    async fn open(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            Self::Sqlite(sqlx::SqlitePool::connect(url).await.expect("sqlite opens"))
        } else {
            Self::Postgres(sqlx::PgPool::connect(url).await.expect("postgres connects"))
        }
    }

    async fn execute(&self, sql: String) {
        match self {
            Self::Sqlite(pool) => sqlx::query(AssertSqlSafe(sql)).execute(pool).await.map(drop),
            Self::Postgres(pool) => sqlx::query(AssertSqlSafe(sql)).execute(pool).await.map(drop),
        }
        .expect("statement runs");
    }

    async fn count(&self, sql: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {sql}");
        match self {
            Self::Sqlite(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await,
            Self::Postgres(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await,
        }
        .expect("count")
    }
}

/// For every kind, a row past the default retention and rows that must stay (recent, or still
/// needed: a dead delivery, a live token, an upload a message claimed). Old rows are named `old…`.
async fn seed_old_and_recent_rows(db: &Db) {
    let now = ticketd::store::now_ticks();
    let old = now - 200 * DAY;
    db.execute(format!(
        "INSERT INTO message_events (message_id, event, notify, associate_id, created_at) VALUES \
         (3, 'old.event', FALSE, 1, {old}), (3, 'recent.event', FALSE, 1, {now})"
    ))
    .await;
    db.execute(format!(
        "INSERT INTO outbox (delivery_id, channel, event, message_id, payload, status, next_attempt_at, created_at) \
         VALUES ('old-delivered', 1, 'e', 3, '{{}}', 1, {old}, {old}), ('recent-delivered', 1, 'e', 3, '{{}}', 1, {now}, {now}), \
         ('kept-dead', 1, 'e', 3, '{{}}', 2, {old}, {old})"
    ))
    .await;
    db.execute(format!(
        "INSERT INTO idempotency_keys (associate_id, idempotency_key, message_id, created_at) VALUES \
         (1, 'old-key', 3, {old}), (1, 'recent-key', 3, {now})"
    ))
    .await;
    let lately = now - DAY;
    db.execute(format!(
        "INSERT INTO auth_secrets (secret_hash, kind, name, expires_at, revoked, created_at) VALUES \
         ('old-expired', 2, 'r', {old}, FALSE, {old}), ('old-revoked', 1, 'r', NULL, TRUE, {old}), \
         ('recent-expired', 2, 'r', {lately}, FALSE, {lately}), ('kept-token', 1, 'r', NULL, FALSE, {old})"
    ))
    .await;
    db.execute(format!(
        "INSERT INTO attachments (message_id, position, name, content_type, att_size, inline_image, content_id, \
         auth_key, created_by, created_at) VALUES (NULL, 0, 'old-pending', 'text/plain', 1, FALSE, '', '', 1, {old}), \
         (NULL, 0, 'recent-pending', 'text/plain', 1, FALSE, '', '', 1, {now}), \
         (3, 90, 'kept-claimed', 'text/plain', 1, FALSE, '', '', 1, {old})"
    ))
    .await;
}

/// The seeded rows still there, as (old ones, ones that must stay).
async fn seeded_rows_left(db: &Db) -> (i64, i64) {
    let old = db.count("message_events WHERE event = 'old.event'").await
        + db.count("outbox WHERE delivery_id = 'old-delivered'").await
        + db.count("idempotency_keys WHERE idempotency_key = 'old-key'").await
        + db.count("auth_secrets WHERE secret_hash LIKE 'old-%'").await
        + db.count("attachments WHERE name = 'old-pending'").await;
    let kept = db.count("message_events WHERE event = 'recent.event'").await
        + db.count("outbox WHERE delivery_id IN ('recent-delivered', 'kept-dead')").await
        + db.count("idempotency_keys WHERE idempotency_key = 'recent-key'").await
        + db.count("auth_secrets WHERE secret_hash IN ('recent-expired', 'kept-token')").await
        + db.count("attachments WHERE name IN ('recent-pending', 'kept-claimed')").await;
    (old, kept)
}

const SEEDED: (i64, i64) = (6, 8);

/// Runs `ticketd purge` with `options`; the counts it printed per kind.
fn purge(url: &str, options: &[&str], env: &[(&str, &str)]) -> Vec<(String, u64)> {
    let output = ticketd()
        .args(["purge", "--database-url", url])
        .args(options)
        .envs(env.iter().copied())
        .output()
        .expect("ticketd purge runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
        .lines()
        .filter_map(|line| {
            let (kind, count) = line.split_once(' ')?;
            Some((kind.to_owned(), count.trim().parse().ok()?))
        })
        .collect()
}

fn counted(rows: &[(String, u64)]) -> Vec<(&str, u64)> {
    rows.iter().map(|(kind, count)| (kind.as_str(), *count)).collect()
}

async fn purge_dry_run_counts_and_purge_deletes_only_rows_past_their_retention(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let db = Db::open(app.database_url()).await;
    seed_old_and_recent_rows(&db).await;
    let url = app.database_url();
    let expected = [
        ("message-events", 1),
        ("delivered-outbox", 1),
        ("idempotency-keys", 1),
        ("expired-secrets", 2),
        ("pending-uploads", 1),
    ];

    let dry = purge(url, &["--dry-run"], &[]);
    assert_eq!(counted(&dry), expected);
    assert_eq!(seeded_rows_left(&db).await, SEEDED, "a dry run deletes nothing");

    // The retention settings come from the environment like those of `serve`.
    let keep_events = purge(url, &["--dry-run"], &[("TICKETD_EVENT_RETENTION", "never")]);
    assert!(!keep_events.iter().any(|(kind, _)| kind == "message-events"), "{keep_events:?}");
    let everything_older_than_a_year = purge(url, &["--dry-run", "--delivered-retention", "365d"], &[]);
    assert_eq!(everything_older_than_a_year[1], ("delivered-outbox".into(), 0));

    let deleted = purge(url, &[], &[]);
    assert_eq!(counted(&deleted), expected);
    assert_eq!(seeded_rows_left(&db).await, (0, SEEDED.1), "old rows went, the rest stayed");
    let again = purge(url, &["--dry-run"], &[]);
    assert!(again.iter().all(|(_, count)| *count == 0), "{again:?}");
}

async fn the_background_sweep_deletes_old_rows_and_keeps_recent_ones(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |settings| settings.retention.retention_interval = Duration::from_secs(1)).await
    else {
        return;
    };
    let db = Db::open(app.database_url()).await;
    seed_old_and_recent_rows(&db).await;
    let mut waited = Duration::ZERO;
    while seeded_rows_left(&db).await.0 > 0 {
        assert!(waited < Duration::from_secs(120), "the sweep left old rows: {:?}", seeded_rows_left(&db).await);
        tokio::time::sleep(Duration::from_millis(250)).await;
        waited += Duration::from_millis(250);
    }
    assert_eq!(seeded_rows_left(&db).await, (0, SEEDED.1));
    let (status, message) = app.get_message(3).await;
    assert_eq!(status, StatusCode::OK, "{message}");
}

/// Old save events the sweep has to get through in many batches.
const OLD_EVENTS: i64 = 10_000;

async fn saves_succeed_while_a_sweep_deletes_many_rows(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| {
        settings.retention.retention_interval = Duration::from_secs(1);
        settings.retention.retention_batch = 100;
        settings.retention.retention_pause = Duration::from_millis(20);
    })
    .await
    else {
        return;
    };
    let db = Db::open(app.database_url()).await;
    let old = ticketd::store::now_ticks() - 200 * DAY;
    db.execute(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {OLD_EVENTS}) \
         INSERT INTO message_events (message_id, event, notify, associate_id, created_at) \
         SELECT 3, 'old.event', FALSE, 1, {old} + i FROM n"
    ))
    .await;

    // Saves go on until the sweep is through; some of them must land while it is midway.
    let (mut saves, mut saves_midway) = (0, 0);
    loop {
        let left = db.count("message_events WHERE event = 'old.event'").await;
        if left == 0 {
            break;
        }
        assert!(saves < 20_000, "the sweep did not finish; {left} old events left");
        let round = (0..4).map(|n| {
            let body = json!({"Ticket": {"TicketId": 3}, "Body": format!("during the sweep {saves} {n}")});
            app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", body.to_string()))
        });
        for (status, body) in futures_util::future::join_all(round).await {
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        saves += 4;
        if left < OLD_EVENTS {
            saves_midway += 4;
        }
    }
    assert!(saves_midway > 0, "no save ran while the sweep was midway");
    let created = db.count("message_events WHERE event = 'ticketmessage.created'").await;
    assert!(created >= saves, "{created} create events for {saves} saves");
}
