//! Group commit keeps each save atomic: concurrent saves share a transaction, and one that fails
//! inside it rolls back alone while the others commit — on SQLite's writer thread and on
//! PostgreSQL's writer tasks alike; and on PostgreSQL a batch broken as a whole (a deadlock) is
//! run again one save at a time; every kind of write waits behind PostgreSQL's writer.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use ticketd::domain::Scope;
use ticketd::store::attachment::NewAttachment;
use ticketd::store::{AssociateChange, NewSecret, SecretKind, StoreError};

use crate::helpers::{Backend, TestApp, on_both_backends};

on_both_backends!(a_failing_save_in_a_shared_commit_rolls_back_alone);

/// Saves carried and transactions run by the store's writer.
fn writer_counts(app: &TestApp) -> (u64, u64) {
    let (transactions, saves) = app.store.group_commits().expect("every save goes through a batching writer");
    (saves, transactions)
}

/// Rounds of concurrent PUTs of eight messages (saves of one message queue in the service, so
/// a batch gathers saves of different ones), every third naming a ticket that does not exist,
/// until the writer has carried more saves than it ran transactions (so failing saves shared a
/// commit with good ones). Every good save is answered 200 and stored whole; every bad one is
/// answered 400 and leaves no trace.
async fn a_failing_save_in_a_shared_commit_rolls_back_alone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let app = std::sync::Arc::new(app);
    for id in 1..=8 {
        assert_eq!(put(&app, id, "first save 0", 1).await.0, StatusCode::OK);
    }
    for round in 0..20 {
        let before = writer_counts(&app);
        let puts = (0..16).map(|n| {
            let app = app.clone();
            async move {
                let ticket = if n % 3 == 2 { 999_999 } else { 1 };
                (n, put(&app, n % 8 + 1, &format!("round {round} save {n}"), ticket).await)
            }
        });
        for (n, (status, body)) in futures_util::future::join_all(puts).await {
            let expected = if n % 3 == 2 { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            assert_eq!(status, expected, "round {round} save {n}: {body}");
        }
        for id in 1..=8 {
            let (_, message) = app.get_message(id).await;
            let header = message["MessageHeaders"][0]["Value"].clone();
            assert_eq!(message["Body"], header, "message and headers come from one save: {message}");
            assert_eq!(message["Ticket"]["TicketId"], 1, "{message}");
            let n: u32 = header.as_str().and_then(|text| text.rsplit(' ').next()?.parse().ok()).expect("save number");
            assert_ne!(n % 3, 2, "a refused save is not what is stored: {message}");
        }
        let after = writer_counts(&app);
        assert!(after.0 - before.0 >= 16, "every save went through the writer: {before:?} → {after:?}");
        if after.0 - before.0 > after.1 - before.1 {
            return;
        }
        eprintln!("round {round}: no two saves shared a commit; again");
    }
    panic!("in 20 rounds of 16 concurrent saves, no two shared a commit: {:?}", writer_counts(&app));
}

/// A PUT of message `id` whose body and first header are `text`, on ticket `ticket`.
async fn put(app: &TestApp, id: i32, text: &str, ticket: i32) -> (StatusCode, serde_json::Value) {
    let body = json!({"Body": text, "Ticket": {"TicketId": ticket}, "MessageHeaders": [{"Name": "N", "Value": text}]});
    app.call(app.send_json(Method::PUT, &format!("/api/v1/TicketMessage/{id}"), body.to_string())).await
}

/// A batch that fails as a whole is not one save's fault: its saves run again, each alone, and
/// all succeed. Another session holds message 2's row lock; saves of messages 1 and 2 share a
/// batch (queued behind a save of message 5 that waits for a third lock), the batch takes message
/// 1's row and waits for message 2's, and the other session then asks for message 1's row: a
/// deadlock, which PostgreSQL breaks by failing the batch's statement. Both saves answer 200.
#[tokio::test]
async fn a_batch_broken_by_a_deadlock_runs_its_saves_again_one_by_one() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let app = std::sync::Arc::new(app);
    for attempt in 0..5 {
        let before = writer_counts(&app);
        let mut holder = connect(app.database_url()).await;
        let mut other = connect(app.database_url()).await;
        lock_row(&mut holder, 5).await.expect("lock message 5");
        lock_row(&mut other, 2).await.expect("lock message 2");
        let mut saves = Vec::new();
        for id in [5, 1, 2] {
            let app = app.clone();
            let text = format!("attempt {attempt} message {id}");
            saves.push(tokio::spawn(async move { (id, put(&app, id, &text, 1).await) }));
            // One at a time into the queue, in this order.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        end(holder).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        // Waits for the batch's lock on message 1; fails instead if it is the one picked to break
        // the deadlock. Either way the batch's saves must all succeed.
        let _ = lock_row(&mut other, 1).await;
        end(other).await;
        for save in saves {
            let (id, (status, body)) = save.await.expect("save");
            assert_eq!(status, StatusCode::OK, "attempt {attempt}, message {id}: {body}");
            let (_, stored) = app.get_message(id).await;
            assert_eq!(stored["Body"], format!("attempt {attempt} message {id}"), "{stored}");
        }
        let after = writer_counts(&app);
        // Three saves, some carried twice (in the broken batch, then each alone); how many
        // batches the deadlock broke depends on which session PostgreSQL picks as its victim.
        if after.0 - before.0 > 3 {
            return;
        }
        eprintln!("attempt {attempt}: the saves did not meet in one batch ({before:?} → {after:?}); again");
    }
    panic!("in 5 attempts no batch was broken by the deadlock");
}

async fn connect(url: &str) -> sqlx::PgConnection {
    <sqlx::PgConnection as sqlx::Connection>::connect(url).await.expect("connect")
}

/// Opens a transaction (if none is open) and takes message `id`'s row lock in it.
async fn lock_row(conn: &mut sqlx::PgConnection, id: i32) -> Result<(), sqlx::Error> {
    sqlx::raw_sql("BEGIN").execute(&mut *conn).await.ok();
    sqlx::query("SELECT id FROM ticket_messages WHERE id = $1 FOR UPDATE").bind(id).execute(&mut *conn).await?;
    Ok(())
}

async fn end(mut conn: sqlx::PgConnection) {
    sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.expect("rollback");
}

/// No write of any kind passes PostgreSQL's writer: while a save waits inside it (for a row
/// lock another session holds), a login's password change, a session secret, an outbox claim
/// and an attachment piece all wait behind it, and reads are answered; released, they all
/// complete. (SQLite's writer has the same test in `store/sqlite/queue_tests.rs`.)
#[tokio::test]
async fn every_kind_of_write_waits_behind_the_postgresql_writer_and_reads_do_not() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let app = std::sync::Arc::new(app);
    let upload = NewAttachment {
        name: "a.txt".into(),
        content_type: "text/plain".into(),
        inline_image: false,
        content_id: String::new(),
        created_by: 1,
    };
    let upload_id = app.store.begin_upload(&upload).await.expect("upload begins");
    let mut holder = connect(app.database_url()).await;
    lock_row(&mut holder, 5).await.expect("lock message 5");
    let held = tokio::spawn({
        let app = app.clone();
        async move { put(&app, 5, "held", 1).await }
    });
    until_a_session_waits_for_a_lock(&mut connect(app.database_url()).await).await;
    let before = writer_counts(&app);
    let store = || app.store.clone();
    let writes: Vec<tokio::task::JoinHandle<Result<(), StoreError>>> = vec![
        tokio::spawn({
            let store = store();
            async move { store.change_associate("tje0", &AssociateChange::PasswordHash("h1".into())).await.map(drop) }
        }),
        tokio::spawn({
            let store = store();
            async move { store.insert_secret(&session("queued")).await }
        }),
        tokio::spawn({
            let store = store();
            async move { store.claim_deliveries("worker", 10, Duration::from_secs(60)).await.map(drop) }
        }),
        tokio::spawn({
            let store = store();
            async move { store.append_upload(upload_id, 0, b"piece").await }
        }),
    ];
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(writes.iter().all(|write| !write.is_finished()), "no write completes while the writer is held");
    let (status, _) = app.get_message(3).await;
    assert_eq!(status, StatusCode::OK, "a read does not wait for the writer");
    assert!(app.store.find_secret(SecretKind::Session, "queued").await.expect("read").is_none());

    end(holder).await;
    assert_eq!(held.await.expect("save").0, StatusCode::OK);
    for write in writes {
        write.await.expect("joins").expect("the write completes once the writer is released");
    }
    let after = writer_counts(&app);
    assert!(after.0 - before.0 >= 4, "the four writes were jobs of the writer: {before:?} → {after:?}");
    assert!(app.store.find_secret(SecretKind::Session, "queued").await.expect("read").is_some());
}

fn session(hash: &str) -> NewSecret {
    NewSecret {
        hash: hash.into(),
        kind: SecretKind::Session,
        associate_id: None,
        name: hash.into(),
        scope: Scope::ReadWrite,
        xsrf_token: String::new(),
        expires_at: None,
    }
}

/// Waits until a session of this test's database waits for a lock: the writer's save. (The
/// server is shared with other tests, whose sessions wait for locks of their own.)
async fn until_a_session_waits_for_a_lock(watcher: &mut sqlx::PgConnection) {
    const WAITING: &str =
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    for _ in 0..500 {
        let waiting: i64 = sqlx::query_scalar(WAITING).fetch_one(&mut *watcher).await.expect("pg_stat_activity");
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the save never waited for the row lock");
}
