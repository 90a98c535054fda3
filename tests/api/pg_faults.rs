//! PostgreSQL going away under ticketd: an immediate restart under a write load, a backend
//! killed during COMMIT, and a failover to a promoted streaming standby. Each test runs its own
//! servers (pg_cluster) and the real ticketd binary. `TICKETD_FAULTS_LONG=1` runs longer loads.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use ticketd::domain::notification::DeliveryStatus;

use crate::cli::serve_with;
use crate::helpers::SEED_AUTH;
use crate::pg_cluster::{PgNode, kill_process};
use crate::sinks::{WebhookReceiver, eventually};

/// The request timeout ticketd runs with here; a request unanswered past it (plus slack) hangs.
const REQUEST_TIMEOUT_SECS: u64 = 10;

fn long() -> bool {
    std::env::var("TICKETD_FAULTS_LONG").is_ok_and(|v| v == "1")
}

/// One save as the client saw it.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    body_text: String,
    id: Option<i64>,
    retry_after: bool,
    vendor_body: bool,
    /// The error message, when there is one.
    message: String,
    ticket: usize,
    sent_at: Instant,
    answered_at: Instant,
}

/// The answers of a write load, shared by its workers.
#[derive(Clone, Default)]
struct Load {
    answers: Arc<Mutex<Vec<Answer>>>,
    stop: Arc<AtomicBool>,
    workers: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Load {
    /// Starts `workers` clients that each POST new messages (notify=true) until stopped.
    fn start(base: &str, workers: usize) -> Self {
        let load = Self::default();
        ticketd::notify::install_crypto_provider();
        let client =
            reqwest::Client::builder().timeout(Duration::from_secs(REQUEST_TIMEOUT_SECS + 5)).build().expect("client");
        for worker in 0..workers {
            let (load, client, base) = (load.clone(), client.clone(), base.to_owned());
            let spawned = load.clone();
            let worker = tokio::spawn(async move {
                let mut n = 0;
                while !load.stop.load(Ordering::Relaxed) {
                    let answer = post(&client, &base, format!("w{worker}-{n}"), n % 3 + 1).await;
                    load.answers.lock().expect("answers").push(answer);
                    n += 1;
                }
            });
            spawned.workers.lock().expect("workers").push(worker);
        }
        load
    }

    fn answers(&self) -> Vec<Answer> {
        self.answers.lock().expect("answers").clone()
    }

    /// Waits until `count` more saves than now were acknowledged.
    async fn acknowledged(&self, more: usize, limit: Duration) -> bool {
        let target = self.ok_count() + more;
        eventually(limit, async || (self.ok_count() >= target).then_some(())).await.is_some()
    }

    fn ok_count(&self) -> usize {
        self.answers().iter().filter(|a| a.status == 200).count()
    }

    async fn finish(&self) -> Vec<Answer> {
        self.stop.store(true, Ordering::Relaxed);
        // Requests in flight come back (each is bounded by the client's timeout).
        let workers: Vec<_> = self.workers.lock().expect("workers").drain(..).collect();
        for worker in workers {
            worker.await.expect("a load worker failed");
        }
        self.answers()
    }
}

async fn post(client: &reqwest::Client, base: &str, text: String, ticket: usize) -> Answer {
    let sent_at = Instant::now();
    let response = client
        .post(format!("{base}/api/v1/TicketMessage?notify=true"))
        .header("Authorization", SEED_AUTH)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(json!({ "Ticket": { "TicketId": ticket }, "Body": text }).to_string())
        .send()
        .await;
    // A request that is not answered in time is a hang, which no fault excuses.
    let response = response.unwrap_or_else(|err| panic!("save '{text}' was not answered: {err}"));
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    let json: Value = response.json().await.unwrap_or(Value::Null);
    let vendor_body = json["Error"] == true && json["ErrorMessage"].is_string() && json["ErrorType"].is_string();
    let message = json["ErrorMessage"].as_str().unwrap_or_default().to_owned();
    let id = json["EjMessageId"].as_i64();
    let answered_at = Instant::now();
    Answer { status, body_text: text, id, retry_after, vendor_body, message, ticket, sent_at, answered_at }
}

/// Every answer is 200, or 503 with the vendor error body and `Retry-After`.
fn assert_only_ok_or_retryable(answers: &[Answer]) -> (usize, usize) {
    let mut counts: HashMap<u16, usize> = HashMap::new();
    for a in answers {
        *counts.entry(a.status).or_default() += 1;
        match a.status {
            200 => assert!(a.id.is_some(), "an acknowledged save names its id: {a:?}"),
            503 => assert!(a.retry_after && a.vendor_body, "a 503 carries Retry-After and the vendor body: {a:?}"),
            other => panic!("save {a:?} answered {other}; only 200 or 503 may come back"),
        }
    }
    (counts.get(&200).copied().unwrap_or(0), counts.get(&503).copied().unwrap_or(0))
}

/// Every acknowledged save reads back with its body.
async fn assert_all_present(base: &str, answers: &[Answer]) {
    let client = crate::helpers::client();
    for a in answers.iter().filter(|a| a.status == 200) {
        let id = a.id.expect("id");
        let response = client
            .get(format!("{base}/api/v1/TicketMessage/{id}"))
            .header("Authorization", SEED_AUTH)
            .header("Accept", "application/json")
            .send()
            .await
            .expect("read back");
        assert_eq!(response.status(), StatusCode::OK, "acknowledged save {id} is stored");
        let stored: Value = response.json().await.expect("json");
        assert_eq!(stored["Body"], a.body_text.as_str(), "save {id} kept its body");
    }
}

/// What a fault cost, for the record in docs/reliability.md.
#[derive(Debug)]
#[allow(dead_code, reason = "printed with Debug only")]
struct Outage {
    /// How long the database was gone (the fault's command, or the planned outage).
    down: Duration,
    /// From the database being back to the first acknowledged save answered after that.
    first_ok_after_back: Option<Duration>,
    /// The 503s' messages.
    messages: HashSet<String>,
}

fn outage(answers: &[Answer], began: Instant, back: Instant) -> Outage {
    let first_ok = answers.iter().filter(|a| a.status == 200 && a.answered_at >= back).map(|a| a.answered_at - back);
    Outage {
        down: back - began,
        first_ok_after_back: first_ok.min(),
        messages: answers.iter().filter(|a| a.status == 503).map(|a| a.message.clone()).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immediate_restart_under_load_costs_503s_only_and_loses_nothing() {
    let Some(node) = PgNode::primary() else { return };
    let url = node.create_database("restart").await;
    let receiver = WebhookReceiver::start("whsec_restart").await;
    receiver.delay(Duration::from_millis(300));
    let store = ticketd::store::connect(&url).await.expect("store");
    store.add_webhook(&receiver.url, "ticketmessage.created", "whsec_restart").await.expect("webhook");
    drop(store);
    let timeout = REQUEST_TIMEOUT_SECS.to_string();
    let options = ["--request-timeout", &timeout, "--outbox-lease", "30s", "--outbox-retry-base", "200ms"];
    let (_server, base) = serve_with(&url, &options);

    let load = Load::start(&base, 4);
    let before = if long() { 500 } else { 40 };
    assert!(load.acknowledged(before, Duration::from_secs(60)).await, "saves are acknowledged before the restart");
    let restarts = if long() { 5 } else { 1 };
    let mut recovered = Vec::new();
    for _ in 0..restarts {
        let began = Instant::now();
        tokio::task::block_in_place(|| node.restart_immediately());
        let back = Instant::now();
        assert!(
            load.acknowledged(20, Duration::from_secs(10)).await,
            "ticketd serves again within 10 s of the restart"
        );
        recovered.push(outage(&load.answers(), began, back));
    }
    let answers = load.finish().await;

    let (ok, unavailable) = assert_only_ok_or_retryable(&answers);
    eprintln!("restart under load: {} saves answered, {ok} 200, {unavailable} 503; {recovered:?}", answers.len());
    assert_all_present(&base, &answers).await;
    assert_notified_once(&url, &receiver, &answers).await;
}

/// Every acknowledged save's notification reached the receiver, and none twice: checked once
/// the outbox has nothing pending, so a delivery whose record was lost has been made again.
async fn assert_notified_once(url: &str, receiver: &WebhookReceiver, answers: &[Answer]) {
    let store = ticketd::store::connect(url).await.expect("store");
    let settled = eventually(Duration::from_secs(90), async || {
        let pending = store.outbox(Some(DeliveryStatus::Pending), 1).await.ok()?;
        pending.is_empty().then_some(())
    })
    .await;
    assert!(settled.is_some(), "the outbox drains");
    let acknowledged: HashSet<&str> =
        answers.iter().filter(|a| a.status == 200).map(|a| a.body_text.as_str()).collect();
    let delivered = eventually(Duration::from_secs(60), async || {
        let bodies: HashSet<String> =
            receiver.received().iter().filter_map(|h| h.body["Data"]["Body"].as_str().map(str::to_owned)).collect();
        acknowledged.iter().all(|body| bodies.contains(*body)).then_some(())
    })
    .await;
    assert!(delivered.is_some(), "every acknowledged save's notification is delivered");
    let counts = receiver.counts();
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "each notification is delivered once: {doubled:?}");
}

/// Ragnhild (the demo's follower of ticket 1) reading her live stream: the text of every event,
/// and whether the stream ended.
async fn follow_stream(base: &str) -> (Arc<Mutex<String>>, Arc<AtomicBool>) {
    let (events, ended) = (Arc::new(Mutex::new(String::new())), Arc::new(AtomicBool::new(false)));
    let mut stream = crate::helpers::client()
        .get(format!("{base}/api/v1/notifications/stream"))
        .header("Authorization", "Basic cmFnbmhpbGQ6UmFnbmhpbGQx")
        .send()
        .await
        .expect("stream opens");
    assert_eq!(stream.status(), StatusCode::OK);
    let (text, done) = (events.clone(), ended.clone());
    tokio::spawn(async move {
        while let Ok(Some(chunk)) = stream.chunk().await {
            text.lock().expect("events").push_str(&String::from_utf8_lossy(&chunk));
        }
        done.store(true, Ordering::Relaxed);
    });
    (events, ended)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_down_longer_than_the_wait_costs_503s_and_everything_resumes() {
    let Some(node) = PgNode::primary() else { return };
    let url = node.create_database("outage").await;
    let receiver = WebhookReceiver::start("whsec_outage").await;
    // Slow answers keep deliveries in flight when the database goes.
    receiver.delay(Duration::from_millis(300));
    let store = ticketd::store::connect(&url).await.expect("store");
    store.add_webhook(&receiver.url, "ticketmessage.created", "whsec_outage").await.expect("webhook");
    drop(store);
    let timeout = REQUEST_TIMEOUT_SECS.to_string();
    let options = ["--request-timeout", &timeout, "--outbox-lease", "30s", "--outbox-retry-base", "200ms"];
    let (_server, base) = serve_with(&url, &options);
    let (stream, stream_ended) = follow_stream(&base).await;
    let stream_opened = Instant::now();

    let load = Load::start(&base, 4);
    assert!(load.acknowledged(30, Duration::from_secs(60)).await, "saves are acknowledged before the outage");
    let began = Instant::now();
    tokio::task::block_in_place(|| node.kill());
    // Longer than ticketd's wait for a connection, so requests give up while it lasts.
    tokio::time::sleep(Duration::from_secs(8)).await;
    tokio::task::block_in_place(|| node.start().expect("server starts again"));
    let back = Instant::now();
    assert!(load.acknowledged(20, Duration::from_secs(10)).await, "ticketd serves again within 10 s");
    let answers = load.finish().await;

    let (ok, unavailable) = assert_only_ok_or_retryable(&answers);
    let cost = outage(&answers, began, back);
    eprintln!("outage: {} saves answered, {ok} 200, {unavailable} 503; {cost:?}", answers.len());
    assert!(unavailable > 0, "the outage was seen");
    assert_all_present(&base, &answers).await;
    assert_notified_once(&url, &receiver, &answers).await;
    let followed: Vec<&Answer> =
        answers.iter().filter(|a| a.status == 200 && a.ticket == 1 && a.sent_at > stream_opened).collect();
    let all_streamed = eventually(Duration::from_secs(20), async || {
        let text = stream.lock().expect("events").clone();
        followed.iter().all(|a| text.contains(&format!("\"{}\"", a.body_text))).then_some(())
    })
    .await;
    assert!(!stream_ended.load(Ordering::Relaxed), "the live stream stayed open through the outage");
    assert!(all_streamed.is_some(), "the live stream carried every followed save, before and after the outage");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_killed_during_commit_answers_503_outcome_unknown_and_service_resumes() {
    let Some(node) = PgNode::primary() else { return };
    let url = node.create_database("commitloss").await;
    let (_server, base) = serve_with(&url, &[]);
    // A deferred trigger runs inside COMMIT: this one holds the commit open until it is killed.
    let mut admin = node.connect("commitloss").await;
    sqlx::raw_sql(
        "CREATE FUNCTION hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN PERFORM pg_sleep(20); RETURN NULL; END $$; \
         CREATE CONSTRAINT TRIGGER hold_commit AFTER INSERT ON message_events \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hold_commit();",
    )
    .execute(&mut admin)
    .await
    .expect("install the trigger");

    let client = crate::helpers::client();
    let saving = tokio::spawn({
        let (client, base) = (client.clone(), base.clone());
        async move { post(&client, &base, "lost at commit".into(), 1).await }
    });
    let pid: i32 = eventually(Duration::from_secs(20), async || {
        sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE query = 'COMMIT' AND state = 'active'")
            .fetch_optional(&mut admin)
            .await
            .ok()
            .flatten()
    })
    .await
    .expect("the save reaches COMMIT");
    kill_process(pid);
    let answer = saving.await.expect("join");
    assert_eq!(answer.status, 503, "{answer:?}");
    assert!(answer.retry_after && answer.vendor_body, "{answer:?}");
    // Not "nothing was saved": the client is told to read back before retrying.
    assert!(answer.message.contains("may or may not have been stored"), "{answer:?}");

    // The killed backend made the server restart (crash recovery); ticketd follows it back.
    // A connection made while the other backends are still being ended may die too: retry.
    let dropped = eventually(Duration::from_secs(30), async || {
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&node.url("commitloss")).await.ok()?;
        sqlx::raw_sql("DROP TRIGGER hold_commit ON message_events").execute(&mut admin).await.ok()
    })
    .await;
    assert!(dropped.is_some(), "the server recovers");
    let again = eventually(Duration::from_secs(20), async || {
        let answer = post(&client, &base, "after the crash".into(), 1).await;
        (answer.status == 200).then_some(answer)
    })
    .await;
    assert!(again.is_some(), "saves succeed again without restarting ticketd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_to_a_promoted_standby_continues_on_the_new_primary() {
    let Some(primary) = PgNode::primary() else { return };
    primary.create_database("failover").await;
    let standby = tokio::task::block_in_place(|| PgNode::standby_of(&primary));
    // Synchronous replication (set after the base backup, so the standby does not wait for one
    // of its own once promoted): an acknowledged commit is on the standby too.
    let mut admin = primary.connect("postgres").await;
    sqlx::raw_sql("ALTER SYSTEM SET synchronous_standby_names = '*'").execute(&mut admin).await.expect("sync");
    sqlx::raw_sql("SELECT pg_reload_conf()").execute(&mut admin).await.expect("reload");
    let synchronous = eventually(Duration::from_secs(30), async || {
        let state: Option<String> =
            sqlx::query_scalar("SELECT sync_state FROM pg_stat_replication").fetch_optional(&mut admin).await.ok()?;
        (state.as_deref() == Some("sync")).then_some(())
    })
    .await;
    assert!(synchronous.is_some(), "the standby replicates synchronously");
    drop(admin);

    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/failover?target_session_attrs=read-write",
        primary.port, standby.port
    );
    let timeout = REQUEST_TIMEOUT_SECS.to_string();
    let (_server, base) = serve_with(&url, &["--request-timeout", &timeout]);
    let load = Load::start(&base, 4);
    assert!(load.acknowledged(30, Duration::from_secs(60)).await, "saves are acknowledged on the primary");
    let began = Instant::now();
    tokio::task::block_in_place(|| primary.kill());
    tokio::time::sleep(Duration::from_secs(1)).await;
    tokio::task::block_in_place(|| standby.promote());
    let promoted = Instant::now();
    assert!(load.acknowledged(20, Duration::from_secs(30)).await, "ticketd continues on the promoted standby");
    let answers = load.finish().await;

    let (ok, unavailable) = assert_only_ok_or_retryable(&answers);
    let cost = outage(&answers, began, promoted);
    eprintln!("failover: {} saves answered, {ok} 200, {unavailable} 503; {cost:?}", answers.len());
    assert_all_present(&base, &answers).await;
    let doctor = tokio::task::block_in_place(|| {
        crate::cli::ticketd().args(["doctor", "--json", "--database-url", &url]).output().expect("doctor runs")
    });
    let report: Value = serde_json::from_slice(&doctor.stdout).expect("doctor prints JSON");
    let database = report["checks"].as_array().and_then(|c| c.iter().find(|c| c["check"] == "database")).cloned();
    assert_eq!(database.as_ref().map(|c| c["status"].clone()), Some(json!("ok")), "doctor follows the hosts: {report}");
    let mut new_primary = standby.connect("failover").await;
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ticket_messages").fetch_one(&mut new_primary).await.expect("count");
    assert!(stored as usize >= ok, "the new primary holds every acknowledged save ({stored} rows, {ok} acknowledged)");
}
