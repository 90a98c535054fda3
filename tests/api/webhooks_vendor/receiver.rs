//! A webhook receiver written from the vendor's documentation: it recomputes base64(HMAC-SHA256
//! (secret, raw body)) and compares the strings, records every header and body, and counts the
//! connections it accepts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One POST as the vendor-style receiver saw it.
#[derive(Debug, Clone)]
pub struct VendorHook {
    pub headers: HashMap<String, String>,
    pub body: Value,
    /// The signature check of the vendor's receiver examples.
    pub signature_valid: bool,
}

impl VendorHook {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(&name.to_ascii_lowercase()).map_or("", String::as_str)
    }

    pub fn event(&self) -> &str {
        self.header("X-SuperOffice-Event")
    }
}

#[derive(Default)]
struct Shared {
    secret: Mutex<String>,
    got: Mutex<Vec<VendorHook>>,
    status: AtomicU16,
    connections: AtomicUsize,
}

/// A receiver written from the vendor's documentation: it recomputes base64(HMAC-SHA256(secret,
/// raw body)) and compares the strings.
#[derive(Clone)]
pub struct VendorReceiver {
    pub url: String,
    shared: Arc<Shared>,
}

impl VendorReceiver {
    pub async fn start(secret: &str) -> Self {
        let shared = Arc::new(Shared::default());
        *shared.secret.lock().expect("secret") = secret.to_owned();
        shared.status.store(200, Ordering::Relaxed);
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let counted = shared.clone();
        let listener = CountingListener { inner: listener, shared: counted };
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, shared }
    }

    pub fn answer_with(&self, status: u16) {
        self.shared.status.store(status, Ordering::Relaxed);
    }

    pub fn got(&self) -> Vec<VendorHook> {
        self.shared.got.lock().expect("got").clone()
    }

    pub fn of_event(&self, event: &str) -> Vec<VendorHook> {
        self.got().into_iter().filter(|hook| hook.event() == event).collect()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Relaxed)
    }
}

/// Counts accepted connections, so a test can tell that none was attempted.
struct CountingListener {
    inner: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

impl axum::serve::Listener for CountingListener {
    type Io = tokio::net::TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let accepted = axum::serve::Listener::accept(&mut self.inner).await;
        self.shared.connections.fetch_add(1, Ordering::Relaxed);
        accepted
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    let secret = shared.secret.lock().expect("secret").clone();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(&body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let given = headers.get("x-superoffice-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let headers = headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    shared.got.lock().expect("got").push(VendorHook {
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        signature_valid: given == expected,
    });
    AxumStatus::from_u16(shared.status.load(Ordering::Relaxed)).unwrap_or(AxumStatus::OK)
}
