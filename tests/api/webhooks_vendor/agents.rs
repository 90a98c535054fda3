//! The WebhookAgent face (`POST /api/v1/Agents/Webhook/{Method}`): the same webhooks, checks
//! and events as `/api/v1/Webhook`, in the Agents calling convention; and the Agents save's
//! webhook event.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::receiver::VendorReceiver;
use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};
use crate::sinks::eventually;

const WAIT: Duration = Duration::from_secs(20);

async fn agent(app: &TestApp, method: &str, body: Value) -> (StatusCode, Value) {
    app.call(app.send_json(Method::POST, &format!("/api/v1/Agents/Webhook/{method}"), body.to_string())).await
}

async fn webhooks_are_managed_through_the_webhook_agent(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let receiver = VendorReceiver::start("agent-secret").await;
    let (status, default) = agent(&app, "CreateDefaultWebhook", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{default}");
    assert_eq!((default["State"].clone(), default["Type"].clone()), (json!("Active"), json!("webhook")));
    assert!(default.get("_Links").is_none());

    let hook = json!({"WebhookId": 0, "Name": "Agent hook", "Events": ["contact.*", "ticketmessage.changed"],
        "TargetUrl": receiver.url, "Secret": "agent-secret", "Type": "webhook"});
    let (status, saved) = agent(&app, "SaveWebhook", hook).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(saved["Secret"].is_null());
    let id = saved["WebhookId"].as_i64().expect("id");
    assert_eq!(receiver.of_event("test").len(), 1, "the registration's test event");

    let (status, got) =
        app.call(app.request(Method::POST, &format!("/api/v1/Agents/Webhook/GetWebhook?webhookId={id}"))).await;
    assert_eq!((status, got["Name"].clone()), (StatusCode::OK, json!("Agent hook")));
    let (status, none) = app.call(app.request(Method::POST, "/api/v1/Agents/Webhook/GetWebhook?webhookId=999")).await;
    assert_eq!((status, none), (StatusCode::OK, Value::Null));
    let (_, all) = agent(&app, "GetAllWebhooks", json!({"nameFilter": "agent"})).await;
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");

    let (status, result) =
        agent(&app, "TestWebhook", json!({"Webhook": {"TargetUrl": receiver.url, "Secret": "agent-secret"}})).await;
    assert_eq!((status, result["Success"].clone()), (StatusCode::OK, json!(true)), "{result}");

    let (status, _) =
        agent(&app, "SignalEvent", json!({"EventName": "contact.created", "PrimaryKey": 5, "Data": {"name": "Acme"}}))
            .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let signalled =
        eventually(WAIT, async || receiver.of_event("contact.created").into_iter().next()).await.expect("signalled");
    assert!(signalled.signature_valid);
    assert_eq!((signalled.body["Entity"].clone(), signalled.body["PrimaryKey"].clone()), (json!("contact"), json!(5)));
    assert_eq!(signalled.body["FieldValues"]["name"], "Acme");

    // The Agents save is the same save: it raises the same event.
    let save = json!({"EjMessageId": 3, "Body": "via the agent"}).to_string();
    let (status, _) =
        app.call(app.send_json(Method::POST, "/api/v1/Agents/Ticket/SaveTicketMessageEntity", save)).await;
    assert_eq!(status, StatusCode::OK);
    let changed =
        eventually(WAIT, async || receiver.of_event("ticketmessage.changed").into_iter().next()).await.expect("event");
    assert_eq!(changed.body["PrimaryKey"], 3);
    // Uploads the options save connects are part of that save: its one event lists them.
    let upload = app
        .request(Method::POST, "/api/v1/Attachment?name=a.txt")
        .header("Content-Type", "text/plain")
        .header("Accept", "application/json")
        .body("bytes");
    let (_, uploaded) = app.call(upload).await;
    let save =
        json!({"Entity": {"EjMessageId": 3, "Body": "with an upload"}, "AttachmentIds": [uploaded["AttachmentId"]]});
    let path = "/api/v1/Agents/Ticket/SaveTicketMessageEntityWithOptions";
    let (status, _) = app.call(app.send_json(Method::POST, path, save.to_string())).await;
    assert_eq!(status, StatusCode::OK);
    let lists = |name: &'static str| {
        move |event: &super::receiver::VendorHook| {
            event.body["Changes"].as_array().is_some_and(|changes| changes.contains(&json!(name)))
        }
    };
    let connected =
        eventually(WAIT, async || receiver.of_event("ticketmessage.changed").into_iter().find(lists("attachments")))
            .await
            .expect("event");
    assert!(lists("body")(&connected), "one event for the save and the connect: {}", connected.body);

    let (status, last) = agent(&app, "GetLastError", json!({"WebhookId": id})).await;
    assert_eq!((status, last), (StatusCode::OK, json!("")));
    let stop = json!({"WebhookId": id, "State": "Stopped"});
    let (status, stopped) = agent(&app, "SaveWebhook", stop).await;
    assert_eq!((status, stopped["State"].clone()), (StatusCode::OK, json!("Stopped")), "{stopped}");
    let deleted = app
        .request(Method::POST, &format!("/api/v1/Agents/Webhook/DeleteWebhook?WebhookId={id}"))
        .send()
        .await
        .expect("answered");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (_, all) = agent(&app, "GetAllWebhooks", json!({})).await;
    assert_eq!(all, json!([]));
}

async fn the_webhook_agent_refuses_non_administrators_and_internal_targets(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.delivery.webhook_allow_private = false).await
    else {
        return;
    };
    let as_agent = app
        .client
        .post(app.url("/api/v1/Agents/Webhook/GetAllWebhooks"))
        .header("Authorization", super::AGENT_AUTH)
        .header("Content-Type", "application/json")
        .body("{}");
    assert_error(app.call(as_agent).await, StatusCode::FORBIDDEN, "SoAccessDeniedException", "administrator");
    let hook = json!({"Events": ["*"], "TargetUrl": "http://169.254.169.254/latest"});
    assert_error(agent(&app, "SaveWebhook", hook).await, StatusCode::BAD_REQUEST, "ArgumentException", "link-local");
    let (status, description) = app.call(app.request(Method::GET, "/api/v1/Agents/Webhook/SaveWebhook")).await;
    assert_eq!((status, description["Agent"].clone()), (StatusCode::OK, json!("Webhook")), "{description}");
}

on_both_backends!(
    webhooks_are_managed_through_the_webhook_agent,
    the_webhook_agent_refuses_non_administrators_and_internal_targets,
);
