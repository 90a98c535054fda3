//! The rest of the resource over a real socket: DELETE, default, PATCH and conditional requests.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    delete_answers_204_and_takes_the_child_rows_along,
    default_is_an_unsaved_message_created_by_the_caller,
    patch_applies_by_body_shape_and_answers_with_links,
    etags_make_reads_and_writes_conditional,
    custom_fields_and_foreign_keys_come_from_their_tables,
    get_honours_select_and_fk,
    attachment_lists_show_all_or_only_non_inline_items,
    two_writers_with_if_match_cannot_lose_an_update,
    concurrent_patches_of_one_message_all_land,
    every_id_of_an_xml_id_list_connects,
);

async fn delete_answers_204_and_takes_the_child_rows_along(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let response = app.request(Method::DELETE, "/api/v1/TicketMessage/2").send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.headers().get("content-type").is_none());
    assert!(response.bytes().await.expect("body").is_empty());
    assert_eq!(app.get_message(2).await.0, StatusCode::NOT_FOUND);
    assert!(app.store.save_events(2).await.expect("events").is_empty(), "child rows went with the message");
    let again = app.call(app.request(Method::DELETE, "/api/v1/TicketMessage/2")).await;
    assert_error(again, StatusCode::NOT_FOUND, "SoNotFoundException", "2");
    let reader = app.client.delete(app.url("/api/v1/TicketMessage/1")).basic_auth("gjest", Some("Gjest1"));
    assert_eq!(reader.send().await.expect("answered").status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_message(1).await.0, StatusCode::OK);
    // A new message never takes a deleted one's id.
    let (_, created) =
        app.call(app.send_json(Method::POST, "/api/v1/TicketMessage", r#"{"Ticket":{"TicketId":1}}"#)).await;
    assert_eq!(created["EjMessageId"], 11);
}

async fn default_is_an_unsaved_message_created_by_the_caller(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    for path in ["/api/v1/TicketMessage/default", "/api/v1/ticketmessage/DEFAULT/"] {
        let (status, entity) = app.call(app.request(Method::GET, path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(entity["EjMessageId"], 0);
        assert_eq!(entity["Ticket"], Value::Null);
        assert_eq!(entity["CreatedBy"]["Name"], "tje0");
        assert_eq!(entity["Author"], "Tje Ødegård");
        assert_eq!((entity["Slevel"].as_str(), entity["Type"].as_str()), (Some("Internal"), Some("Html")));
        assert_eq!(entity["MessageCategory"], "Message");
        assert_eq!((&entity["MessageHeaders"], &entity["CustomFields"]), (&json!([]), &json!({})));
    }
    assert_eq!(app.get_message(11).await.0, StatusCode::NOT_FOUND, "nothing was stored");
}

async fn patch_applies_by_body_shape_and_answers_with_links(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let patch = |path: &str, content_type: &str, body: Value| {
        app.request(Method::PATCH, path)
            .header("Content-Type", content_type)
            .header("Host", "tickets.example.com")
            .body(body.to_string())
    };
    // The vendor's own sample sends a JSON Patch array as application/json.
    let ops = json!([{"op": "replace", "path": "body", "value": "patched"}, {"op": "add", "path": "/CustomFields/x_p", "value": "1"}]);
    let (status, saved) = app.call(patch("/Cust42/api/v1/TicketMessage/3", "application/json", ops)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["Body"], "patched");
    assert_eq!(saved["CustomFields"]["x_p"], "1");
    assert_eq!(
        saved["_Links"],
        json!({"Self": "http://tickets.example.com/Cust42/api/v1/TicketMessage/3/", "Archive": "http://tickets.example.com/Cust42/api/v1/TicketMessage/"})
    );
    let events = app.store.save_events(3).await.expect("events");
    assert!(!events.last().expect("a save").notify, "PATCH never notifies");
    let merge = json!({"important": true, "CustomFields": {"x_p": null}});
    let (status, merged) = app.call(patch("/api/v1/TicketMessage/3", "application/merge-patch+json", merge)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((merged["Important"].as_bool(), &merged["CustomFields"]), (Some(true), &json!({})));
    assert_eq!(merged["Body"], "patched");
    let (_, fetched) = app.get_message(3).await;
    let mut without_links = merged.clone();
    without_links.as_object_mut().expect("object").remove("_Links");
    assert_eq!(fetched, without_links);
    let failed = app
        .call(patch(
            "/api/v1/TicketMessage/3",
            "application/json-patch+json",
            json!([{"op": "test", "path": "/Important", "value": false}]),
        ))
        .await;
    assert_error(failed, StatusCode::CONFLICT, "JsonPatchTestFailedException", "test");
    let missing = app.call(patch("/api/v1/TicketMessage/999", "application/json", json!([]))).await;
    assert_error(missing, StatusCode::NOT_FOUND, "SoNotFoundException", "999");
    let xml = app
        .request(Method::PATCH, "/api/v1/TicketMessage/3")
        .header("Content-Type", "application/xml")
        .body("<TicketMessageEntity/>");
    assert_eq!(app.call(xml).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let scalar = app.call(patch("/api/v1/TicketMessage/3", "application/json", json!("x"))).await;
    assert_error(scalar, StatusCode::BAD_REQUEST, "ArgumentException", "PATCH");
}

async fn etags_make_reads_and_writes_conditional(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let response = app.request(Method::GET, "/api/v1/TicketMessage/5").send().await.expect("answered");
    let etag = response.headers()["etag"].to_str().expect("text").to_owned();
    let modified = response.headers()["last-modified"].to_str().expect("text").to_owned();
    assert_eq!(etag, "\"5-1\"");
    let not_modified = app
        .request(Method::GET, "/api/v1/TicketMessage/5")
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("answered");
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    let since = app
        .request(Method::GET, "/api/v1/TicketMessage/5")
        .header("If-Modified-Since", &modified)
        .send()
        .await
        .expect("answered");
    assert_eq!(since.status(), StatusCode::NOT_MODIFIED);
    let put = |tag: &str| {
        app.send_json(Method::PUT, "/api/v1/TicketMessage/5", r#"{"Body":"conditional"}"#).header("If-Match", tag)
    };
    let response = put(&etag).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"5-2\"");
    let stale = app.call(put(&etag)).await;
    assert_error(stale, StatusCode::PRECONDITION_FAILED, "PreconditionFailedException", "If-Match");
    let (_, before) = app.get_message(5).await;
    let old = app
        .send_json(Method::PUT, "/api/v1/TicketMessage/5", r#"{"Body":"too late"}"#)
        .header("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT");
    assert_error(
        app.call(old).await,
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailedException",
        "If-Unmodified-Since",
    );
    let patch = app
        .request(Method::PATCH, "/api/v1/TicketMessage/5")
        .header("Content-Type", "application/json")
        .header("If-Match", "\"5-1\"")
        .body(r#"{"Body":"x"}"#);
    assert_eq!(app.call(patch).await.0, StatusCode::PRECONDITION_FAILED);
    let delete = app.request(Method::DELETE, "/api/v1/TicketMessage/5").header("If-Match", "\"5-1\"");
    assert_eq!(app.call(delete).await.0, StatusCode::PRECONDITION_FAILED);
    assert_eq!(app.get_message(5).await.1, before, "refused writes changed nothing");
    assert_eq!(put("*").send().await.expect("answered").status(), StatusCode::OK);
    assert_eq!(
        app.call(app.request(Method::GET, "/api/v1/TicketMessage/5").header("If-None-Match", "\"5-1\"")).await.0,
        StatusCode::OK
    );
}

async fn two_writers_with_if_match_cannot_lose_an_update(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let app = std::sync::Arc::new(app);
    let etag =
        app.request(Method::GET, "/api/v1/TicketMessage/6").send().await.expect("answered").headers()["etag"].clone();
    let writers: Vec<_> = ["first", "second"]
        .into_iter()
        .map(|who| {
            let (app, etag) = (app.clone(), etag.clone());
            tokio::spawn(async move {
                let body = format!(r#"{{"Body":"written by {who}"}}"#);
                let request = app.send_json(Method::PUT, "/api/v1/TicketMessage/6", body).header("If-Match", etag);
                app.call(request).await.0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for writer in writers {
        statuses.push(writer.await.expect("task"));
    }
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
    assert_eq!(app.store.message(6).await.expect("read").expect("exists").version, 2, "exactly one save landed");
}

async fn concurrent_patches_of_one_message_all_land(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    crate::header_editors::every_appended_header_lands(app, Method::PATCH, 40).await;
}

#[tokio::test]
async fn wrong_methods_get_405_with_allow() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let response = app.request(Method::POST, "/api/v1/TicketMessage/1").send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET,HEAD,PUT,PATCH,DELETE");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["Error"], true);
}

async fn custom_fields_and_foreign_keys_come_from_their_tables(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (status, fields) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/CustomField")).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = fields.as_array().expect("list").iter().filter_map(|f| f["FieldName"].as_str()).collect();
    assert_eq!(names, ["x_region", "SuperOffice:1"]);
    assert!(fields[0].get("IsDisplayField").is_none(), "the list form has no IsDisplayField");
    assert_eq!(fields[0]["FieldType"], "ShortText");
    assert_eq!(fields[1]["TemplateVariableName"], "{udef1}");
    let one = app.request(Method::GET, "/api/v1/TicketMessage/CustomField/x_region").header("Accept-Language", "de");
    let response = one.send().await.expect("answered");
    assert_eq!(response.headers()["content-language"], "de");
    let field: Value = response.json().await.expect("json");
    assert_eq!((field["DisplayName"].as_str(), field["IsDisplayField"].as_bool()), (Some("Gebiet"), Some(false)));
    assert_eq!(field["TemplateVariableName"], Value::Null);
    let unknown = app.call(app.request(Method::GET, "/api/v1/TicketMessage/CustomField/x_nope")).await;
    assert_error(unknown, StatusCode::NOT_FOUND, "SoNotFoundException", "x_nope");
    let (status, keys) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/1/ForeignKey")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys, json!({"erp.invoice.id": "INV-2024-0311"}));
    assert_eq!(app.call(app.request(Method::GET, "/api/v1/TicketMessage/2/ForeignKey")).await.1, json!({}));
    let missing = app.call(app.request(Method::GET, "/api/v1/TicketMessage/999/ForeignKey")).await;
    assert_error(missing, StatusCode::NOT_FOUND, "SoNotFoundException", "999");
    let xml = app.request(Method::GET, "/api/v1/TicketMessage/1/ForeignKey").header("Accept", "application/xml");
    let text = xml.send().await.expect("answered").text().await.expect("body");
    assert!(
        text.contains("<StringKeyValuePair><Key>erp.invoice.id</Key><Value>INV-2024-0311</Value></StringKeyValuePair>"),
        "{text}"
    );
    let list = app.request(Method::GET, "/api/v1/TicketMessage/CustomField").header("Accept", "text/xml");
    let text = list.send().await.expect("answered").text().await.expect("body");
    assert!(
        text.contains("<ArrayOfFieldInfoBase xmlns:i=")
            && text.contains("<FieldInfoBase><FieldType>ShortText</FieldType>"),
        "{text}"
    );
}

async fn get_honours_select_and_fk(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (status, slim) =
        app.call(app.request(Method::GET, "/api/v1/TicketMessage/1?$select=body,ticket/title&fk=true")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(slim["Body"].as_str().is_some_and(|b| b.starts_with("Hei!")));
    assert_eq!(
        (&slim["Author"], &slim["EjMessageId"], &slim["ExtraFields"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert!(slim["Ticket"]["Title"].is_string() && slim["Ticket"]["TicketId"].is_null());
    let (_, with_keys) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/1?fk=true")).await;
    assert_eq!(with_keys["ExtraFields"]["erp.invoice.id"], "INV-2024-0311");
    let (_, without) = app.get_message(1).await;
    assert!(without["ExtraFields"].get("erp.invoice.id").is_none());
    let bad = app.call(app.request(Method::GET, "/api/v1/TicketMessage/1?embedImages=Base64")).await;
    assert_error(bad, StatusCode::BAD_REQUEST, "ArgumentException", "embedImages");
}

async fn attachment_lists_show_all_or_only_non_inline_items(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let body = json!({"AttachmentsInfo": [
        {"Name": "logo.png", "ContentType": "image/png", "AttSize": 10, "InlineImage": true, "ContentId": "logo"},
        {"Name": "faktura.pdf", "ContentType": "application/pdf", "AttSize": 20}
    ]});
    assert_eq!(
        app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/2", body.to_string())).await.0,
        StatusCode::OK
    );
    let (status, all) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/2/Attachment")).await;
    assert_eq!(status, StatusCode::OK);
    let names = |v: &Value| {
        v.as_array().into_iter().flatten().filter_map(|a| a["Name"].as_str().map(str::to_owned)).collect::<Vec<_>>()
    };
    assert_eq!(names(&all), ["logo.png", "faktura.pdf"]);
    assert_eq!(all[1]["IsSafeFileExtension"], true);
    let (_, noninline) = app.call(app.request(Method::GET, "/api/v1/ticketmessage/2/attachment/noninline")).await;
    assert_eq!(names(&noninline), ["faktura.pdf"]);
    assert_eq!(app.call(app.request(Method::GET, "/api/v1/TicketMessage/3/Attachment")).await.1, json!([]));
    let missing = app.call(app.request(Method::GET, "/api/v1/TicketMessage/999/Attachment")).await;
    assert_error(missing, StatusCode::NOT_FOUND, "SoNotFoundException", "999");
}

async fn every_id_of_an_xml_id_list_connects(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let mut ids = Vec::new();
    for name in ["a.txt", "b.txt", "c.txt"] {
        let upload = app
            .request(Method::POST, &format!("/api/v1/Attachment?name={name}"))
            .header("Content-Type", "text/plain")
            .header("Accept", "application/json")
            .body(format!("bytes of {name}"));
        let (status, stored) = app.call(upload).await;
        assert_eq!(status, StatusCode::OK, "{stored}");
        ids.push(stored["AttachmentId"].as_i64().expect("an id"));
    }
    let items: String = ids.iter().map(|id| format!("<int>{id}</int>")).collect();
    let xml =
        format!("<ArrayOfInt xmlns=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">{items}</ArrayOfInt>");
    let connect =
        app.request(Method::POST, "/api/v1/TicketMessage/3/Attachment").header("Content-Type", "application/xml");
    assert_eq!(app.call(connect.body(xml)).await.0, StatusCode::NO_CONTENT);
    let (_, listed) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/3/Attachment")).await;
    let names: Vec<&str> = listed.as_array().into_iter().flatten().filter_map(|a| a["Name"].as_str()).collect();
    for name in ["a.txt", "b.txt", "c.txt"] {
        assert!(names.contains(&name), "{name} is connected: {names:?}");
    }
}
