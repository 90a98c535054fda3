//! Uploads no message has claimed yet: only their uploader and admins may read or connect them
//! (for anyone else they do not exist), and those never claimed are swept away after
//! `--pending-upload-ttl` while connected and fresh ones stay.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(only_the_uploader_and_admins_reach_a_pending_upload, uploads_never_connected_are_swept_after_the_ttl,);

/// A request as a demo associate other than the administrator: `ragnhild` (an agent) or `gjest`
/// (read-only).
fn as_user(app: &TestApp, login: &str, method: Method, path: &str) -> RequestBuilder {
    let password = if login == "ragnhild" { "Ragnhild1" } else { "Gjest1" };
    app.client.request(method, app.url(path)).basic_auth(login, Some(password)).header("Accept", "application/json")
}

/// Uploads a small text file with `request` (which carries the uploader's credentials); its id.
async fn upload_as(app: &TestApp, request: RequestBuilder) -> i64 {
    let (status, uploaded) = app.call(request.header("Content-Type", "text/plain").body("notat")).await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    uploaded["AttachmentId"].as_i64().expect("uploaded")
}

async fn upload_as_admin(app: &TestApp) -> i64 {
    upload_as(app, app.request(Method::POST, "/api/v1/Attachment?name=n.txt").header("Accept", "application/json"))
        .await
}

fn connect(request: RequestBuilder, id: i64) -> RequestBuilder {
    request.header("Content-Type", "application/json").body(format!("[{id}]"))
}

async fn only_the_uploader_and_admins_reach_a_pending_upload(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admins = upload_as_admin(&app).await;
    let (_, before) = app.get_message(3).await;
    for login in ["ragnhild", "gjest"] {
        for path in [format!("/api/v1/Attachment/{admins}"), format!("/api/v1/Attachment/{admins}/Content")] {
            let answer = app.call(as_user(&app, login, Method::GET, &path)).await;
            assert_error(answer, StatusCode::NOT_FOUND, "SoNotFoundException", &format!("Attachment id {admins}"));
        }
    }
    let taken =
        app.call(connect(as_user(&app, "ragnhild", Method::POST, "/api/v1/TicketMessage/3/Attachment"), admins));
    assert_error(taken.await, StatusCode::BAD_REQUEST, "ArgumentException", &format!("attachmentIds {admins}"));
    let (_, after) = app.get_message(3).await;
    assert_eq!(before["AttachmentsInfo"], after["AttachmentsInfo"], "nothing was connected");

    // Her own upload is hers to read and connect; the administrator may read and connect it too.
    let own = upload_as(&app, as_user(&app, "ragnhild", Method::POST, "/api/v1/Attachment?name=r.txt")).await;
    let (status, info) = app.call(as_user(&app, "ragnhild", Method::GET, &format!("/api/v1/Attachment/{own}"))).await;
    assert_eq!((status, &info["AttachmentId"]), (StatusCode::OK, &Value::from(own)));
    let reader = app.call(as_user(&app, "gjest", Method::GET, &format!("/api/v1/Attachment/{own}/Content"))).await;
    assert_eq!(reader.0, StatusCode::NOT_FOUND, "{}", reader.1);
    let content =
        app.request(Method::GET, &format!("/api/v1/Attachment/{own}/Content")).send().await.expect("answered");
    assert_eq!(content.status(), StatusCode::OK);
    let admin_connects = connect(app.request(Method::POST, "/api/v1/TicketMessage/3/Attachment"), own);
    assert_eq!(app.call(admin_connects).await.0, StatusCode::NO_CONTENT);
    let again = upload_as(&app, as_user(&app, "ragnhild", Method::POST, "/api/v1/Attachment?name=s.txt")).await;
    let she_connects = connect(as_user(&app, "ragnhild", Method::POST, "/api/v1/TicketMessage/3/Attachment"), again);
    assert_eq!(app.call(she_connects).await.0, StatusCode::NO_CONTENT);
    // Once connected, the ticket decides: the read-only associate reaches ticket 3's messages.
    let connected = app.call(as_user(&app, "gjest", Method::GET, &format!("/api/v1/Attachment/{own}"))).await;
    assert_eq!(connected.0, StatusCode::OK, "{}", connected.1);
    // The administrator may connect anyone's pending upload.
    assert_eq!(
        app.call(connect(app.request(Method::POST, "/api/v1/TicketMessage/3/Attachment"), admins)).await.0,
        StatusCode::NO_CONTENT
    );
}

async fn status_of(app: &TestApp, id: i64) -> StatusCode {
    app.call(app.request(Method::GET, &format!("/api/v1/Attachment/{id}"))).await.0
}

async fn uploads_never_connected_are_swept_after_the_ttl(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.pending_upload_ttl = Duration::from_secs(3)).await
    else {
        return;
    };
    let connected = upload_as_admin(&app).await;
    let attach = connect(app.request(Method::POST, "/api/v1/TicketMessage/3/Attachment"), connected);
    assert_eq!(app.call(attach).await.0, StatusCode::NO_CONTENT);
    let old = upload_as_admin(&app).await;
    let cutoff = chrono::Utc::now().naive_utc();
    let fresh = upload_as_admin(&app).await;

    // One sweep statement with a cutoff between the two uploads takes the older only.
    assert_eq!(app.store.delete_pending_uploads(cutoff, 10).await.expect("swept"), 1);
    assert_eq!(status_of(&app, old).await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, fresh).await, StatusCode::OK);
    assert_eq!(status_of(&app, connected).await, StatusCode::OK);

    // The server's own sweep takes the fresh one once it is past the TTL, never the connected one.
    let mut waited = Duration::ZERO;
    while status_of(&app, fresh).await == StatusCode::OK {
        assert!(waited < Duration::from_secs(120), "the sweep never deleted upload {fresh}");
        tokio::time::sleep(Duration::from_millis(250)).await;
        waited += Duration::from_millis(250);
    }
    assert_eq!(status_of(&app, fresh).await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, connected).await, StatusCode::OK);
}
