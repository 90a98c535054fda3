//! `/Send` to a real SMTP server and `/SendSms` to a real HTTP SMS gateway, through the outbox.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};
use crate::sinks::{SmtpSink, WebhookReceiver, eventually};

const WAIT: Duration = Duration::from_secs(20);

async fn post(app: &TestApp, path: &str) -> (StatusCode, serde_json::Value) {
    app.call(app.request(Method::POST, path)).await
}

async fn send_mails_the_message_with_its_attachments_to_every_recipient(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.delivery.smtp_url = Some(sink.url())).await else {
        return;
    };
    let pdf = app
        .request(Method::POST, "/api/v1/Attachment?name=faktura.pdf")
        .header("Content-Type", "application/pdf")
        .body(b"%PDF-1.4\n%%EOF\n".to_vec());
    let (_, uploaded) = app.call(pdf.header("Accept", "application/json")).await;
    let id = uploaded["AttachmentId"].as_i64().unwrap_or(0);
    let connect =
        app.request(Method::POST, "/api/v1/TicketMessage/1/Attachment").header("Content-Type", "application/json");
    assert_eq!(connect.body(format!("[{id}]")).send().await.expect("connect").status(), StatusCode::NO_CONTENT);

    let path = "/api/v1/TicketMessage/1/Send?to=kunde+tag@example.com,b@example.com&cc=c@example.com&bcc=d@example.com&subject=Svar%20p%C3%A5%20faktura";
    let (status, body) = post(&app, path).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let mail = eventually(WAIT, async || sink.mails().into_iter().next()).await.expect("the mail arrives");
    let mut to = mail.to.clone();
    to.sort();
    assert_eq!(to, ["b@example.com", "c@example.com", "d@example.com", "kunde+tag@example.com"]);
    assert!(mail.data.contains("Cc: c@example.com"), "{}", mail.data);
    assert!(!mail.data.contains("Bcc:"), "bcc stays off the headers: {}", mail.data);
    assert!(mail.data.contains("faktura.pdf") && mail.data.contains("application/pdf"), "{}", mail.data);
    assert!(mail.data.contains("Subject: =?utf-8?") || mail.data.contains("Subject: Svar"), "{}", mail.data);
}

async fn send_refuses_bad_recipients_and_queues_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let bad = post(&app, "/api/v1/TicketMessage/1/Send?to=quia,a").await;
    assert_error(bad, StatusCode::BAD_REQUEST, "ArgumentException", "'quia' in query parameter 'to'");
    let bad_cc = post(&app, "/api/v1/TicketMessage/1/Send?to=a@example.com&cc=@@").await;
    assert_error(bad_cc, StatusCode::BAD_REQUEST, "ArgumentException", "query parameter 'cc'");
    let nobody = post(&app, "/api/v1/TicketMessage/1/Send?to=&cc=&bcc=").await;
    assert_error(nobody, StatusCode::BAD_REQUEST, "ArgumentException", "'to' is required");
    let template = post(&app, "/api/v1/TicketMessage/1/Send?to=a@example.com&replyTemplateId=x").await;
    assert_error(template, StatusCode::BAD_REQUEST, "ArgumentException", "'replyTemplateId'");
    let missing = post(&app, "/api/v1/TicketMessage/99999/Send?to=a@example.com").await;
    assert_error(missing, StatusCode::NOT_FOUND, "SoNotFoundException", "99999");
    let no_sms = post(&app, "/api/v1/TicketMessage/1/SendSms").await;
    assert_error(no_sms, StatusCode::BAD_REQUEST, "ArgumentException", "'sms' is required");
    let bad_sms = post(&app, "/api/v1/TicketMessage/1/SendSms?sms=+4711111111,quia").await;
    assert_error(bad_sms, StatusCode::BAD_REQUEST, "ArgumentException", "'quia' in query parameter 'sms'");
    let reader = app
        .client
        .post(app.url("/api/v1/TicketMessage/1/Send?to=a@example.com"))
        .header("Authorization", "Basic Z2plc3Q6R2plc3Qx")
        .send()
        .await
        .expect("answered");
    assert_eq!(reader.status(), StatusCode::FORBIDDEN);
    assert!(app.store.outbox(None, 10).await.expect("outbox").is_empty(), "nothing was queued");
}

async fn send_sms_posts_each_number_to_the_gateway_signed(backend: Backend) {
    let gateway = WebhookReceiver::start("sms-key").await;
    let url = gateway.url.clone();
    let Some(app) = TestApp::spawn_with(backend, |settings| {
        settings.delivery.sms_gateway_url = Some(url);
        settings.delivery.sms_gateway_secret = "sms-key".into();
    })
    .await
    else {
        return;
    };
    let (status, body) =
        post(&app, "/api/v1/TicketMessage/1/SendSms?sms=+4711111111,0047%2022%2022%2022%2022&sms=+4711111111").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let texts = eventually(WAIT, async || {
        let received = gateway.received();
        (received.len() >= 2).then_some(received)
    })
    .await
    .expect("both texts reach the gateway");
    let mut numbers: Vec<&str> = texts.iter().filter_map(|t| t.body["To"].as_str()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, ["+4711111111", "+4722222222"], "normalised, each once");
    for text in &texts {
        assert!(text.signature_valid);
        assert_eq!(text.event, "ticketmessage.sendsms");
        assert_eq!(text.body["EventId"], text.delivery_id.as_str());
        assert!(text.body["Text"].as_str().unwrap_or_default().starts_with("Hei!"), "{}", text.body);
    }
}

on_both_backends!(
    send_mails_the_message_with_its_attachments_to_every_recipient,
    send_refuses_bad_recipients_and_queues_nothing,
    send_sms_posts_each_number_to_the_gateway_signed,
);
