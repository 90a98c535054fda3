//! Webhooks the vendor's way over real sockets: registration through `/api/v1/Webhook` (proven
//! by a `test` event, refused for failing and internal targets), deliveries a receiver written
//! from the vendor's examples verifies, events from every save, and the retry/stop/resume cycle.

mod agents;
mod client;
mod events;
mod receiver;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use self::receiver::VendorReceiver;
use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

/// ragnhild: an agent, not an administrator.
const AGENT_AUTH: &str = "Basic cmFnbmhpbGQ6UmFnbmhpbGQx";

pub async fn register(app: &TestApp, hook: Value) -> (StatusCode, Value) {
    app.call(app.send_json(Method::POST, "/api/v1/Webhook", hook.to_string())).await
}

pub async fn webhooks(app: &TestApp) -> Value {
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

on_both_backends!(
    registration_sends_the_signed_test_event_and_never_answers_the_secret,
    registration_is_refused_for_a_failing_target_and_stores_nothing,
    internal_targets_are_refused_without_a_connection,
    only_administrators_manage_webhooks,
    webhooks_are_read_listed_filtered_replaced_and_deleted,
    the_test_call_reports_what_the_target_answered,
);
