//! `notify=true` end to end: outbox rows written with the save, signed webhooks to a real
//! receiver, e-mail to a real SMTP server, the live stream over a socket, and retries that end
//! in a parked row an operator can list and revive.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use ticketd::domain::notification::{Channel, DeliveryStatus};
use ticketd::store::outbox::OutboxRow;

use crate::helpers::{Backend, TestApp, on_both_backends};
use crate::sinks::{SmtpSink, WebhookReceiver, eventually};

/// The demo's second associate; follows ticket 1 and reads Norwegian.
const RAGNHILD_AUTH: &str = "Basic cmFnbmhpbGQ6UmFnbmhpbGQx";
const WAIT: Duration = Duration::from_secs(20);

async fn save(app: &TestApp, method: Method, path: &str, body: serde_json::Value) -> StatusCode {
    app.send_json(method, path, body.to_string()).send().await.expect("answered").status()
}

async fn rows(app: &TestApp) -> Vec<OutboxRow> {
    app.store.outbox(None, 1000).await.expect("outbox")
}

/// A server with e-mail configured whose dispatcher does not run, so what a save queues stays in
/// the outbox to be read; jose follows ticket 1 besides ragnhild.
pub(crate) async fn queueing_app(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn_with(backend, |settings| {
        settings.delivery.smtp_url = Some("smtp://127.0.0.1:9".into());
        settings.delivery.no_dispatch = true;
    })
    .await?;
    app.store.set_following("jose", 1, true).await.expect("follow");
    Some(app)
}

async fn notify_true_queues_one_row_per_recipient_and_channel_with_the_save(backend: Backend) {
    let Some(app) = queueing_app(backend).await else { return };
    app.store.add_webhook("http://127.0.0.1:9/hook", "ticketmessage.changed", "whsec_x").await.expect("webhook");

    let status = save(&app, Method::PUT, "/api/v1/TicketMessage/1?notify=true", json!({"Body": "first"})).await;
    assert_eq!(status, StatusCode::OK);
    let queued = rows(&app).await;
    let mut seen: Vec<(Channel, Option<i32>, Option<i32>)> =
        queued.iter().map(|row| (row.channel, row.recipient_id, row.webhook_id)).collect();
    seen.sort_by_key(|(channel, recipient, hook)| (channel.code(), *recipient, *hook));
    // tje0 saves (and owns ticket 1): ragnhild (2) and jose (3) follow; one webhook.
    let expected = vec![
        (Channel::Email, Some(2), None),
        (Channel::Email, Some(3), None),
        (Channel::Webhook, None, Some(1)),
        (Channel::Stream, Some(2), None),
        (Channel::Stream, Some(3), None),
    ];
    assert_eq!(seen, expected);
    assert!(queued.iter().all(|row| row.event == "ticketmessage.changed"));
    for row in &queued {
        // The live stream serves its rows from the outbox the moment the save commits.
        let expected = if row.channel == Channel::Stream { DeliveryStatus::Delivered } else { DeliveryStatus::Pending };
        assert_eq!(row.status, expected, "{row:?}");
    }
    let mut ids: Vec<&str> = queued.iter().map(|row| row.delivery_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), queued.len(), "every row has its own delivery id");

    for path in ["/api/v1/TicketMessage/1", "/api/v1/TicketMessage/1?notify=false"] {
        assert_eq!(save(&app, Method::PUT, path, json!({"Body": "quiet"})).await, StatusCode::OK);
    }
    let refused =
        save(&app, Method::PUT, "/api/v1/TicketMessage/1?notify=true", json!({"Ticket": {"TicketId": 999}})).await;
    assert_eq!(refused, StatusCode::BAD_REQUEST);
    // Webhook events follow every save, notify or not: one webhook row per quiet save, nothing
    // for people; nothing at all for a failed save.
    let after = rows(&app).await;
    assert_eq!(after.len(), 7, "only webhook rows without notify, none for a failed save");
    assert!(after[..2].iter().all(|row| row.channel == Channel::Webhook), "{after:?}");

    // A new message on ticket 2 (owned by ragnhild, no followers, webhook only wants changes).
    let created = json!({"Ticket": {"TicketId": 2}, "Body": "new"});
    assert_eq!(save(&app, Method::POST, "/api/v1/TicketMessage?notify=true", created).await, StatusCode::OK);
    let added: Vec<(Channel, Option<i32>, String)> =
        rows(&app).await.into_iter().take(2).map(|row| (row.channel, row.recipient_id, row.event)).collect();
    assert_eq!(
        added,
        vec![
            (Channel::Email, Some(2), "ticketmessage.created".to_owned()),
            (Channel::Stream, Some(2), "ticketmessage.created".to_owned())
        ]
    );
}

async fn webhook_deliveries_are_signed_and_carry_the_event(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = WebhookReceiver::start("whsec_signing_key").await;
    let hook = app.store.add_webhook(&receiver.url, "ticketmessage.*", "whsec_signing_key").await.expect("webhook");
    let status = save(&app, Method::PUT, "/api/v1/TicketMessage/3?notify=true", json!({"Body": "Ny info"})).await;
    assert_eq!(status, StatusCode::OK);

    let got = eventually(WAIT, async || receiver.received().into_iter().next()).await.expect("a delivery arrives");
    assert!(got.signature_valid, "the signature verifies with the subscription's secret");
    assert_eq!(got.event, "ticketmessage.changed");
    assert_eq!(got.body["EventId"], got.delivery_id.as_str());
    assert_eq!(got.body["Event"], "ticketmessage.changed");
    assert_eq!(got.body["PrimaryKey"], 3);
    assert_eq!(got.body["WebhookId"], hook);
    assert_eq!(got.body["Data"]["Body"], "Ny info");
    assert_eq!(got.body["Data"]["ChangedByAssociateId"], 1);
    let delivered = eventually(WAIT, async || {
        let rows = rows(&app).await;
        rows.iter().all(|row| row.status == DeliveryStatus::Delivered).then_some(rows)
    })
    .await
    .expect("every row is settled as delivered");
    assert!(delivered.iter().any(|row| row.delivery_id == got.delivery_id && row.channel == Channel::Webhook));

    receiver.set_secret("another key");
    assert_eq!(
        save(&app, Method::PUT, "/api/v1/TicketMessage/3?notify=true", json!({"Body": "2"})).await,
        StatusCode::OK
    );
    let second = eventually(WAIT, async || receiver.received().into_iter().nth(1)).await.expect("second delivery");
    assert!(!second.signature_valid, "a receiver with the wrong secret rejects the signature");
}

async fn email_reaches_a_real_smtp_server_in_the_recipients_language(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = TestApp::spawn_with(backend, |settings| {
        settings.delivery.smtp_url = Some(sink.url());
        settings.delivery.smtp_from = "Support <support@example.com>".into();
    })
    .await
    else {
        return;
    };
    let status =
        save(&app, Method::PUT, "/api/v1/TicketMessage/1?notify=true", json!({"Body": "Svar på fakturaspørsmål"}))
            .await;
    assert_eq!(status, StatusCode::OK);
    let mail = eventually(WAIT, async || sink.mails().into_iter().next()).await.expect("mail arrives");
    assert_eq!(mail.to, vec!["ragnhild@example.com"]);
    let email_row = rows(&app).await.into_iter().find(|row| row.channel == Channel::Email).expect("email row");
    assert!(mail.data.contains(&format!("Message-ID: <{}@ticketd>", email_row.delivery_id)), "{}", mail.data);
    assert!(mail.data.contains("From: Support <support@example.com>"), "{}", mail.data);
    // Ragnhild reads Norwegian: "Melding endret" is "Message changed".
    assert!(mail.data.contains("Melding endret"), "{}", mail.data);
    assert!(mail.data.contains("text/html"), "{}", mail.data);
}

async fn live_stream_sends_notifications_and_resumes_after_last_event_id(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let open_stream = |last_event_id: Option<String>| {
        let mut request =
            app.client.get(app.url("/api/v1/notifications/stream")).header("Authorization", RAGNHILD_AUTH);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        request.send()
    };
    let mut stream = open_stream(None).await.expect("stream opens");
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/event-stream"));
    assert_eq!(
        save(&app, Method::PUT, "/api/v1/TicketMessage/1?notify=true", json!({"Body": "one"})).await,
        StatusCode::OK
    );
    let first = next_event(&mut stream).await;
    assert_eq!(first.event, "ticketmessage.changed");
    assert_eq!(first.data["Body"], "one");
    assert_eq!(first.data["TicketMessageId"], 1);
    drop(stream);

    // Saved while nobody listens; a client resuming from the first event gets it, and only it.
    assert_eq!(
        save(&app, Method::PUT, "/api/v1/TicketMessage/1?notify=true", json!({"Body": "two"})).await,
        StatusCode::OK
    );
    let mut resumed = open_stream(Some(first.id.clone())).await.expect("stream reopens");
    let second = next_event(&mut resumed).await;
    assert_eq!(second.data["Body"], "two");
    assert!(second.id.parse::<i64>().unwrap_or(0) > first.id.parse::<i64>().unwrap_or(i64::MAX));

    let bad = open_stream(Some("yesterday".into())).await.expect("answered");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let anonymous = app.client.get(app.url("/api/v1/notifications/stream")).send().await.expect("answered");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

struct StreamEvent {
    id: String,
    event: String,
    data: serde_json::Value,
}

/// Reads the stream until one whole event (not a keep-alive comment) has arrived.
async fn next_event(stream: &mut reqwest::Response) -> StreamEvent {
    let mut text = String::new();
    let read = async {
        loop {
            let chunk = stream.chunk().await.expect("stream reads").expect("stream stays open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(end) = text.find("\n\n") {
                let block: String = text.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|line| line.strip_prefix(name))
                        .map(|v| v.trim().to_owned())
                        .unwrap_or_default()
                };
                if !field("id:").is_empty() {
                    let data = serde_json::from_str(&field("data:")).expect("event data is JSON");
                    return StreamEvent { id: field("id:"), event: field("event:"), data };
                }
            }
        }
    };
    tokio::time::timeout(WAIT, read).await.expect("an event arrives")
}

async fn a_failing_receiver_is_retried_with_backoff_then_parked_and_revived(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| {
        settings.delivery.outbox_max_attempts = 3;
        settings.delivery.outbox_retry_base = Duration::from_millis(50);
    })
    .await
    else {
        return;
    };
    let receiver = WebhookReceiver::start("whsec_k").await;
    receiver.answer_with(503);
    app.store.add_webhook(&receiver.url, "ticketmessage.*", "whsec_k").await.expect("webhook");
    assert_eq!(
        save(&app, Method::PUT, "/api/v1/TicketMessage/2?notify=true", json!({"Body": "x"})).await,
        StatusCode::OK
    );

    let dead = eventually(WAIT, async || app.store.outbox(Some(DeliveryStatus::Dead), 10).await.ok()?.pop())
        .await
        .expect("the row is parked");
    assert_eq!(dead.attempts, 3);
    assert!(dead.last_error.contains("503"), "{}", dead.last_error);
    let counts = receiver.counts();
    assert_eq!(counts.get(&dead.delivery_id), Some(&3), "three attempts, one delivery id: {counts:?}");

    let listed =
        crate::cli::run_ok_beside_server(&["outbox", "list", "--status", "dead", "--database-url", app.database_url()])
            .await;
    assert!(listed.contains(&dead.delivery_id) && listed.contains("\tdead\t3\t"), "{listed}");
    receiver.answer_with(200);
    let revived = crate::cli::run_ok_beside_server(&[
        "outbox",
        "retry",
        &dead.id.to_string(),
        "--database-url",
        app.database_url(),
    ])
    .await;
    assert_eq!(revived.trim(), "1");
    let delivered = eventually(WAIT, async || {
        let rows = app.store.outbox(Some(DeliveryStatus::Delivered), 10).await.ok()?;
        rows.into_iter().find(|row| row.id == dead.id)
    })
    .await
    .expect("the revived row is delivered");
    assert_eq!(delivered.delivery_id, dead.delivery_id, "the delivery id survives the retry");
    assert_eq!(receiver.counts().get(&dead.delivery_id), Some(&4));

    let metrics = app.client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("ticketd_notifications_total{channel=\"webhook\",outcome=\"retried\"} 2"), "{metrics}");
    assert!(metrics.contains("ticketd_notifications_total{channel=\"webhook\",outcome=\"dead\"} 1"), "{metrics}");
    assert!(metrics.contains("ticketd_outbox_rows{channel=\"webhook\",status=\"delivered\"} 1"), "{metrics}");
}

async fn a_client_error_from_the_receiver_parks_at_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = WebhookReceiver::start("whsec_k").await;
    receiver.answer_with(410);
    app.store.add_webhook(&receiver.url, "ticketmessage.changed", "whsec_k").await.expect("webhook");
    assert_eq!(
        save(&app, Method::PUT, "/api/v1/TicketMessage/2?notify=true", json!({"Body": "x"})).await,
        StatusCode::OK
    );
    let dead = eventually(WAIT, async || app.store.outbox(Some(DeliveryStatus::Dead), 10).await.ok()?.pop())
        .await
        .expect("the row is parked");
    assert_eq!(dead.attempts, 1);
    assert!(dead.last_error.contains("410"), "{}", dead.last_error);
}

on_both_backends!(
    notify_true_queues_one_row_per_recipient_and_channel_with_the_save,
    webhook_deliveries_are_signed_and_carry_the_event,
    email_reaches_a_real_smtp_server_in_the_recipients_language,
    live_stream_sends_notifications_and_resumes_after_last_event_id,
    a_failing_receiver_is_retried_with_backoff_then_parked_and_revived,
    a_client_error_from_the_receiver_parks_at_once,
);

#[tokio::test]
async fn webhook_credentials_never_reach_the_log_or_last_error() {
    // A server process of its own, so its whole log can be read back.
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("redact.db").display());
    let mut child = crate::cli::ticketd()
        .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--database-url", &url, "--outbox-max-attempts", "1"])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ticketd starts");
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    for stream in [
        Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().expect("stderr")),
    ] {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stream)).map_while(Result::ok) {
                let mut log = log.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
        });
    }
    let _server = crate::cli::ServerProcess::new(child);
    let logged = || log.lock().expect("log").clone();
    let base = eventually(WAIT, async || {
        let text = logged();
        let at = text.find("listening on ")?;
        Some(text[at + "listening on ".len()..].lines().next()?.trim().to_owned())
    })
    .await
    .expect("the server starts");
    let store = ticketd::store::connect(&url).await.expect("store");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("address").port();
    drop(closed);
    let hook = format!("http://user:secret@127.0.0.1:{port}/hook?token=query-secret&event=x");
    store.add_webhook(&hook, "ticketmessage.*", "whsec_k").await.expect("webhook");
    let saved = crate::helpers::client()
        .put(format!("{base}/api/v1/TicketMessage/2?notify=true"))
        .header("Authorization", "Basic dGplMDpUamUw")
        .header("Content-Type", "application/json")
        .body(json!({"Body": "x"}).to_string())
        .send()
        .await
        .expect("answered");
    assert_eq!(saved.status(), StatusCode::OK);
    let dead = eventually(WAIT, async || store.outbox(Some(DeliveryStatus::Dead), 10).await.ok()?.pop())
        .await
        .expect("the row is parked");
    assert!(dead.last_error.contains(&format!("127.0.0.1:{port}")), "{}", dead.last_error);
    assert!(!dead.last_error.contains("secret"), "{}", dead.last_error);
    // The failure is logged before it is recorded.
    let text = eventually(WAIT, async || Some(logged()).filter(|text| text.contains("delivery failed")))
        .await
        .expect("the failure is logged");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("secret"), "{text}");
}
