//! Webhooks the vendor's way over real sockets: registration through `/api/v1/Webhook` (proven
//! by a `test` event, refused for failing and internal targets), deliveries a receiver written
//! from the vendor's examples verifies, events from every save, and the retry/stop/resume cycle.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};
use crate::sinks::{SmtpSink, eventually};

const WAIT: Duration = Duration::from_secs(20);
/// ragnhild: an agent, not an administrator.
const AGENT_AUTH: &str = "Basic cmFnbmhpbGQ6UmFnbmhpbGQx";

/// One POST as the vendor-style receiver saw it.
#[derive(Debug, Clone)]
pub struct VendorHook {
    pub headers: HashMap<String, String>,
    pub body: Value,
    /// The signature check of the vendor's receiver examples.
    pub signature_valid: bool,
}

impl VendorHook {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(&name.to_ascii_lowercase()).map_or("", String::as_str)
    }

    pub fn event(&self) -> &str {
        self.header("X-SuperOffice-Event")
    }
}

#[derive(Default)]
struct Shared {
    secret: Mutex<String>,
    got: Mutex<Vec<VendorHook>>,
    status: AtomicU16,
    connections: AtomicUsize,
}

/// A receiver written from the vendor's documentation: it recomputes base64(HMAC-SHA256(secret,
/// raw body)) and compares the strings.
#[derive(Clone)]
pub struct VendorReceiver {
    pub url: String,
    shared: Arc<Shared>,
}

impl VendorReceiver {
    pub async fn start(secret: &str) -> Self {
        let shared = Arc::new(Shared::default());
        *shared.secret.lock().expect("secret") = secret.to_owned();
        shared.status.store(200, Ordering::Relaxed);
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let counted = shared.clone();
        let listener = CountingListener { inner: listener, shared: counted };
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, shared }
    }

    pub fn answer_with(&self, status: u16) {
        self.shared.status.store(status, Ordering::Relaxed);
    }

    pub fn got(&self) -> Vec<VendorHook> {
        self.shared.got.lock().expect("got").clone()
    }

    pub fn of_event(&self, event: &str) -> Vec<VendorHook> {
        self.got().into_iter().filter(|hook| hook.event() == event).collect()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Relaxed)
    }
}

/// Counts accepted connections, so a test can tell that none was attempted.
struct CountingListener {
    inner: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

impl axum::serve::Listener for CountingListener {
    type Io = tokio::net::TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let accepted = axum::serve::Listener::accept(&mut self.inner).await;
        self.shared.connections.fetch_add(1, Ordering::Relaxed);
        accepted
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    let secret = shared.secret.lock().expect("secret").clone();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(&body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let given = headers.get("x-superoffice-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let headers = headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    shared.got.lock().expect("got").push(VendorHook {
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        signature_valid: given == expected,
    });
    AxumStatus::from_u16(shared.status.load(Ordering::Relaxed)).unwrap_or(AxumStatus::OK)
}

async fn register(app: &TestApp, hook: Value) -> (StatusCode, Value) {
    app.call(app.send_json(Method::POST, "/api/v1/Webhook", hook.to_string())).await
}

async fn webhooks(app: &TestApp) -> Value {
    let (status, list) = app.call(app.request(Method::GET, "/api/v1/Webhook")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list
}

async fn registration_sends_the_signed_test_event_and_never_answers_the_secret(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = VendorReceiver::start("partner-secret").await;
    let hook = json!({
        "Name": "Partner X", "Events": ["ticketmessage.*"], "TargetUrl": receiver.url,
        "Secret": "partner-secret", "Headers": {"X-Partner-Key": "k1"}, "Properties": {"Tenant": "blue"},
        "ErrorEmails": ["ops@example.com"], "Description": "d"
    });
    let (status, saved) = register(&app, hook).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(saved["Secret"].is_null(), "the secret is never answered: {saved}");
    assert_eq!(saved["State"], "Active");
    assert_eq!(saved["Type"], "webhook");
    assert_eq!(saved["Headers"]["X-Partner-Key"], "k1");
    assert_eq!(saved["ErrorEmails"], json!(["ops@example.com"]));
    assert_eq!(saved["RegisteredAssociate"]["AssociateId"], 1);
    let id = saved["WebhookId"].as_i64().expect("an id");

    let tests = receiver.of_event("test");
    assert_eq!(tests.len(), 1, "the test event went first, synchronously");
    let test = &tests[0];
    assert!(test.signature_valid, "the vendor's check accepts the signature: {test:?}");
    assert_eq!(test.header("X-Hook-Test"), "true");
    assert_eq!(test.header("X-SuperOffice-Retry"), "0");
    assert_eq!(test.header("X-Partner-Key"), "k1");
    assert_eq!(test.header("X-SuperOffice-EventId"), test.body["EventId"].as_str().expect("EventId"));
    assert!(test.header("content-type").starts_with("application/json"));
    assert_eq!(test.body["Event"], "test");
    assert_eq!(test.body["Entity"], "test");
    assert_eq!(test.body["PrimaryKey"], 0);
    assert_eq!(test.body["Changes"], json!([]));
    assert_eq!(test.body["WebhookName"], "Partner X");
    assert_eq!(test.body["Tenant"], "blue");
    assert_eq!(test.body["ContextIdentifier"], "Default");
    let stamp = test.body["Timestamp"].as_str().expect("Timestamp");
    assert_eq!(stamp.len(), "2026-12-01T10:48:07.8912039Z".len(), "{stamp}");
    assert!(stamp.ends_with('Z'));

    let (status, read) = app.call(app.request(Method::GET, &format!("/api/v1/Webhook/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(read["Secret"].is_null());
    assert!(!read.to_string().contains("partner-secret"));
    assert!(!webhooks(&app).await.to_string().contains("partner-secret"));
}

async fn registration_is_refused_for_a_failing_target_and_stores_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = VendorReceiver::start("s").await;
    receiver.answer_with(500);
    let hook = json!({"Name": "n", "Events": ["*"], "TargetUrl": receiver.url, "Secret": "s"});
    let refused = register(&app, hook).await;
    assert_error(refused, StatusCode::BAD_REQUEST, "ArgumentException", &receiver.url);
    assert_eq!(receiver.of_event("test").len(), 1);
    assert_eq!(webhooks(&app).await, json!([]), "nothing stored");

    let unreachable = json!({"Events": ["*"], "TargetUrl": "http://127.0.0.1:9/hook"});
    let (status, body) = register(&app, unreachable).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["ErrorMessage"].as_str().unwrap_or_default().contains("127.0.0.1:9"), "{body}");

    let ftp = json!({"Events": ["*"], "TargetUrl": "ftp://example.com/hook"});
    assert_error(register(&app, ftp).await, StatusCode::BAD_REQUEST, "ArgumentException", "ftp");
    let script = json!({"Events": ["*"], "TargetUrl": receiver.url, "Type": "crmscript"});
    assert_error(register(&app, script).await, StatusCode::BAD_REQUEST, "ArgumentException", "crmscript");
    let reserved = json!({"Events": ["*"], "TargetUrl": receiver.url, "Headers": {"X-SuperOffice-Signature": "x"}});
    assert_error(register(&app, reserved).await, StatusCode::BAD_REQUEST, "ArgumentException", "Headers");
    assert_eq!(webhooks(&app).await, json!([]));
}

async fn internal_targets_are_refused_without_a_connection(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.delivery.webhook_allow_private = false).await
    else {
        return;
    };
    let receiver = VendorReceiver::start("s").await;
    let port = receiver.url.split(':').nth(2).and_then(|rest| rest.split('/').next()).expect("port").to_owned();
    let targets = [
        receiver.url.clone(),
        format!("http://localhost:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        "http://10.0.0.1/hook".into(),
        "http://172.16.5.4/hook".into(),
        "http://192.168.1.1/hook".into(),
        "http://169.254.169.254/latest/meta-data".into(),
        "http://100.64.0.1/hook".into(),
        "http://0.0.0.0/hook".into(),
        "http://224.0.0.1/hook".into(),
        "http://[fd00::1]/hook".into(),
        "http://[fe80::1]/hook".into(),
        "http://[ff02::1]/hook".into(),
        "http://[::ffff:10.0.0.1]/hook".into(),
        "http://[::ffff:127.0.0.1]/hook".into(),
    ];
    for target in targets {
        let hook = json!({"Events": ["*"], "TargetUrl": target});
        let (status, body) = register(&app, hook.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target}: {body}");
        assert!(body["ErrorMessage"].as_str().unwrap_or_default().contains("address"), "{target}: {body}");
        let (status, body) = app.call(app.send_json(Method::POST, "/api/v1/Webhook/Test", hook.to_string())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "test call to {target}: {body}");
    }
    assert_eq!(receiver.connections(), 0, "no connection was attempted");
    assert_eq!(webhooks(&app).await, json!([]));
}

async fn only_administrators_manage_webhooks(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = VendorReceiver::start("s").await;
    let as_agent = |method: Method, path: &str| {
        app.client
            .request(method, app.url(path))
            .header("Authorization", AGENT_AUTH)
            .header("Content-Type", "application/json")
            .body(json!({"Events": ["*"], "TargetUrl": receiver.url}).to_string())
    };
    for (method, path) in [
        (Method::GET, "/api/v1/Webhook"),
        (Method::GET, "/api/v1/Webhook/default"),
        (Method::POST, "/api/v1/Webhook"),
        (Method::GET, "/api/v1/Webhook/1"),
        (Method::PUT, "/api/v1/Webhook/1"),
        (Method::DELETE, "/api/v1/Webhook/1"),
        (Method::POST, "/api/v1/Webhook/Test"),
        (Method::POST, "/api/v1/Webhook/contact.created/5"),
        (Method::GET, "/api/v1/Webhook/1/LastError"),
    ] {
        let answer = app.call(as_agent(method.clone(), path)).await;
        assert_error(answer, StatusCode::FORBIDDEN, "SoAccessDeniedException", "administrator");
    }
    assert!(receiver.got().is_empty(), "nothing was sent for a refused caller");
}

async fn webhooks_are_read_listed_filtered_replaced_and_deleted(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = VendorReceiver::start("s1").await;
    let (status, default) = app.call(app.request(Method::GET, "/api/v1/webhook/DEFAULT")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (default["WebhookId"].clone(), default["State"].clone(), default["Type"].clone()),
        (json!(0), json!("Active"), json!("webhook"))
    );
    let (_, first) = register(
        &app,
        json!({"Name": "Alpha", "Events": ["ticket.changed"], "TargetUrl": receiver.url, "Secret": "s1"}),
    )
    .await;
    let (_, second) = register(&app, json!({"Name": "Beta", "Events": ["ticketmessage.*"], "TargetUrl": receiver.url, "Secret": "s1", "State": "Stopped"})).await;
    let (alpha, beta) = (first["WebhookId"].as_i64().expect("id"), second["WebhookId"].as_i64().expect("id"));
    let names = |list: Value| -> Vec<String> {
        list.as_array().into_iter().flatten().map(|hook| hook["Name"].as_str().unwrap_or_default().to_owned()).collect()
    };
    let list = |query: &str| app.call(app.request(Method::GET, &format!("/api/v1/Webhook?{query}")));
    assert_eq!(names(list("").await.1), ["Alpha", "Beta"]);
    assert_eq!(names(list("nameFilter=alp").await.1), ["Alpha"]);
    assert_eq!(names(list("eventFilter=ticketmessage.created").await.1), ["Beta"]);
    assert_eq!(names(list("statusFilter=Stopped").await.1), ["Beta"]);
    assert_error(list("statusFilter=Sleeping").await, StatusCode::BAD_REQUEST, "ArgumentException", "statusFilter");

    // A replace keeping target and secret sends no test event; the secret stays as it was.
    let before = receiver.of_event("test").len();
    let put = json!({"Name": "Alpha 2", "Events": ["ticket.changed"], "TargetUrl": receiver.url, "Secret": null});
    let (status, replaced) =
        app.call(app.send_json(Method::PUT, &format!("/api/v1/Webhook/{alpha}"), put.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["Name"], "Alpha 2");
    assert_eq!(receiver.of_event("test").len(), before);
    // A new secret is proven with the test event, signed with the new secret.
    let put = json!({"Name": "Alpha 2", "Events": ["ticket.changed"], "TargetUrl": receiver.url, "Secret": "s2"});
    receiver.answer_with(401);
    let refused = app.call(app.send_json(Method::PUT, &format!("/api/v1/Webhook/{alpha}"), put.to_string())).await;
    assert_error(refused, StatusCode::BAD_REQUEST, "ArgumentException", "401");
    receiver.answer_with(200);

    let (status, last) = app.call(app.request(Method::GET, &format!("/api/v1/Webhook/{beta}/LastError"))).await;
    assert_eq!((status, last), (StatusCode::OK, json!("")));
    let deleted = app.request(Method::DELETE, &format!("/api/v1/Webhook/{beta}")).send().await.expect("answered");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.call(app.request(Method::GET, &format!("/api/v1/Webhook/{beta}"))).await,
        StatusCode::NOT_FOUND,
        "SoNotFoundException",
        "webhook",
    );
    assert_error(
        app.call(app.request(Method::GET, "/api/v1/Webhook/glops")).await,
        StatusCode::NOT_FOUND,
        "SoNotFoundException",
        "webhook",
    );
    assert_eq!(names(list("").await.1), ["Alpha 2"]);
}

async fn the_test_call_reports_what_the_target_answered(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = VendorReceiver::start("s").await;
    let body = json!({"TargetUrl": receiver.url, "Secret": "s"}).to_string();
    let (status, result) = app.call(app.send_json(Method::POST, "/api/v1/Webhook/Test", body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["Success"], true);
    assert!(result["Message"].as_str().unwrap_or_default().contains("200"), "{result}");
    receiver.answer_with(503);
    let (_, result) = app.call(app.send_json(Method::POST, "/api/v1/Webhook/Test", body)).await;
    assert_eq!(result["Success"], false);
    assert!(result["Message"].as_str().unwrap_or_default().contains("503"), "{result}");
    assert!(receiver.got().iter().all(|hook| hook.signature_valid && hook.event() == "test"));
    assert_eq!(webhooks(&app).await, json!([]), "a test saves nothing");
}

/// Registers a webhook for `events` at `receiver` signed with `secret`; its id.
async fn subscribe(app: &TestApp, receiver: &VendorReceiver, events: &[&str], extra: Value) -> i64 {
    let mut hook = json!({"Name": "Partner", "Events": events, "TargetUrl": receiver.url, "Secret": "partner-secret"});
    if let (Some(fields), Value::Object(more)) = (hook.as_object_mut(), extra) {
        fields.extend(more);
    }
    let (status, saved) = register(app, hook).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    saved["WebhookId"].as_i64().expect("an id")
}

/// Waits for the `n`th (0-based) delivery of `event`.
async fn delivery(receiver: &VendorReceiver, event: &str, n: usize) -> VendorHook {
    eventually(WAIT, async || receiver.of_event(event).into_iter().nth(n))
        .await
        .unwrap_or_else(|| panic!("delivery {n} of {event} arrived; got {:?}", receiver.got()))
}

async fn send(app: &TestApp, method: Method, path: &str, content_type: &str, body: &str) -> (StatusCode, Value) {
    let request = app
        .request(method, path)
        .header("Accept", "application/json")
        .header("Content-Type", content_type)
        .body(body.to_owned());
    app.call(request).await
}

async fn every_rest_save_and_delete_raises_events_with_or_without_notify(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = VendorReceiver::start("partner-secret").await;
    let extra = json!({"Headers": {"X-Partner-Key": "k1"}, "Properties": {"Tenant": "blue"}});
    let hook = subscribe(&app, &receiver, &["ticketmessage.*", "ticket.changed"], extra).await;
    let json_type = "application/json";

    // PUT without notify.
    let (status, before) = app.get_message(3).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        send(&app, Method::PUT, "/api/v1/TicketMessage/3", json_type, r#"{"Body": "Ny info", "Important": true}"#)
            .await;
    assert_eq!(status, StatusCode::OK);
    let changed = delivery(&receiver, "ticketmessage.changed", 0).await;
    assert!(changed.signature_valid, "{changed:?}");
    assert_eq!(changed.header("X-SuperOffice-EventId"), changed.body["EventId"].as_str().unwrap_or("-"));
    assert_eq!(changed.header("X-SuperOffice-Retry"), "0");
    assert_eq!(changed.header("X-Partner-Key"), "k1");
    let body = &changed.body;
    assert_eq!((body["Entity"].clone(), body["PrimaryKey"].clone()), (json!("ticketmessage"), json!(3)));
    assert_eq!(body["ChangedByAssociateId"], 1);
    assert_eq!(body["ContextIdentifier"], "Default");
    assert_eq!(body["WebhookName"], "Partner");
    assert_eq!(body["WebhookId"], hook);
    assert_eq!(body["Tenant"], "blue");
    let changes: Vec<&str> = body["Changes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    // A PUT replaces the message: whatever it leaves out goes back to its default and is listed.
    assert!(changes.contains(&"body"), "{changes:?}");
    assert_eq!(changes.contains(&"important"), before["Important"] != true, "{changes:?}");
    assert!(!changes.contains(&"ticket_id") && !changes.contains(&"created_by"), "{changes:?}");
    let ticket_id = before["Ticket"]["TicketId"].as_i64().expect("ticket id");
    assert_eq!(body["FieldValues"]["ticket_id"], ticket_id);
    assert_eq!(body["FieldValues"]["important"], true);
    assert!(body["FieldValues"].get("body").is_none(), "the content stays out of FieldValues: {body}");
    let ticket = delivery(&receiver, "ticket.changed", 0).await;
    assert_eq!((ticket.body["Entity"].clone(), ticket.body["PrimaryKey"].clone()), (json!("ticket"), json!(ticket_id)));
    assert_eq!(ticket.body["FieldValues"]["ticket_message_id"], 3);
    assert!(ticket.signature_valid);

    // PUT with notify, through a tenant segment.
    let (status, _) =
        send(&app, Method::PUT, "/Cust12345/api/v1/TicketMessage/3?notify=true", json_type, r#"{"Body": "again"}"#)
            .await;
    assert_eq!(status, StatusCode::OK);
    let again = delivery(&receiver, "ticketmessage.changed", 1).await;
    assert_eq!(again.body["ContextIdentifier"], "Cust12345");
    let changes: Vec<&str> = again.body["Changes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    assert!(changes.contains(&"body") && changes.contains(&"important"), "{changes:?}");

    // POST, PATCH and DELETE.
    let (status, created) =
        send(&app, Method::POST, "/api/v1/TicketMessage", json_type, r#"{"Ticket": {"TicketId": 2}, "Body": "new"}"#)
            .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["EjMessageId"].as_i64().expect("id");
    let made = delivery(&receiver, "ticketmessage.created", 0).await;
    assert_eq!((made.body["PrimaryKey"].clone(), made.body["Changes"].clone()), (json!(id), json!([])));
    assert_eq!(made.body["FieldValues"]["ticket_id"], 2);
    let path = format!("/api/v1/TicketMessage/{id}");
    let (status, upload) = send(&app, Method::POST, "/api/v1/Attachment?name=note.txt", "text/plain", "hei").await;
    assert_eq!(status, StatusCode::OK, "{upload}");
    let attachment = upload["AttachmentId"].as_i64().expect("attachment id");
    let (status, _) =
        send(&app, Method::POST, &format!("{path}/Attachment"), json_type, &format!("[{attachment}]")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let connected = delivery(&receiver, "ticketmessage.changed", 2).await;
    assert_eq!(
        (connected.body["PrimaryKey"].clone(), connected.body["Changes"].clone()),
        (json!(id), json!(["attachments"]))
    );
    let (status, _) =
        send(&app, Method::PATCH, &path, "application/merge-patch+json", r#"{"Author": "Someone Else"}"#).await;
    assert_eq!(status, StatusCode::OK);
    let patched = delivery(&receiver, "ticketmessage.changed", 3).await;
    assert_eq!((patched.body["PrimaryKey"].clone(), patched.body["Changes"].clone()), (json!(id), json!(["author"])));
    assert_eq!(patched.body["FieldValues"]["author"], "Someone Else");
    let deleted = app.request(Method::DELETE, &path).send().await.expect("answered");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = delivery(&receiver, "ticketmessage.deleted", 0).await;
    assert_eq!((gone.body["PrimaryKey"].clone(), gone.body["ChangedByAssociateId"].clone()), (json!(id), json!(1)));
    assert_eq!(gone.body["FieldValues"]["author"], "Someone Else");
    assert!(receiver.got().iter().all(|hook| hook.signature_valid));
    let mut ids: Vec<String> =
        receiver.got().iter().map(|hook| hook.header("X-SuperOffice-EventId").to_owned()).collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "every event has its own id");
}

async fn stopped_and_unsubscribed_webhooks_get_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.delivery.no_dispatch = true).await else {
        return;
    };
    let receiver = VendorReceiver::start("partner-secret").await;
    let tickets_only = subscribe(&app, &receiver, &["ticket.changed"], json!({})).await;
    let stopped = subscribe(&app, &receiver, &["*"], json!({"State": "Stopped"})).await;
    let everything = subscribe(&app, &receiver, &["*"], json!({})).await;
    let (status, _) = send(&app, Method::PUT, "/api/v1/TicketMessage/3", "application/json", r#"{"Body": "x"}"#).await;
    assert_eq!(status, StatusCode::OK);
    let rows = app.store.outbox(None, 100).await.expect("outbox");
    let queued = |hook: i64| -> Vec<String> {
        let mut events: Vec<String> = rows
            .iter()
            .filter(|row| row.webhook_id.map(i64::from) == Some(hook))
            .map(|row| row.event.clone())
            .collect();
        events.sort();
        events
    };
    assert_eq!(queued(tickets_only), ["ticket.changed"]);
    assert_eq!(queued(stopped), Vec::<String>::new(), "a stopped webhook gets nothing");
    assert_eq!(queued(everything), ["ticket.changed", "ticketmessage.changed"]);
}

async fn a_failing_receiver_is_retried_stopped_mailed_and_resumed(backend: Backend) {
    let smtp = SmtpSink::start();
    let Some(app) = TestApp::spawn_with(backend, |settings| {
        settings.delivery.smtp_url = Some(smtp.url());
        settings.delivery.outbox_retry_base = Duration::from_millis(20);
        settings.delivery.outbox_retry_max = Duration::from_millis(40);
        settings.delivery.outbox_max_attempts = 20;
        settings.delivery.webhook_error_limit = 3;
    })
    .await
    else {
        return;
    };
    let receiver = VendorReceiver::start("partner-secret").await;
    let extra = json!({"ErrorEmails": ["ops@example.com"]});
    let hook = subscribe(&app, &receiver, &["ticketmessage.changed"], extra).await;
    receiver.answer_with(500);
    let (status, _) = send(&app, Method::PUT, "/api/v1/TicketMessage/3", "application/json", r#"{"Body": "x"}"#).await;
    assert_eq!(status, StatusCode::OK);

    let third = delivery(&receiver, "ticketmessage.changed", 2).await;
    let tries = receiver.of_event("ticketmessage.changed");
    let event_id = tries[0].header("X-SuperOffice-EventId").to_owned();
    assert!(
        tries
            .iter()
            .all(|hook| hook.header("X-SuperOffice-EventId") == event_id && hook.body["EventId"] == event_id.as_str())
    );
    let retries: Vec<&str> = tries.iter().map(|hook| hook.header("X-SuperOffice-Retry")).collect();
    assert_eq!(&retries[..3], ["0", "1", "2"]);
    assert!(third.signature_valid);

    let path = format!("/api/v1/Webhook/{hook}");
    let stopped = eventually(WAIT, async || {
        let (_, read) = app.call(app.request(Method::GET, &path)).await;
        (read["State"] == "TooManyErrors").then_some(read)
    })
    .await
    .expect("the webhook stops after three failures");
    assert_eq!((stopped["ConsecutiveErrors"].clone(), stopped["TotalErrors"].clone()), (json!(3), json!(3)));
    assert_eq!(stopped["TotalCalls"], 3);
    assert!(stopped["LastError"].as_str().unwrap_or_default().contains("500"), "{stopped}");
    let (_, last) = app.call(app.request(Method::GET, &format!("{path}/LastError"))).await;
    assert!(last.as_str().unwrap_or_default().contains("500"), "{last}");
    let mail = eventually(WAIT, async || smtp.mails().into_iter().next()).await.expect("an error mail");
    assert_eq!(mail.to, ["ops@example.com"]);
    assert!(mail.data.contains("TooManyErrors"), "{}", mail.data);
    let rows = app.store.outbox(None, 100).await.expect("outbox");
    let mails = rows.iter().filter(|row| row.channel == ticketd::domain::notification::Channel::Send).count();
    assert_eq!(mails, 1, "one error mail");
    assert_eq!(receiver.of_event("ticketmessage.changed").len(), 3, "no delivery after the stop");

    // Back to Active: deliveries resume, the count starts over.
    receiver.answer_with(200);
    let resume = json!({"State": "Active"}).to_string();
    let (status, resumed) = app.call(app.send_json(Method::PUT, &path, resume)).await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    assert_eq!((resumed["State"].clone(), resumed["ConsecutiveErrors"].clone()), (json!("Active"), json!(0)));
    let (status, _) = send(&app, Method::PUT, "/api/v1/TicketMessage/3", "application/json", r#"{"Body": "y"}"#).await;
    assert_eq!(status, StatusCode::OK);
    let next = delivery(&receiver, "ticketmessage.changed", 3).await;
    assert_ne!(next.header("X-SuperOffice-EventId"), event_id);
    assert_eq!(next.header("X-SuperOffice-Retry"), "0");
}

on_both_backends!(
    every_rest_save_and_delete_raises_events_with_or_without_notify,
    stopped_and_unsubscribed_webhooks_get_nothing,
    a_failing_receiver_is_retried_stopped_mailed_and_resumed,
    registration_sends_the_signed_test_event_and_never_answers_the_secret,
    registration_is_refused_for_a_failing_target_and_stores_nothing,
    internal_targets_are_refused_without_a_connection,
    only_administrators_manage_webhooks,
    webhooks_are_read_listed_filtered_replaced_and_deleted,
    the_test_call_reports_what_the_target_answered,
);
