//! Notifications are never lost and never doubled: the real binary killed with SIGKILL in the
//! middle of delivery, and two servers sharing one PostgreSQL outbox.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::StreamExt as _;
use reqwest::StatusCode;
use serde_json::json;
use ticketd::domain::notification::{Channel, DeliveryStatus};

use crate::cli::{run_ok, serve_with};
use crate::helpers::SEED_AUTH;
use crate::sinks::{WebhookReceiver, eventually};

async fn put_notifying(client: &reqwest::Client, base: &str, n: usize, label: &str) {
    put_saving(client, base, n, label, true).await;
}

/// Saves message `n % 10 + 1`; webhooks hear of it whether or not it notifies.
async fn put_saving(client: &reqwest::Client, base: &str, n: usize, label: &str, notify: bool) {
    let response = client
        .put(format!("{base}/api/v1/TicketMessage/{}?notify={notify}", n % 10 + 1))
        .header("Authorization", SEED_AUTH)
        .header("Content-Type", "application/json")
        .body(json!({ "Body": format!("{label} {n}") }).to_string())
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK, "save {n} is acknowledged");
}

/// The body each delivery id carried; fails if one id ever carried two different saves.
fn bodies_by_delivery(receiver: &WebhookReceiver) -> HashMap<String, String> {
    let mut bodies = HashMap::new();
    for hook in receiver.received() {
        assert!(hook.signature_valid, "every delivery verifies");
        let body = hook.body["Data"]["Body"].as_str().unwrap_or_default().to_owned();
        let earlier = bodies.insert(hook.delivery_id.clone(), body.clone());
        assert!(earlier.is_none_or(|e| e == body), "delivery {} carried two saves", hook.delivery_id);
    }
    bodies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_delivery_delivers_every_acknowledged_notification_after_restart() {
    const SAVES: usize = 40;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    let receiver = WebhookReceiver::start("").await;
    receiver.delay(Duration::from_millis(300));
    run_ok(&["migrate", "--database-url", &url]);
    let secret =
        run_ok(&["webhook", "add", &receiver.url, "--events", "ticketmessage.changed", "--database-url", &url]);
    assert!(secret.trim().starts_with("whsec_"), "webhook add prints the secret: {secret}");
    receiver.set_secret(secret.trim());

    let (mut server, base) = serve_with(&url, &["--outbox-retry-base", "100ms"]);
    let client = crate::helpers::client();
    for n in 0..SAVES {
        // Every other save asks for no notification: its webhook event must be as durable.
        put_saving(&client, &base, n, "save", n % 2 == 0).await;
    }
    eventually(Duration::from_secs(30), async || (receiver.received().len() >= 3).then_some(()))
        .await
        .expect("deliveries start");
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
    let before_restart = receiver.received().len();
    assert!(before_restart < SAVES, "the kill landed in the middle of delivery ({before_restart} received)");

    receiver.delay(Duration::ZERO);
    let (mut restarted, _) = serve_with(&url, &["--outbox-retry-base", "100ms"]);
    let all_seen = eventually(Duration::from_secs(60), async || {
        let bodies = bodies_by_delivery(&receiver);
        (bodies.len() >= SAVES).then_some(bodies)
    })
    .await
    .expect("every acknowledged save's notification arrives after the restart");
    let distinct: HashSet<&String> = all_seen.values().collect();
    assert_eq!(all_seen.len(), SAVES, "one delivery id per save");
    assert_eq!(distinct.len(), SAVES, "each save was notified under exactly one delivery id");
    for n in 0..SAVES {
        assert!(distinct.contains(&format!("save {n}")), "save {n} was notified");
    }

    let store = ticketd::store::connect(&url).await.expect("store");
    let settled = eventually(Duration::from_secs(30), async || {
        let rows = store.outbox(None, 1000).await.ok()?;
        rows.iter().all(|row| row.status == DeliveryStatus::Delivered).then_some(rows)
    })
    .await
    .expect("nothing is left pending");
    assert_eq!(settled.iter().filter(|row| row.channel == Channel::Webhook).count(), SAVES);
    restarted.kill().expect("stop");
    let _ = restarted.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_deliver_each_notification_exactly_once() {
    const SAVES: usize = 1000;
    let Some(url) = crate::pg::fresh_database().await else { return };
    let receiver = WebhookReceiver::start("whsec_pair").await;
    let store = ticketd::store::connect(&url).await.expect("store");
    store.add_webhook(&receiver.url, "ticketmessage.*", "whsec_pair").await.expect("webhook");
    let (mut first, base_a) = serve_with(&url, &[]);
    let (mut second, base_b) = serve_with(&url, &[]);
    let client = crate::helpers::client();
    futures_util::stream::iter(0..SAVES)
        .for_each_concurrent(16, |n| {
            let base = if n % 2 == 0 { &base_a } else { &base_b };
            put_notifying(&client, base, n, "pair")
        })
        .await;

    let counts = eventually(Duration::from_secs(120), async || {
        let counts = receiver.counts();
        (counts.len() >= SAVES).then_some(counts)
    })
    .await
    .expect("every notification arrives");
    let settled = eventually(Duration::from_secs(30), async || {
        let rows = store.outbox(Some(DeliveryStatus::Pending), 1).await.ok()?;
        rows.is_empty().then_some(())
    })
    .await;
    assert!(settled.is_some(), "nothing is left pending");
    let counts = receiver.counts().into_iter().chain(counts).collect::<HashMap<_, _>>();
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(doubled.is_empty(), "delivered more than once: {doubled:?}");
    let bodies: HashSet<String> = bodies_by_delivery(&receiver).into_values().collect();
    assert_eq!(bodies.len(), SAVES, "each save notified once");

    let mut per_server = Vec::new();
    for base in [&base_a, &base_b] {
        let text = client.get(format!("{base}/metrics")).send().await.expect("metrics").text().await.expect("text");
        let line = "ticketd_notifications_total{channel=\"webhook\",outcome=\"delivered\"} ";
        let delivered: usize =
            text.lines().find_map(|l| l.strip_prefix(line)).and_then(|n| n.parse().ok()).unwrap_or(0);
        per_server.push(delivered);
    }
    assert_eq!(per_server.iter().sum::<usize>(), SAVES, "{per_server:?}");
    // Ragnhild follows ticket 1: her stream numbers came from concurrent saves on two servers
    // and still run 1, 2, 3… without a gap or a repeat.
    let stream = store.stream_after(2, 0, 10_000).await.expect("stream");
    assert!(!stream.is_empty());
    assert!(stream.iter().enumerate().all(|(i, item)| item.id == i as i64 + 1), "stream numbers are dense");
    assert!(per_server.iter().all(|n| *n > 0), "both servers delivered: {per_server:?}");
    for server in [&mut first, &mut second] {
        server.kill().expect("stop");
        let _ = server.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_deliveries_in_flight_and_leaves_the_rest_unclaimed() {
    const SAVES: usize = 40;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("term.db").display());
    let receiver = WebhookReceiver::start("whsec_term").await;
    receiver.delay(Duration::from_millis(400));
    let store = ticketd::store::connect(&url).await.expect("store");
    store.add_webhook(&receiver.url, "ticketmessage.*", "whsec_term").await.expect("webhook");
    let (mut server, base) = serve_with(&url, &[]);
    let client = crate::helpers::client();
    for n in 0..SAVES {
        put_notifying(&client, &base, n, "term").await;
    }
    eventually(Duration::from_secs(30), async || (!receiver.received().is_empty()).then_some(()))
        .await
        .expect("started");
    let pid = server.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let status = server.wait().expect("exits");
    assert!(status.success(), "a graceful stop exits 0: {status}");

    let rows = store.outbox(None, 1000).await.expect("outbox");
    let webhook_rows: Vec<_> = rows.iter().filter(|row| row.channel == Channel::Webhook).collect();
    let delivered = webhook_rows.iter().filter(|row| row.status == DeliveryStatus::Delivered).count();
    assert!(delivered > 0 && delivered < SAVES, "stopped mid-queue ({delivered} delivered)");
    for row in &webhook_rows {
        match row.status {
            DeliveryStatus::Delivered => assert_eq!(receiver.counts().get(&row.delivery_id), Some(&1)),
            // Never attempted, or handed back without counting an attempt.
            _ => assert_eq!((row.status, row.attempts), (DeliveryStatus::Pending, 0), "{row:?}"),
        }
    }
    let (mut restarted, _) = serve_with(&url, &[]);
    let settled = eventually(Duration::from_secs(60), async || {
        let counts = receiver.counts();
        (counts.len() >= SAVES).then_some(counts)
    })
    .await
    .expect("the rest is delivered after the restart");
    assert!(settled.values().all(|n| *n == 1), "nothing was delivered twice: {settled:?}");
    restarted.kill().expect("stop");
    let _ = restarted.wait();
}
