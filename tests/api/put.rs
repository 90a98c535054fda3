//! `PUT /api/v1/TicketMessage/{id}` over a real socket, on both backends.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, on_both_backends};

const SEED_BODY: &str = include_str!("../fixtures/seed-put-request.json");

on_both_backends!(
    seed_sample_request_saves_and_get_returns_the_same,
    every_writable_field_round_trips_from_camel_case,
    path_id_wins_over_body_id,
    stale_and_repeated_child_ids_get_fresh_ones_and_own_ids_are_kept,
    null_ticket_and_creator_keep_the_stored_ones,
    notify_flag_is_recorded_with_the_save,
    tenant_prefix_case_and_trailing_slash_route_the_same,
    concurrent_puts_all_succeed,
    concurrent_puts_that_fail_change_nothing,
    concurrent_patch_bodies_on_put_all_land,
);

async fn seed_sample_request_saves_and_get_returns_the_same(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let request = app.send_json(Method::PUT, "/api/v1/TicketMessage/1", SEED_BODY).header("Accept-Language", "*");
    let (status, saved) = app.call(request).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["EjMessageId"], 1);
    assert_eq!(saved["Author"], "omnis");
    assert_eq!(saved["CreatedAt"], "2015-09-27T15:37:39.36531");
    assert_eq!(saved["MessageCategory"], "Bounce");
    assert_eq!(saved["Ticket"]["TicketId"], 1, "a null Ticket keeps the stored one");
    assert_eq!(saved["Person"], Value::Null);
    assert_eq!(saved["ExtraFields"], json!({"ExtraFields1": "rerum", "ExtraFields2": "consequatur"}));
    assert_eq!(saved["MessageHeaders"].as_array().map(Vec::len), Some(2));
    assert_eq!(saved["TableRight"], json!({"Mask": "FULL", "Reason": ""}));
    let (status, fetched) = app.get_message(1).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, saved);
}

async fn every_writable_field_round_trips_from_camel_case(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // Escapes as PHP's json_encode writes them: \u00e6 for æ, \/ for /, a surrogate pair for 🙂.
    let body = r#"{
        "ejMessageId": 2, "ticket": {"ticketId": 2}, "createdAt": "2024-02-29T23:59:59.1234567",
        "createdBy": {"associateId": 2}, "author": "K\u00e5re \u00d8stb\u00f8", "slevel": "internal",
        "type": "plain", "messageId": "<a\/b@example.com>", "timeSpent": "42",
        "body": "Bl\u00e5b\u00e6rsyltet\u00f8y \ud83d\ude42 \u201cquoted\u201d", "htmlBody": "<p>Z\u00fcrich<\/p>",
        "emailHeader": "From: x@y.z\r\nTo: \u00e5@\u00f8.no", "debugInfo": "trace \"1\"", "mailSorter": "Inbox \u2116 1",
        "messageCategory": "OutboxFailed", "person": {"personId": 3}, "searchTitle": "S\u00f8k",
        "messageHeaders": [{"name": "Cc", "value": "\u00e6@b.c", "stdItem": "NoAutoReply", "stdItemCol": "value"}],
        "important": true, "language": "nb", "sentiment": -100, "sentimentConfidence": 100, "badge": "Outgoing",
        "attachmentsInfo": [{"name": "r\u00e9sum\u00e9.pdf", "contentType": "application/pdf", "attSize": 1234,
            "inlineImage": true, "contentId": "cid-1", "authKey": "k"}],
        "extraFields": {"x_\u00f8": "v\u00e6rdi"}, "customFields": {"SuperOffice:1": "[I:8]"},
        "TableRight": {"Mask": "NONE"}, "FieldProperties": {"x": 1}, "SomethingNew": [1, 2]
    }"#;
    let (status, saved) = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/2", body)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, fetched) = app.get_message(2).await;
    assert_eq!(fetched, saved);
    let expected = json!({
        "EjMessageId": 2, "CreatedAt": "2024-02-29T23:59:59.1234567", "Author": "Kåre Østbø",
        "Slevel": "Internal", "Type": "Plain", "MessageId": "<a/b@example.com>", "TimeSpent": 42,
        "Body": "Blåbærsyltetøy 🙂 “quoted”", "HtmlBody": "<p>Zürich</p>",
        "EmailHeader": "From: x@y.z\r\nTo: å@ø.no", "DebugInfo": "trace \"1\"", "MailSorter": "Inbox № 1",
        "MessageCategory": "OutboxFailed", "SearchTitle": "Søk", "Important": true, "Language": "nb",
        "Sentiment": -100, "SentimentConfidence": 100, "Badge": "Outgoing",
        "ExtraFields": {"x_ø": "værdi"}, "CustomFields": {"SuperOffice:1": "[I:8]"}
    });
    for (key, value) in expected.as_object().into_iter().flatten() {
        assert_eq!(&fetched[key], value, "{key}");
    }
    assert_eq!(fetched["Ticket"]["TicketId"], 2);
    assert_eq!(fetched["CreatedBy"]["AssociateId"], 2);
    assert_eq!(fetched["CreatedBy"]["Name"], "ragnhild");
    assert_eq!(fetched["Person"]["PersonId"], 3);
    assert_eq!(fetched["Person"]["Firstname"], "Ólafur");
    let header = &fetched["MessageHeaders"][0];
    assert_eq!((header["Name"].as_str(), header["Value"].as_str()), (Some("Cc"), Some("æ@b.c")));
    assert_eq!((header["StdItem"].as_str(), header["StdItemCol"].as_str()), (Some("NoAutoReply"), Some("Value")));
    let attachment = &fetched["AttachmentsInfo"][0];
    assert_eq!(attachment["Name"], "résumé.pdf");
    assert_eq!(attachment["AttSize"], 1234);
    assert_eq!(attachment["InlineImage"], true);
    assert_eq!(attachment["IsSafeFileExtension"], true);
    assert_eq!(fetched["TableRight"]["Mask"], "FULL", "read-only input is ignored");
}

async fn path_id_wins_over_body_id(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = json!({"EjMessageId": 999, "Body": "path wins"}).to_string();
    let (status, saved) = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/3", body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(saved["EjMessageId"], 3);
    assert_eq!(saved["Body"], "path wins");
    assert_eq!(app.get_message(999).await.0, StatusCode::NOT_FOUND);
}

async fn stale_and_repeated_child_ids_get_fresh_ones_and_own_ids_are_kept(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (_, first) = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/1", SEED_BODY)).await;
    let ids = |v: &Value, list: &str, key: &str| -> Vec<i64> {
        v[list].as_array().into_iter().flatten().filter_map(|i| i[key].as_i64()).collect()
    };
    let header_ids = ids(&first, "MessageHeaders", "Id");
    assert_eq!(header_ids.len(), 2);
    assert_ne!(header_ids[0], header_ids[1], "repeated ids are split");
    assert!(!header_ids.contains(&535), "an id that is not this message's is replaced");
    // Sending the response back (as clients do) keeps every id.
    let (status, second) = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/1", first.to_string())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&second, "MessageHeaders", "Id"), header_ids);
    assert_eq!(ids(&second, "AttachmentsInfo", "AttachmentId"), ids(&first, "AttachmentsInfo", "AttachmentId"));
    // Another message's header id is not taken over.
    let foreign = json!({"MessageHeaders": [{"Id": header_ids[0], "Name": "X"}]}).to_string();
    let (_, other) = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/2", foreign)).await;
    assert_ne!(ids(&other, "MessageHeaders", "Id"), vec![header_ids[0]]);
    assert_eq!(ids(&app.get_message(1).await.1, "MessageHeaders", "Id"), header_ids);
}

async fn null_ticket_and_creator_keep_the_stored_ones(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (_, before) = app.get_message(4).await;
    let body = json!({"Ticket": null, "CreatedBy": null, "Person": null, "Body": "x"}).to_string();
    let (status, after) = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/4", body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after["Ticket"]["TicketId"], before["Ticket"]["TicketId"]);
    assert_eq!(after["CreatedBy"]["AssociateId"], before["CreatedBy"]["AssociateId"]);
    assert_eq!(after["Person"], Value::Null, "Person is optional: null clears it");
    assert_eq!(after["MessageHeaders"], json!([]), "omitted lists are reset (full replacement)");
}

async fn notify_flag_is_recorded_with_the_save(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let events_before = app.store.save_events(1).await.expect("events").len();
    for (query, expected) in [("?notify=True", true), ("?notify=0", false), ("", false)] {
        let path = format!("/api/v1/TicketMessage/1{query}");
        let (status, _) = app.call(app.send_json(Method::PUT, &path, r#"{"Body":"n"}"#)).await;
        assert_eq!(status, StatusCode::OK);
        let events = app.store.save_events(1).await.expect("events");
        let last = events.last().expect("an event per save");
        assert_eq!((last.event.as_str(), last.notify), ("ticketmessage.changed", expected), "{query}");
        assert_eq!(last.associate_id, 1);
    }
    assert_eq!(app.store.save_events(1).await.expect("events").len(), events_before + 3);
}

async fn tenant_prefix_case_and_trailing_slash_route_the_same(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (_, canonical) = app.get_message(1).await;
    for path in ["/Cust12345/api/v1/TicketMessage/1", "/api/v1/ticketmessage/1/", "/cust1/API/V1/TICKETMESSAGE/1/"] {
        let (status, body) = app.call(app.request(Method::GET, path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body, canonical, "{path}");
    }
}

async fn concurrent_puts_all_succeed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for n in 0..24 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let id = n % 3 + 1;
            let body = json!({"Body": format!("write {n}"), "MessageHeaders": [{"Name": "N", "Value": n.to_string()}]});
            app.call(app.send_json(Method::PUT, &format!("/api/v1/TicketMessage/{id}"), body.to_string())).await.0
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
    for id in 1..=3 {
        let (_, message) = app.get_message(id).await;
        let body = message["Body"].as_str().unwrap_or_default().to_owned();
        let header = message["MessageHeaders"][0]["Value"].as_str().unwrap_or_default().to_owned();
        assert_eq!(body, format!("write {header}"), "message and headers come from the same save");
    }
}

async fn concurrent_puts_that_fail_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for n in 0..32 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            // Every fourth save names a person who does not exist and must leave no trace.
            let person = if n % 4 == 3 { 999_999 } else { 0 };
            let body = json!({"Body": format!("write {n}"), "Person": {"PersonId": person},
                "MessageHeaders": [{"Name": "N", "Value": n.to_string()}]});
            let status = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/1", body.to_string())).await.0;
            (n, status)
        }));
    }
    for task in tasks {
        let (n, status) = task.await.expect("task");
        let expected = if n % 4 == 3 { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        assert_eq!(status, expected, "save {n}");
    }
    let (_, message) = app.get_message(1).await;
    let header = message["MessageHeaders"][0]["Value"].as_str().unwrap_or_default().to_owned();
    assert_eq!(message["Body"], format!("write {header}"), "message and headers come from one save");
    assert_ne!(header.parse::<i32>().map(|n| n % 4), Ok(3), "a refused save is not what is stored");
    let metrics = app.client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    if matches!(backend, Backend::Sqlite) {
        let saves = metrics.lines().find_map(|line| line.strip_prefix("ticketd_group_commit_saves_total "));
        let saves: u64 = saves.and_then(|n| n.parse().ok()).expect("the writer's counts are published");
        assert!(saves >= 32, "every save went through the writer: {saves}");
    }
}

async fn concurrent_patch_bodies_on_put_all_land(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    crate::header_editors::every_appended_header_lands(app, Method::PUT, 24).await;
}
