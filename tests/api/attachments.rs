//! Attachment bytes: upload, connect to a message, read back, parts of attached e-mail, and
//! every refusal on the way; types that could run as a page on the API's origin are stored and
//! served as downloads; `embedImages` answers are bounded however often an image is referenced.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const EML: &str = concat!(
    "From: kunde@example.com\r\nTo: support@example.com\r\nSubject: Faktura\r\nMIME-Version: 1.0\r\n",
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n",
    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe vedlegg\r\n",
    "--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"f.pdf\"\r\n",
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
);

async fn upload(app: &TestApp, name: &str, content_type: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let request = app
        .request(Method::POST, &format!("/api/v1/Attachment?name={name}"))
        .header("Content-Type", content_type)
        .header("Accept", "application/json")
        .body(bytes);
    app.call(request).await
}

async fn connect(app: &TestApp, message: i32, content_type: &str, body: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/TicketMessage/{message}/Attachment");
    app.call(app.request(Method::POST, &path).header("Content-Type", content_type).body(body.to_owned())).await
}

async fn uploads_connect_to_a_message_and_read_back(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (status, image) = upload(&app, "skjerm%20bilde.png", "image/png", PNG.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{image}");
    assert_eq!((image["Name"].as_str(), image["ContentType"].as_str()), (Some("skjerm bilde.png"), Some("image/png")));
    assert_eq!(image["AttSize"], PNG.len());
    assert_eq!(image["IsSafeFileExtension"], true);
    let (_, mail) = upload(&app, "brev.eml", "message/rfc822", EML.as_bytes().to_vec()).await;
    let (image_id, mail_id) = (image["AttachmentId"].as_i64().unwrap_or(0), mail["AttachmentId"].as_i64().unwrap_or(0));

    assert_eq!(connect(&app, 2, "application/json", &format!("[{image_id}]")).await.0, StatusCode::NO_CONTENT);
    let xml = format!(
        "<ArrayOfInt xmlns=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\"><int>{mail_id}</int></ArrayOfInt>"
    );
    assert_eq!(connect(&app, 2, "application/xml", &xml).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        connect(&app, 2, "application/json", &format!("[{image_id}]")).await.0,
        StatusCode::NO_CONTENT,
        "again is harmless"
    );
    let (_, listed) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/2/Attachment")).await;
    let names: Vec<&str> = listed.as_array().into_iter().flatten().filter_map(|a| a["Name"].as_str()).collect();
    assert_eq!(names, ["skjerm bilde.png", "brev.eml"]);

    let content =
        app.request(Method::GET, &format!("/api/v1/Attachment/{image_id}/Content")).send().await.expect("answered");
    assert_eq!(content.headers()["content-type"], "image/png");
    assert_eq!(content.headers()["x-content-type-options"], "nosniff");
    assert!(
        content.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .contains("filename*=UTF-8''skjerm%20bilde.png")
    );
    assert_eq!(content.bytes().await.expect("bytes").as_ref(), PNG);

    let part = app
        .request(Method::GET, &format!("/api/v1/TicketMessage/RfcAttachment/{mail_id}/1"))
        .send()
        .await
        .expect("answered");
    assert_eq!(part.status(), StatusCode::OK);
    assert_eq!(part.headers()["content-type"], "application/pdf");
    assert_eq!(part.bytes().await.expect("bytes").as_ref(), b"%PDF-1.4\n");
    let missing_part =
        app.call(app.request(Method::GET, &format!("/api/v1/TicketMessage/RfcAttachment/{mail_id}/7"))).await;
    assert_error(missing_part, StatusCode::NOT_FOUND, "SoNotFoundException", "no part 7");
    let not_mail =
        app.call(app.request(Method::GET, &format!("/api/v1/TicketMessage/RfcAttachment/{image_id}/0"))).await;
    assert_error(not_mail, StatusCode::BAD_REQUEST, "ArgumentException", "not an RFC 822 message (it is image/png)");

    // A PUT that still lists the attachment keeps its bytes and their true type and size.
    let (_, message) = app.get_message(2).await;
    let mut body = message.clone();
    body["AttachmentsInfo"][0]["ContentType"] = json!("text/plain");
    body["AttachmentsInfo"][0]["AttSize"] = json!(1);
    let status =
        app.send_json(Method::PUT, "/api/v1/TicketMessage/2", body.to_string()).send().await.expect("put").status();
    assert_eq!(status, StatusCode::OK);
    let (_, after) = app.get_message(2).await;
    assert_eq!(after["AttachmentsInfo"][0]["ContentType"], "image/png");
    assert_eq!(after["AttachmentsInfo"][0]["AttSize"], PNG.len());
    let still =
        app.request(Method::GET, &format!("/api/v1/Attachment/{image_id}/Content")).send().await.expect("answered");
    assert_eq!(still.bytes().await.expect("bytes").as_ref(), PNG);

    // Deleting the message takes its attachments with it.
    let deleted = app.request(Method::DELETE, "/api/v1/TicketMessage/2").send().await.expect("delete").status();
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    let gone = app.call(app.request(Method::GET, &format!("/api/v1/Attachment/{image_id}"))).await;
    assert_error(gone, StatusCode::NOT_FOUND, "SoNotFoundException", &format!("Attachment id {image_id}"));
}

async fn bad_uploads_and_connections_are_refused_and_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.attachment_limit = 64).await else { return };
    let lying = upload(&app, "x.pdf", "application/pdf", PNG.to_vec()).await;
    assert_error(
        lying,
        StatusCode::BAD_REQUEST,
        "ArgumentException",
        "'Content-Type': the content is image/png, not application/pdf",
    );
    let fake_image = upload(&app, "x.png", "image/png", b"<script>alert(1)</script>".to_vec()).await;
    assert_error(fake_image, StatusCode::BAD_REQUEST, "ArgumentException", "Content-Type");
    let too_big = upload(&app, "big.txt", "text/plain", vec![b'a'; 65]).await;
    assert_error(too_big, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", "64 bytes");
    let nameless = app.call(app.request(Method::POST, "/api/v1/Attachment").body("hi")).await;
    assert_error(nameless, StatusCode::BAD_REQUEST, "ArgumentException", "'name'");
    let pathy = upload(&app, "..%2Fetc%2Fpasswd", "text/plain", b"x".to_vec()).await;
    assert_error(pathy, StatusCode::BAD_REQUEST, "ArgumentException", "'name'");
    let empty = upload(&app, "e.txt", "text/plain", Vec::new()).await;
    assert_error(empty, StatusCode::BAD_REQUEST, "ArgumentException", "empty");

    let (_, ok) = upload(&app, "ok.txt", "text/plain", b"hello".to_vec()).await;
    let id = ok["AttachmentId"].as_i64().unwrap_or(0);
    assert_eq!(connect(&app, 1, "application/json", &format!("[{id}]")).await.0, StatusCode::NO_CONTENT);
    let (_, before) = app.get_message(3).await;
    let taken = connect(&app, 3, "application/json", &format!("[{id}]")).await;
    assert_error(taken, StatusCode::BAD_REQUEST, "ArgumentException", &format!("attachmentIds {id} does not exist"));
    assert_error(
        connect(&app, 3, "application/json", "[999]").await,
        StatusCode::BAD_REQUEST,
        "ArgumentException",
        "attachmentIds 999",
    );
    assert_error(
        connect(&app, 3, "application/json", "[\"x\"]").await,
        StatusCode::BAD_REQUEST,
        "ArgumentException",
        "'attachmentIds'",
    );
    assert_error(
        connect(&app, 3, "application/json", "[]").await,
        StatusCode::BAD_REQUEST,
        "ArgumentException",
        "'attachmentIds'",
    );
    assert_error(
        connect(&app, 3, "application/json", "[1,").await,
        StatusCode::BAD_REQUEST,
        "JsonReaderException",
        "JSON",
    );
    assert_error(
        connect(&app, 99999, "application/json", &format!("[{id}]")).await,
        StatusCode::NOT_FOUND,
        "SoNotFoundException",
        "99999",
    );
    let (_, after) = app.get_message(3).await;
    assert_eq!(before["AttachmentsInfo"], after["AttachmentsInfo"], "a refused connection changes nothing");

    let reader = app
        .client
        .post(app.url("/api/v1/Attachment?name=r.txt"))
        .header("Authorization", "Basic Z2plc3Q6R2plc3Qx")
        .body("x")
        .send()
        .await
        .expect("answered");
    assert_eq!(reader.status(), StatusCode::FORBIDDEN, "read-only associates cannot upload");
    let unknown = app.call(app.request(Method::GET, "/api/v1/Attachment/abc/Content")).await;
    assert_error(unknown, StatusCode::NOT_FOUND, "SoNotFoundException", "abc");
}

async fn embed_images_rewrites_cid_references(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let request = app
        .request(Method::POST, "/api/v1/Attachment?name=logo.png&inline=true&contentId=logo@x")
        .header("Content-Type", "image/png")
        .header("Accept", "application/json")
        .body(PNG.to_vec());
    let (_, logo) = app.call(request).await;
    let id = logo["AttachmentId"].as_i64().unwrap_or(0);
    assert_eq!(logo["InlineImage"], true);
    assert_eq!(connect(&app, 5, "application/json", &format!("[{id}]")).await.0, StatusCode::NO_CONTENT);
    let patch = app
        .request(Method::PATCH, "/api/v1/TicketMessage/5?$select=HtmlBody")
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"HtmlBody": "<p>Hei <img src=\"cid:logo@x\"></p>"}"#);
    let (status, patched) = app.call(patch).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["Author"], Value::Null, "$select applies to PATCH answers too");
    assert!(patched["_Links"]["Self"].is_string());

    let (_, linked) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=Link")).await;
    let html = linked["HtmlBody"].as_str().unwrap_or_default();
    let link = format!("/api/v1/Attachment/{id}/Content\"");
    assert!(html.contains(&link) && html.starts_with("<p>Hei <img src=\"http://"), "{html}");
    let (_, inlined) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=inline")).await;
    let html = inlined["HtmlBody"].as_str().unwrap_or_default();
    assert!(html.contains("src=\"data:image/png;base64,iVBORw0KGgo"), "{html}");
    let (_, plain) = app.get_message(5).await;
    assert!(
        plain["HtmlBody"].as_str().unwrap_or_default().contains("cid:logo@x"),
        "without embedImages nothing changes"
    );
    let bad = app.call(app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=Attach")).await;
    assert_error(bad, StatusCode::BAD_REQUEST, "ArgumentException", "'embedImages'");
}

/// Uploads `bytes` as an inline image with content id `cid`; its id.
async fn upload_inline(app: &TestApp, cid: &str, content_type: &str, bytes: Vec<u8>) -> i64 {
    let request = app
        .request(Method::POST, &format!("/api/v1/Attachment?name={cid}&inline=true&contentId={cid}"))
        .header("Content-Type", content_type)
        .header("Accept", "application/json")
        .body(bytes);
    let (status, uploaded) = app.call(request).await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    uploaded["AttachmentId"].as_i64().unwrap_or(0)
}

async fn set_html_body(app: &TestApp, message: i32, html: &str) {
    let patch = app
        .request(Method::PATCH, &format!("/api/v1/TicketMessage/{message}"))
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({ "HtmlBody": html }).to_string());
    let (status, body) = app.call(patch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A PNG signature followed by `size` bytes of padding (the type check reads the signature).
fn large_png(size: usize) -> Vec<u8> {
    let mut bytes = PNG.to_vec();
    bytes.resize(PNG.len() + size, b'x');
    bytes
}

async fn embed_images_past_the_cap_is_a_413_naming_it(backend: Backend) {
    // 16 KiB bodies, so embedded answers are capped at 64 KiB.
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.body_limit = 16 * 1024).await else { return };
    let cap = "65536 bytes";
    let image = upload_inline(&app, "big", "image/png", large_png(40 * 1024)).await;
    let huge = upload_inline(&app, "huge", "image/png", large_png(4 * 1024 * 1024)).await;
    let small = upload_inline(&app, "small", "image/png", PNG.to_vec()).await;
    let ids = format!("[{image}, {huge}, {small}]");
    assert_eq!(connect(&app, 5, "application/json", &ids).await.0, StatusCode::NO_CONTENT);

    // Twenty references to a 40 KiB image would be a 1 MiB answer.
    set_html_body(&app, 5, &"<img src=\"cid:big\">".repeat(20)).await;
    let inline = app.call(app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=Inline")).await;
    assert_error(inline, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", cap);
    // Links are short, but not short enough for a body made of nothing else.
    set_html_body(&app, 5, &"cid:big ".repeat(1900)).await;
    let linked = app.call(app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=Link")).await;
    assert_error(linked, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", cap);
    // Thousands of references to 4 MiB would be tens of GiB: refused before any of it is built.
    set_html_body(&app, 5, &"cid:huge ".repeat(1700)).await;
    let giant = app.call(app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=Inline")).await;
    assert_error(giant, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", cap);

    // Under the cap, every reference is rewritten.
    set_html_body(&app, 5, "<p><img src=\"cid:small\"><img src=\"cid:small\"></p>").await;
    let (status, embedded) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=Inline")).await;
    assert_eq!(status, StatusCode::OK, "{embedded}");
    let html = embedded["HtmlBody"].as_str().unwrap_or_default();
    assert_eq!(html.matches("src=\"data:image/png;base64,iVBORw0KGgo").count(), 2, "{html}");
    assert!(!html.contains("cid:") && html.ends_with("\"></p>"), "{html}");
}

/// The response to a GET of an attachment's bytes, with the seed's credentials.
async fn download(app: &TestApp, id: i64) -> reqwest::Response {
    app.request(Method::GET, &format!("/api/v1/Attachment/{id}/Content")).send().await.expect("answered")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// Asserts a download the browser must save, not render: its type, `attachment`, `nosniff`, sandbox.
fn assert_download_only(response: &reqwest::Response, content_type: &str) {
    assert_eq!(header(response, "content-type"), content_type);
    assert!(header(response, "content-disposition").starts_with("attachment;"), "{response:?}");
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert!(header(response, "content-security-policy").contains("sandbox"), "{response:?}");
}

async fn types_that_could_run_as_a_page_are_stored_and_served_as_downloads(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    // Bytes no sniffer calls HTML, which a browser told `text/html` runs all the same.
    let page = b"<img src=x onerror=\"fetch('/api/v1/User/currentPrincipal')\">".to_vec();
    let (status, listed) = upload(&app, "x.png", "image/x,text/html", page.clone()).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["ContentType"], "application/octet-stream", "a list of types is no type");
    let smuggled = listed["AttachmentId"].as_i64().unwrap_or(0);
    let response = download(&app, smuggled).await;
    assert_download_only(&response, "application/octet-stream");
    assert_eq!(response.bytes().await.expect("bytes").as_ref(), page.as_slice());

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let vector = upload_inline(&app, "logo", "image/svg+xml", svg).await;
    assert_download_only(&download(&app, vector).await, "image/svg+xml");
    let picture = upload_inline(&app, "photo", "image/png", PNG.to_vec()).await;
    let shown = download(&app, picture).await;
    assert_eq!(header(&shown, "content-type"), "image/png");
    assert!(header(&shown, "content-disposition").starts_with("inline;"));
    assert_eq!(header(&shown, "x-content-type-options"), "nosniff");
    assert!(header(&shown, "content-security-policy").contains("sandbox"));

    // A row stored before types were checked is checked again on the way out.
    store_content_type(&app, smuggled, "image/x,text/html").await;
    assert_download_only(&download(&app, smuggled).await, "application/octet-stream");

    // Inline embedding puts only plain pictures into the page; the SVG stays a reference.
    assert_eq!(connect(&app, 5, "application/json", &format!("[{vector}, {picture}]")).await.0, StatusCode::NO_CONTENT);
    set_html_body(&app, 5, "<img src=\"cid:logo\"><img src=\"cid:photo\">").await;
    let (_, embedded) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/5?embedImages=Inline")).await;
    let html = embedded["HtmlBody"].as_str().unwrap_or_default();
    assert!(html.starts_with("<img src=\"cid:logo\"><img src=\"data:image/png;base64,"), "{html}");
}

/// Overwrites an attachment's stored type behind the server's back, as an old row would have it.
async fn store_content_type(app: &TestApp, id: i64, content_type: &str) {
    use sqlx::Connection as _;
    let sql = "UPDATE attachments SET content_type = $1 WHERE id = $2";
    let id = i32::try_from(id).expect("id");
    if app.database_url().starts_with("sqlite") {
        let mut conn = sqlx::SqliteConnection::connect(app.database_url()).await.expect("sqlite");
        sqlx::query(sql).bind(content_type).bind(id).execute(&mut conn).await.expect("updated");
    } else {
        let mut conn = sqlx::PgConnection::connect(app.database_url()).await.expect("postgres");
        sqlx::query(sql).bind(content_type).bind(id).execute(&mut conn).await.expect("updated");
    }
}

on_both_backends!(
    uploads_connect_to_a_message_and_read_back,
    bad_uploads_and_connections_are_refused_and_change_nothing,
    embed_images_rewrites_cid_references,
    embed_images_past_the_cap_is_a_413_naming_it,
    types_that_could_run_as_a_page_are_stored_and_served_as_downloads,
);
