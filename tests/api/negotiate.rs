//! Content negotiation over a real socket: XML and form bodies, patches on PUT, `Accept`, and
//! hostile documents.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    xml_put_round_trips_every_field_and_answers_in_xml,
    form_put_round_trips_every_field,
    json_patch_on_put_applies_vendor_rules,
    merge_patch_on_put_merges_without_case,
);

const XML_ENTITY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<TicketMessageEntity xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <Ticket><TicketId>2</TicketId></Ticket>
  <CreatedAt>2024-02-29T23:59:59.1234567</CreatedAt>
  <CreatedBy><AssociateId>2</AssociateId></CreatedBy>
  <Author>Kåre Østbø</Author><Slevel>Internal</Slevel><Type>Plain</Type>
  <MessageId>&lt;a/b@example.com&gt;</MessageId><TimeSpent>42</TimeSpent>
  <Body>Blåbærsyltetøy 🙂 “quoted” &amp; more</Body><HtmlBody><![CDATA[<p>Zürich</p>]]></HtmlBody>
  <EmailHeader>From: x@y.z&#13;
To: å@ø.no</EmailHeader><DebugInfo /><MailSorter>Inbox № 1</MailSorter>
  <MessageCategory>OutboxFailed</MessageCategory><Person><PersonId>3</PersonId></Person>
  <SearchTitle>Søk</SearchTitle>
  <MessageHeaders><TicketMessageHeader><Id>0</Id><Name>Cc</Name><Value>æ@b.c</Value>
    <StdItem>NoAutoReply</StdItem><StdItemCol>Value</StdItemCol></TicketMessageHeader></MessageHeaders>
  <Important>true</Important><Language>nb</Language><Sentiment>-100</Sentiment>
  <SentimentConfidence>100</SentimentConfidence><Badge>Outgoing</Badge>
  <AttachmentsInfo><AttachmentEntity><Name>résumé.pdf</Name><ContentType>application/pdf</ContentType>
    <AttSize>1234</AttSize><InlineImage>true</InlineImage><ContentId>cid-1</ContentId><AuthKey>k</AuthKey></AttachmentEntity></AttachmentsInfo>
  <ExtraFields><StringKeyValuePair><Key>x_ø</Key><Value>værdi</Value></StringKeyValuePair></ExtraFields>
  <CustomFields><StringKeyValuePair><Key>SuperOffice:1</Key><Value>[I:8]</Value></StringKeyValuePair></CustomFields>
</TicketMessageEntity>"#;

/// What every body form above must store.
fn expected_fields() -> Value {
    json!({
        "CreatedAt": "2024-02-29T23:59:59.1234567", "Author": "Kåre Østbø", "Slevel": "Internal",
        "Type": "Plain", "MessageId": "<a/b@example.com>", "TimeSpent": 42,
        "Body": "Blåbærsyltetøy 🙂 “quoted” & more", "HtmlBody": "<p>Zürich</p>",
        "EmailHeader": "From: x@y.z\r\nTo: å@ø.no", "DebugInfo": "", "MailSorter": "Inbox № 1",
        "MessageCategory": "OutboxFailed", "SearchTitle": "Søk", "Important": true, "Language": "nb",
        "Sentiment": -100, "SentimentConfidence": 100, "Badge": "Outgoing",
        "ExtraFields": {"x_ø": "værdi"}, "CustomFields": {"SuperOffice:1": "[I:8]"}
    })
}

fn assert_stored(message: &Value) {
    for (key, value) in expected_fields().as_object().into_iter().flatten() {
        assert_eq!(&message[key], value, "{key}");
    }
    assert_eq!(message["Ticket"]["TicketId"], 2);
    assert_eq!(message["CreatedBy"]["AssociateId"], 2);
    assert_eq!(message["Person"]["PersonId"], 3);
    assert_eq!(message["MessageHeaders"][0]["Value"], "æ@b.c");
    assert_eq!(message["MessageHeaders"][0]["StdItem"], "NoAutoReply");
    assert_eq!(message["AttachmentsInfo"][0]["Name"], "résumé.pdf");
    assert_eq!(message["AttachmentsInfo"][0]["InlineImage"], true);
}

async fn xml_put_round_trips_every_field_and_answers_in_xml(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let request = app
        .request(Method::PUT, "/api/v1/TicketMessage/2")
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("Accept", "application/xml")
        .body(XML_ENTITY);
    let response = request.send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/xml; charset=utf-8");
    let xml = response.text().await.expect("body");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><TicketMessageEntity xmlns:i="), "{xml}");
    assert!(xml.contains("<Body>Blåbærsyltetøy 🙂 “quoted” &amp; more</Body>"), "{xml}");
    assert_stored(&app.get_message(2).await.1);
    // Sending the XML response back changes nothing.
    let again = app.request(Method::PUT, "/api/v1/TicketMessage/2").header("Content-Type", "application/xml").body(xml);
    let (status, _) = app.call(again).await;
    assert_eq!(status, StatusCode::OK);
    assert_stored(&app.get_message(2).await.1);
}

async fn form_put_round_trips_every_field(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let form = [
        ("Ticket[TicketId]", "2"),
        ("CreatedAt", "2024-02-29T23:59:59.1234567"),
        ("createdBy.associateId", "2"),
        ("Author", "Kåre Østbø"),
        ("Slevel", "internal"),
        ("Type", "1"),
        ("MessageId", "<a/b@example.com>"),
        ("TimeSpent", "42"),
        ("Body", "Blåbærsyltetøy 🙂 “quoted” & more"),
        ("HtmlBody", "<p>Zürich</p>"),
        ("EmailHeader", "From: x@y.z\r\nTo: å@ø.no"),
        ("DebugInfo", ""),
        ("MailSorter", "Inbox № 1"),
        ("MessageCategory", "OutboxFailed"),
        ("Person[PersonId]", "3"),
        ("SearchTitle", "Søk"),
        ("MessageHeaders[0][Name]", "Cc"),
        ("MessageHeaders[0][Value]", "æ@b.c"),
        ("MessageHeaders[0][StdItem]", "NoAutoReply"),
        ("MessageHeaders[0].StdItemCol", "Value"),
        ("Important", "true"),
        ("Language", "nb"),
        ("Sentiment", "-100"),
        ("SentimentConfidence", "100"),
        ("Badge", "Outgoing"),
        ("AttachmentsInfo[0][Name]", "résumé.pdf"),
        ("AttachmentsInfo[0][ContentType]", "application/pdf"),
        ("AttachmentsInfo[0][AttSize]", "1234"),
        ("AttachmentsInfo[0][InlineImage]", "true"),
        ("AttachmentsInfo[0][ContentId]", "cid-1"),
        ("ExtraFields[x_ø]", "værdi"),
        ("CustomFields[SuperOffice:1]", "[I:8]"),
    ];
    let body: String = form.iter().map(|(k, v)| format!("{}={}&", encode(k), encode(v))).collect();
    let request = app
        .request(Method::PUT, "/api/v1/TicketMessage/2")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    let (status, saved) = app.call(request).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_stored(&saved);
    assert_eq!(app.get_message(2).await.1, saved);
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b' ' => "+".to_owned(),
            b if b.is_ascii_alphanumeric() || b"-_.[]".contains(&b) => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

async fn json_patch_on_put_applies_vendor_rules(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let patch = |body: Value| {
        app.request(Method::PUT, "/api/v1/TicketMessage/1?notify=true")
            .header("Content-Type", "application/json-patch+json")
            .body(body.to_string())
    };
    let ops = json!([
        {"op": "test", "path": "important", "value": false},
        {"op": "replace", "path": "/Body", "value": "Updated text"},
        {"op": "add", "path": "/CustomFields/x_foo", "value": "bar"},
        {"op": "add", "path": "/messageheaders/-", "value": {"Name": "Cc", "Value": "c@d.e"}}
    ]);
    let (status, saved) = app.call(patch(ops)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["Body"], "Updated text");
    assert_eq!(saved["CustomFields"]["x_foo"], "bar");
    assert_eq!(saved["MessageHeaders"][1]["Value"], "c@d.e");
    assert_eq!(saved["Author"], "Tje Ødegård", "untouched fields keep their values");
    let before = app.get_message(1).await.1;
    let failed = app.call(patch(json!([{"op": "replace", "path": "/Body", "value": "x"}, {"op": "test", "path": "/Important", "value": true}]))).await;
    assert_error(failed, StatusCode::CONFLICT, "JsonPatchTestFailedException", "test");
    let moved = app.call(patch(json!([{"op": "move", "from": "/Body", "path": "/Author"}]))).await;
    assert_error(moved, StatusCode::BAD_REQUEST, "ArgumentException", "move");
    let unknown = app.call(patch(json!([{"op": "replace", "path": "/NoSuchThing", "value": 1}]))).await;
    assert_error(unknown, StatusCode::BAD_REQUEST, "ArgumentException", "NoSuchThing");
    assert_eq!(app.get_message(1).await.1, before, "failed patches save nothing");
    let missing = app
        .request(Method::PUT, "/api/v1/TicketMessage/9999")
        .header("Content-Type", "application/json-patch+json")
        .body("[]");
    assert_error(app.call(missing).await, StatusCode::NOT_FOUND, "SoNotFoundException", "9999");
}

async fn merge_patch_on_put_merges_without_case(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = json!({"body": "merged", "customFields": {"x_a": "1"}, "Person": null, "ticket": {"ticketId": 3}});
    let request = app
        .request(Method::PUT, "/api/v1/TicketMessage/1")
        .header("Content-Type", "application/merge-patch+json")
        .body(body.to_string());
    let (status, saved) = app.call(request).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["Body"], "merged");
    assert_eq!(saved["CustomFields"], json!({"x_a": "1"}));
    assert_eq!(saved["Ticket"]["TicketId"], 3);
    assert_eq!(saved["Person"], Value::Null);
    assert_eq!(saved["Author"], "Tje Ødegård");
}

#[tokio::test]
async fn accept_chooses_the_format_and_never_406() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let cases = [
        (None, "application/json; charset=utf-8"),
        (Some("*/*"), "application/json; charset=utf-8"),
        (Some("application/json; charset=utf-8"), "application/json; charset=utf-8"),
        (Some("text/json"), "text/json; charset=utf-8"),
        (Some("application/xml"), "application/xml; charset=utf-8"),
        (Some("text/xml"), "text/xml; charset=utf-8"),
        (Some("application/xml;q=0.9, application/json"), "application/json; charset=utf-8"),
        (Some("text/xml, application/json"), "text/xml; charset=utf-8"),
        (Some("application/merge-patch+json"), "application/json; charset=utf-8"),
        (Some("aplication/json"), "application/json; charset=utf-8"),
        (Some("text/csv"), "application/json; charset=utf-8"),
    ];
    for (accept, content_type) in cases {
        for path in ["/api/v1/TicketMessage/1", "/api/v1/TicketMessage/999"] {
            let mut request = app.request(Method::GET, path);
            if let Some(accept) = accept {
                request = request.header("Accept", accept);
            }
            let response = request.send().await.expect("answered");
            assert_ne!(response.status(), StatusCode::NOT_ACCEPTABLE);
            assert_eq!(response.headers()["content-type"], content_type, "{accept:?} {path}");
            let body = response.text().await.expect("body");
            if content_type.contains("xml") {
                let root = if path.ends_with("/1") { "<TicketMessageEntity " } else { "<ErrorInfo " };
                assert!(body.contains(root), "{body}");
            } else {
                assert!(serde_json::from_str::<Value>(&body).is_ok(), "{body}");
            }
        }
    }
    // The Python SDK sends a JSON Content-Type on every GET; it must change nothing.
    let response = app
        .request(Method::GET, "/api/v1/TicketMessage/1")
        .header("Content-Type", "application/json")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    // The vendor's older guide: no Accept, an XML Content-Type on a GET asks for XML.
    let response = app
        .request(Method::GET, "/api/v1/TicketMessage/1")
        .header("Content-Type", "text/xml")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.headers()["content-type"], "text/xml; charset=utf-8");
}

#[tokio::test]
async fn hostile_xml_and_encodings_get_clear_4xx() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let before = app.get_message(1).await.1;
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><TicketMessageEntity><Body>&lol1;</Body></TicketMessageEntity>"#;
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><TicketMessageEntity><Body>&x;</Body></TicketMessageEntity>"#;
    let deep =
        format!("<TicketMessageEntity>{}x{}</TicketMessageEntity>", "<Ticket>".repeat(1000), "</Ticket>".repeat(1000));
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("application/xml", bomb.into(), StatusCode::BAD_REQUEST, "DTD"),
        ("application/xml", xxe.into(), StatusCode::BAD_REQUEST, "DTD"),
        ("application/xml", deep.into_bytes(), StatusCode::BAD_REQUEST, "deeper"),
        ("application/xml", b"<TicketMessageEntity><Body>cut off".to_vec(), StatusCode::BAD_REQUEST, "XML"),
        (
            "application/xml; charset=shift_jis",
            b"<TicketMessageEntity/>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "shift_jis",
        ),
        (
            "application/xml",
            b"<?xml version=\"1.0\" encoding=\"EBCDIC\"?><TicketMessageEntity/>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "EBCDIC",
        ),
        (
            "application/xml",
            b"<TicketMessageEntity><Body>\xff\xfe</Body></TicketMessageEntity>".to_vec(),
            StatusCode::BAD_REQUEST,
            "UTF-8",
        ),
        ("application/x-www-form-urlencoded", b"Body=%FF%FE".to_vec(), StatusCode::BAD_REQUEST, "UTF-8"),
        (
            "application/x-www-form-urlencoded; charset=koi8-r",
            b"Body=x".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "koi8-r",
        ),
        ("application/json", b"{\"Body\": \"\xff\"}".to_vec(), StatusCode::BAD_REQUEST, "JSON"),
    ];
    for (content_type, body, status, needle) in cases {
        let request = app
            .request(Method::PUT, "/api/v1/TicketMessage/1")
            .header("Content-Type", content_type)
            .header("Accept", "application/json")
            .body(body);
        let (got, answer) = app.call(request).await;
        assert_eq!(got, status, "{content_type}: {answer}");
        let message = answer["ErrorMessage"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{content_type}: '{message}' lacks '{needle}'");
    }
    assert_eq!(app.get_message(1).await.1, before);
    // Declared ISO-8859-1 is decoded, not mangled.
    for (content_type, body) in [
        ("application/xml", b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><TicketMessageEntity><Body>Bl\xe5b\xe6r</Body></TicketMessageEntity>".to_vec()),
        ("application/x-www-form-urlencoded; charset=ISO-8859-1", b"Body=Bl%E5b%E6r".to_vec()),
    ] {
        let request = app.request(Method::PUT, "/api/v1/TicketMessage/1").header("Content-Type", content_type).body(body);
        let (status, saved) = app.call(request).await;
        assert_eq!(status, StatusCode::OK, "{content_type}");
        assert_eq!(saved["Body"], "Blåbær", "{content_type}");
    }
}

#[tokio::test]
async fn errors_follow_the_negotiated_format() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let response = app
        .request(Method::PUT, "/api/v1/TicketMessage/1")
        .header("Accept", "text/xml")
        .header("Content-Type", "application/json")
        .body("{\"TimeSpent\": \"x\"}")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["content-type"], "text/xml; charset=utf-8");
    let body = response.text().await.expect("body");
    assert!(body.contains("<ErrorInfo xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><Error>true</Error><ErrorType>ArgumentException</ErrorType><ErrorMessage>"), "{body}");
    assert!(body.contains("TimeSpent"), "{body}");
}
