//! The test application: a real ticketd listener on a free loopback port, backed by a real
//! SQLite file or a fresh PostgreSQL database, seeded with the demo data.

use std::sync::Arc;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;
use tempfile::TempDir;
use ticketd::app::{Application, Settings};
use ticketd::store::Store;
use tokio::sync::oneshot;

/// The seed's Basic credentials: `tje0:Tje0`.
pub const SEED_AUTH: &str = "Basic dGplMDpUamUw";

/// Which database a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs the named async test functions (each taking a [`Backend`]) once per backend.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;

/// A database for one test; the SQLite file lives as long as the value.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    /// A fresh database, or `None` when PostgreSQL is unavailable outside CI.
    pub async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("ticketd.db").display());
                Some(Self { url, _dir: Some(dir) })
            }
            Backend::Postgres => Some(Self { url: crate::pg::fresh_database().await?, _dir: None }),
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    _database: TestDatabase,
}

impl TestApp {
    /// Starts ticketd with demo data; `None` when the backend is unavailable here.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts ticketd with demo data after `adjust` has changed the settings.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Option<Self> {
        let database = TestDatabase::new(backend).await?;
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse().expect("addr"),
            database_url: database.url.clone().into(),
            demo: true,
            ..Settings::default()
        };
        // Test receivers listen on 127.0.0.1; tests of the refusal turn this off again.
        settings.delivery.webhook_allow_private = true;
        adjust(&mut settings);
        let server = Application::build(settings).await.expect("server starts");
        let base = format!("http://{}", server.local_addr().expect("bound"));
        let store = server.store();
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        let client = client();
        Some(Self { base, store, client, shutdown: Some(shutdown), _database: database })
    }

    /// The database the app runs on, for the command line and for a second server.
    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with the seed's credentials.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path)).header("Authorization", SEED_AUTH)
    }

    /// A PUT/POST of a raw JSON text with the seed's headers.
    pub fn send_json(&self, method: Method, path: &str, body: impl Into<String>) -> RequestBuilder {
        self.request(method, path)
            .header("Accept", "application/json; charset=utf-8")
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body.into())
    }

    /// Sends a request and returns the status and the body parsed as JSON.
    pub async fn call(&self, request: RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.expect("request is answered");
        let status = response.status();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }

    pub async fn get_message(&self, id: i32) -> (StatusCode, Value) {
        self.call(self.request(Method::GET, &format!("/api/v1/TicketMessage/{id}"))).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Asserts a vendor error body with the given status and `ErrorType`, whose message names `needle`.
pub fn assert_error(actual: (StatusCode, Value), status: StatusCode, error_type: &str, needle: &str) {
    let (got, body) = actual;
    assert_eq!(got, status, "body: {body}");
    let keys: Vec<&str> = body.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(keys, ["Error", "ErrorType", "ErrorMessage", "ErrorSource"], "body: {body}");
    assert_eq!(body["Error"], true);
    assert_eq!(body["ErrorType"], error_type, "body: {body}");
    let message = body["ErrorMessage"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "'{message}' does not name '{needle}'");
}

/// An HTTP client; the process's TLS provider is installed first, as reqwest needs one.
pub fn client() -> reqwest::Client {
    ticketd::notify::install_crypto_provider();
    reqwest::Client::builder().build().expect("client")
}
