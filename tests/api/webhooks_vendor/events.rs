//! Events from every save and delete, notify or not; what stopped and unsubscribed webhooks get;
//! a failing receiver's retries, stop, error mail and resume.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::receiver::{VendorHook, VendorReceiver};
use super::register;
use crate::helpers::{Backend, TestApp, on_both_backends};
use crate::sinks::{SmtpSink, eventually};

const WAIT: Duration = Duration::from_secs(20);

/// Registers a webhook for `events` at `receiver` signed with `partner-secret`; its id.
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
);
