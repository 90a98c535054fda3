//! Real receivers for notifications: an SMTP server (mailin's protocol engine on a loopback
//! socket) and an HTTP webhook receiver that checks every signature the way docs/notifications.md
//! tells subscribers to.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use mailin::{Action, Handler, Response};
use serde_json::Value;
use sha2::Sha256;

/// One message the SMTP server accepted.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub data: String,
}

/// An SMTP server on a free loopback port that keeps what it receives.
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
}

#[derive(Clone)]
struct Capture {
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    current: Option<ReceivedMail>,
}

impl Handler for Capture {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(ReceivedMail { to: to.to_vec(), data: String::new() });
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(mail) = &mut self.current {
            mail.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mail) = self.current.take() {
            self.mails.lock().expect("mails").push(mail);
        }
        mailin::response::OK
    }
}

impl SmtpSink {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP sink");
        let port = listener.local_addr().expect("addr").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let shared = mails.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let capture = Capture { mails: shared.clone(), current: None };
                std::thread::spawn(move || serve_session(stream, capture));
            }
        });
        Self { port, mails }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.mails.lock().expect("mails").clone()
    }
}

fn serve_session(stream: TcpStream, capture: Capture) -> std::io::Result<()> {
    let peer = stream.peer_addr().map_or(IpAddr::from([127, 0, 0, 1]), |addr| addr.ip());
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut session = mailin::SessionBuilder::new("sink.test").build(peer, capture);
    session.greeting().write_to(&mut writer)?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => response.write_to(&mut writer)?,
            Action::NoReply => {}
            Action::Close | Action::UpgradeTls => {
                response.write_to(&mut writer)?;
                return Ok(());
            }
        }
    }
}

/// One POST the webhook receiver got.
#[derive(Debug, Clone)]
pub struct ReceivedHook {
    pub delivery_id: String,
    pub event: String,
    pub body: Value,
    pub signature_valid: bool,
}

#[derive(Default)]
struct ReceiverState {
    secret: Mutex<String>,
    received: Mutex<Vec<ReceivedHook>>,
    /// The status to answer with.
    status: AtomicU16,
    /// Milliseconds to wait before answering.
    delay_ms: AtomicU64,
}

/// An HTTP server on a free loopback port that records webhook deliveries.
#[derive(Clone)]
pub struct WebhookReceiver {
    pub url: String,
    state: Arc<ReceiverState>,
}

impl WebhookReceiver {
    pub async fn start(secret: &str) -> Self {
        let state = Arc::new(ReceiverState::default());
        *state.secret.lock().expect("secret") = secret.to_owned();
        state.status.store(204, Ordering::Relaxed);
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, state }
    }

    pub fn set_secret(&self, secret: &str) {
        *self.state.secret.lock().expect("secret") = secret.to_owned();
    }

    pub fn answer_with(&self, status: u16) {
        self.state.status.store(status, Ordering::Relaxed);
    }

    pub fn delay(&self, delay: Duration) {
        self.state.delay_ms.store(delay.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn received(&self) -> Vec<ReceivedHook> {
        self.state.received.lock().expect("received").clone()
    }

    /// How many times each delivery id arrived.
    pub fn counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for hook in self.received() {
            *counts.entry(hook.delivery_id).or_default() += 1;
        }
        counts
    }
}

async fn receive(State(state): State<Arc<ReceiverState>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let secret = state.secret.lock().expect("secret").clone();
    let signature_valid = verify(&secret, &header("x-ticketd-timestamp"), &body, &header("x-ticketd-signature"));
    state.received.lock().expect("received").push(ReceivedHook {
        delivery_id: header("x-ticketd-delivery"),
        event: header("x-ticketd-event"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        signature_valid,
    });
    let delay = state.delay_ms.load(Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    StatusCode::from_u16(state.status.load(Ordering::Relaxed)).unwrap_or(StatusCode::NO_CONTENT)
}

/// What a subscriber does: HMAC-SHA256 of `{timestamp}.{body}`, compared in constant time.
fn verify(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Some(hex) = signature.strip_prefix("sha256=") else { return false };
    let Some(expected) = decode_hex(hex) else { return false };
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// Polls `probe` until it returns `Some`, for at most `limit`.
pub async fn eventually<T>(limit: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let started = std::time::Instant::now();
    loop {
        if let Some(found) = probe().await {
            return Some(found);
        }
        if started.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
