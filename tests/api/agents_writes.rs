//! The Agents API's writes over real sockets: saves create and update exactly as REST does (404
//! onto a missing id, 403 for a read-only caller, 412 with a stale `If-Match`), notify leaves the
//! same outbox rows as REST `?notify=true`, and the methods without a REST twin (headers,
//! attachments, notify the newest message) go through the same save, which also connects
//! uploads and stamps the ticket's replied-at time in its one transaction.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use ticketd::domain::notification::Channel;

use crate::agents::{AGENT, agent};
use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    saves_create_and_update_as_rest_does_with_its_statuses,
    notify_leaves_the_same_outbox_rows_as_rest_notify,
    headers_attachments_send_and_delete_go_through_the_same_operations,
    a_connect_that_fails_in_the_save_leaves_the_message_and_ticket_unchanged,
    update_replied_at_stamps_the_ticket_in_the_save,
);

const GJEST_AUTH: &str = "Basic Z2plc3Q6R2plc3Qx";

/// The channel, recipient, webhook and event of each outbox row after the first `from` (in
/// the order they were written), sorted.
async fn rows_since(app: &TestApp, from: usize) -> Vec<(i32, Option<i32>, Option<i32>, String)> {
    let mut rows = app.store.outbox(None, 1000).await.expect("outbox");
    rows.sort_by_key(|row| row.id);
    let mut seen: Vec<_> =
        rows.into_iter().skip(from).map(|r| (r.channel.code(), r.recipient_id, r.webhook_id, r.event)).collect();
    seen.sort();
    seen
}

async fn saves_create_and_update_as_rest_does_with_its_statuses(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (status, created) =
        agent(&app, "SaveTicketMessageEntity", json!({"Ticket": {"TicketId": 1}, "Body": "new"})).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["EjMessageId"].as_i64().expect("id") as i32;
    assert!(id > 0);
    assert_eq!(app.get_message(id).await, (StatusCode::OK, created.clone()), "answers the stored entity");

    let mut update = created.clone();
    update["Body"] = json!("changed");
    let (status, updated) = agent(&app, "SaveTicketMessageEntity", update.clone()).await;
    assert_eq!((status, updated["Body"].clone()), (StatusCode::OK, json!("changed")));
    let events = app.store.save_events(id).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["ticketmessage.created", "ticketmessage.changed"]
    );

    let (status, notified) = agent(
        &app,
        "SaveTicketMessageEntityWithOptions",
        json!({"Entity": update, "Notify": false, "UpdateRepliedAt": true}),
    )
    .await;
    assert_eq!((status, notified["EjMessageId"].clone()), (StatusCode::OK, json!(id)));

    let missing = agent(&app, "SaveTicketMessageEntity", json!({"EjMessageId": 99999, "Body": "x"})).await;
    assert_error(missing, StatusCode::NOT_FOUND, "SoNotFoundException", "99999");
    let no_ticket = agent(&app, "SaveTicketMessageEntity", json!({"Body": "orphan"})).await;
    assert_error(no_ticket, StatusCode::BAD_REQUEST, "ArgumentException", "Ticket.TicketId");
    let bad_field =
        agent(&app, "SaveTicketMessageEntityWithNotify", json!({"NewEntity": {"EjMessageId": id, "Slevel": "Top"}}))
            .await;
    assert_error(bad_field, StatusCode::BAD_REQUEST, "ArgumentException", "'Slevel'");

    let reader = app
        .client
        .post(app.url(&format!("{AGENT}SaveTicketMessageEntity")))
        .header("Authorization", GJEST_AUTH)
        .header("Content-Type", "application/json")
        .body(json!({"EjMessageId": id, "Body": "reader"}).to_string());
    assert_error(app.call(reader).await, StatusCode::FORBIDDEN, "SoAccessDeniedException", "gjest");
    let reader = app
        .client
        .post(app.url(&format!("{AGENT}GetTicketMessageEntity?ticketMessageEntityId={id}")))
        .header("Authorization", GJEST_AUTH);
    assert_eq!(app.call(reader).await.0, StatusCode::OK, "a reader may read");

    let stale = app
        .send_json(
            Method::POST,
            &format!("{AGENT}SaveTicketMessageEntity"),
            json!({"EjMessageId": id, "Body": "late"}).to_string(),
        )
        .header("If-Match", format!("\"{id}-1\""));
    assert_error(app.call(stale).await, StatusCode::PRECONDITION_FAILED, "PreconditionFailedException", "If-Match");
    assert_eq!(app.get_message(id).await.1["Body"], "changed", "nothing was saved");
}

async fn notify_leaves_the_same_outbox_rows_as_rest_notify(backend: Backend) {
    let Some(app) = crate::notify::queueing_app(backend).await else { return };
    let (_, stored) = app.get_message(1).await;

    let (status, _) =
        agent(&app, "SaveTicketMessageEntityWithNotify", json!({"NewEntity": stored, "Notify": true})).await;
    assert_eq!(status, StatusCode::OK);
    let by_agent = rows_since(&app, 0).await;
    assert!(by_agent.iter().any(|(channel, _, _, _)| *channel == Channel::Email.code()), "{by_agent:?}");

    let rest = app.send_json(Method::PUT, "/api/v1/TicketMessage/1?notify=true", stored.to_string());
    assert_eq!(rest.send().await.expect("answered").status(), StatusCode::OK);
    assert_eq!(rows_since(&app, by_agent.len()).await, by_agent, "the same rows as REST ?notify=true");

    let quiet = agent(&app, "SaveTicketMessageEntityWithNotify", json!({"NewEntity": stored, "Notify": false})).await;
    assert_eq!(quiet.0, StatusCode::OK);
    assert_eq!(app.store.outbox(None, 1000).await.expect("outbox").len(), 2 * by_agent.len(), "no rows without Notify");

    let (status, _) = agent(&app, "NotifyNewTicketMessage", json!({"TicketEntityId": 1})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        rows_since(&app, 2 * by_agent.len()).await,
        by_agent,
        "notifying the newest message notifies the same people"
    );
    let reader = app
        .client
        .post(app.url(&format!("{AGENT}NotifyNewTicketMessage")))
        .header("Authorization", GJEST_AUTH)
        .header("Content-Type", "application/json")
        .body(r#"{"TicketEntityId": 1}"#);
    assert_eq!(app.call(reader).await.0, StatusCode::FORBIDDEN);
    let nowhere = agent(&app, "NotifyNewTicketMessage", json!({"TicketEntityId": 99999})).await;
    assert_error(nowhere, StatusCode::NOT_FOUND, "SoNotFoundException", "99999");
}

async fn headers_attachments_send_and_delete_go_through_the_same_operations(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.delivery.no_dispatch = true).await else { return };
    let headers = json!([{"Name": "To", "Value": "a@example.com"}, {"Name": "X-Keep", "Value": "yes"}]);
    let (_, created) = agent(
        &app,
        "SaveTicketMessageEntity",
        json!({"Ticket": {"TicketId": 1}, "Body": "b", "MessageHeaders": headers}),
    )
    .await;
    let id = created["EjMessageId"].as_i64().expect("id") as i32;
    let header_id = created["MessageHeaders"][0]["Id"].clone();
    let (status, _) = agent(&app, "DeleteMessageHeaders", json!({"HeaderIds": [header_id, 99999]})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, after) = app.get_message(id).await;
    assert_eq!(
        after["MessageHeaders"].as_array().map(|h| h.iter().map(|h| h["Name"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("X-Keep")])
    );

    let upload = |name: &str| {
        app.request(Method::POST, &format!("/api/v1/Attachment?name={name}"))
            .header("Content-Type", "text/plain")
            .header("Accept", "application/json")
            .body("bytes")
    };
    let (_, first) = app.call(upload("a.txt")).await;
    let (_, second) = app.call(upload("b.txt")).await;
    let (first, second) = (first["AttachmentId"].clone(), second["AttachmentId"].clone());
    let save = json!({"Entity": after, "AttachmentIds": [first, second]});
    let (status, saved) = agent(&app, "SaveTicketMessageEntityWithOptions", save).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let names = |entity: &Value| {
        entity["AttachmentsInfo"].as_array().map(|a| a.iter().map(|a| a["Name"].clone()).collect::<Vec<_>>())
    };
    assert_eq!(names(&saved), Some(vec![json!("a.txt"), json!("b.txt")]));
    let (_, noninline) = agent(&app, "GetTicketMessageWithOptions", json!({"TicketMessageEntityId": id})).await;
    assert_eq!(names(&noninline), Some(vec![]), "only inline images unless asked");
    let (status, _) =
        agent(&app, "RemoveMessageAttachments", json!({"TicketMessageEntityId": id, "AttachmentIds": [first]})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(names(&app.get_message(id).await.1), Some(vec![json!("b.txt")]));

    let mail =
        json!({"TicketMessageEntityId": id, "To": ["kunde@example.com"], "Subject": "Svar", "ReplyTemplateId": 0});
    assert_eq!(agent(&app, "SendTicketMessage", mail).await.0, StatusCode::NO_CONTENT);
    let bad = agent(&app, "SendTicketMessage", json!({"TicketMessageEntityId": id, "To": ["quia"]})).await;
    assert_error(bad, StatusCode::BAD_REQUEST, "ArgumentException", "quia");
    let sms = json!({"TicketMessageEntityId": id, "Sms": ["+4711111111", "+4711111111"]});
    assert_eq!(agent(&app, "SendTicketMessageSms", sms).await.0, StatusCode::NO_CONTENT);
    let mut queued = app.store.outbox(None, 100).await.expect("outbox");
    queued.sort_by_key(|row| row.id);
    let channels: Vec<Channel> = queued.into_iter().map(|row| row.channel).collect();
    assert_eq!(channels, [Channel::Send, Channel::Sms], "one mail, then one text (the number once)");

    let (status, _) = agent(&app, "DeleteTicketMessageEntity", json!({"TicketMessageEntityId": id})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let again = agent(&app, "DeleteTicketMessageEntity", json!({"TicketMessageEntityId": id})).await;
    assert_error(again, StatusCode::NOT_FOUND, "SoNotFoundException", &id.to_string());
    let (status, gone) = agent(&app, &format!("GetTicketMessageEntity?ticketMessageEntityId={id}"), Value::Null).await;
    assert_eq!((status, gone), (StatusCode::OK, Value::Null));
}

/// Uploads `name` as the seeded admin; its attachment id.
async fn upload(app: &TestApp, name: &str) -> Value {
    let request = app
        .request(Method::POST, &format!("/api/v1/Attachment?name={name}"))
        .header("Content-Type", "text/plain")
        .header("Accept", "application/json")
        .body("bytes");
    let (status, uploaded) = app.call(request).await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    uploaded["AttachmentId"].clone()
}

/// An upload that passes the check before the save (it is this message's) but is gone by the
/// time the connect runs (the same save's attachment list drops it): the save and the connect
/// are one transaction, so the body, version, attachments and ticket stay as they were.
async fn a_connect_that_fails_in_the_save_leaves_the_message_and_ticket_unchanged(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let first = upload(&app, "a.txt").await;
    let create = json!({"Entity": {"Ticket": {"TicketId": 1}, "Body": "kept"}, "AttachmentIds": [first]});
    let (status, created) = agent(&app, "SaveTicketMessageEntityWithOptions", create).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["EjMessageId"].as_i64().expect("id") as i32;
    let before = app.store.message(id).await.expect("read").expect("message");
    assert_eq!(before.content.attachments.len(), 1);

    let mut entity = created.clone();
    entity["Body"] = json!("changed");
    entity["AttachmentsInfo"] = json!([]);
    let save = json!({"Entity": entity, "AttachmentIds": [first], "UpdateRepliedAt": true});
    let failed = agent(&app, "SaveTicketMessageEntityWithOptions", save).await;
    assert_eq!(failed.0, StatusCode::BAD_REQUEST, "{}", failed.1);

    let after = app.store.message(id).await.expect("read").expect("message");
    assert_eq!((after.version, after.content.body.as_str()), (before.version, "kept"), "nothing saved");
    assert_eq!(after.content.attachments, before.content.attachments, "the upload is still connected");
    let ticket = after.ticket.expect("ticket");
    assert_eq!(ticket.replied_at, ticketd::domain::NO_DATE, "the stamp went with the save");
    assert_error(failed, StatusCode::BAD_REQUEST, "ArgumentException", &format!("AttachmentIds {first}"));
}

/// `UpdateRepliedAt` stamps the ticket's replied-at time (UTC) in the save, which every answer
/// carrying the ticket shows; a save without it leaves the stamp alone.
async fn update_replied_at_stamps_the_ticket_in_the_save(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (_, unstamped) = app.get_message(1).await;
    let never = unstamped["Ticket"]["RepliedAt"].clone();
    let (_, plain) = agent(&app, "SaveTicketMessageEntityWithOptions", json!({"Entity": unstamped})).await;
    assert_eq!(plain["Ticket"]["RepliedAt"], never, "not asked, not stamped");

    let earliest = chrono::Utc::now().naive_utc();
    let save = json!({"Entity": plain, "UpdateRepliedAt": true});
    let (status, stamped) = agent(&app, "SaveTicketMessageEntityWithOptions", save).await;
    assert_eq!(status, StatusCode::OK, "{stamped}");
    assert_ne!(stamped["Ticket"]["RepliedAt"], never, "{stamped}");
    assert_eq!(app.get_message(1).await.1["Ticket"]["RepliedAt"], stamped["Ticket"]["RepliedAt"]);
    let ticket = app.store.message(1).await.expect("read").expect("message").ticket.expect("ticket");
    assert!(ticket.replied_at >= earliest - chrono::Duration::seconds(1), "{} is now, UTC", ticket.replied_at);

    let (_, again) = agent(&app, "SaveTicketMessageEntityWithOptions", json!({"Entity": stamped.clone()})).await;
    assert_eq!(again["Ticket"]["RepliedAt"], stamped["Ticket"]["RepliedAt"], "kept by a save without the flag");
}
