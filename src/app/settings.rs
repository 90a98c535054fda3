//! What a running ticketd is configured with, as plain values. `Settings::default()` is the one
//! place defaults live: the command line shows and falls back to these, and tests start from them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::AuthSettings;
use crate::auth::jwt::JwtSettings;
use crate::domain::notification::ChannelSet;
use crate::http::{MetricsEndpoint, MetricsToken};
use crate::notify::{Channels, Dispatcher, DispatcherSettings, Mailer, NotifyHandle, SmtpSettings, WebhookSender};
use crate::store::outbox::WebhookTarget;
use crate::store::{SqliteSync, Store};

/// How long idempotency keys are honoured (`IDEMPOTENCY_WINDOW_HOURS` of `POST` with
/// `Idempotency-Key`); they may not be deleted sooner.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Everything `ticketd serve` is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://…`; its `Debug` form hides a password.
    pub database_url: DatabaseUrl,
    /// When SQLite syncs to disk.
    pub sqlite_synchronous: SqliteSync,
    /// MiB the SQLite write-ahead log may grow to before the writer truncates it.
    pub sqlite_wal_limit_mb: u64,
    /// Seed demo data when the database is empty.
    pub demo: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Largest attachment upload accepted, in bytes.
    pub attachment_limit: usize,
    /// Connections open at once.
    pub max_connections: usize,
    /// A connection with no traffic either way for this long is closed.
    pub idle_timeout: Duration,
    /// A request must be read within this long of its first byte.
    pub read_timeout: Duration,
    /// Seconds a request may take before it is answered with an error.
    pub request_timeout: u64,
    /// The installation's base time zone.
    pub base_timezone: chrono_tz::Tz,
    /// How long requests in flight may take to finish on shutdown.
    pub shutdown_timeout: Duration,
    /// How long an upload may wait to be connected to a message before it is deleted.
    pub pending_upload_ttl: Duration,
    pub auth: AuthOptions,
    pub delivery: DeliveryOptions,
    pub streams: StreamOptions,
    pub metrics: MetricsOptions,
    pub retention: RetentionOptions,
    /// glibc's mmap threshold, fixed at start-up (see `app::memory`); `None` keeps glibc's own.
    pub malloc_mmap_threshold: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DatabaseUrl("sqlite://ticketd.db".into()),
            sqlite_synchronous: SqliteSync::Full,
            sqlite_wal_limit_mb: crate::store::DEFAULT_SQLITE_WAL_LIMIT / (1024 * 1024),
            demo: false,
            body_limit: 2 * 1024 * 1024,
            attachment_limit: 25 * 1024 * 1024,
            max_connections: 1024,
            idle_timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(60),
            request_timeout: 30,
            base_timezone: chrono_tz::Tz::UTC,
            shutdown_timeout: Duration::from_secs(30),
            pending_upload_ttl: Duration::from_secs(24 * 3600),
            auth: AuthOptions::default(),
            delivery: DeliveryOptions::default(),
            streams: StreamOptions::default(),
            metrics: MetricsOptions::default(),
            retention: RetentionOptions::default(),
            malloc_mmap_threshold: Some(128 * 1024),
        }
    }
}

/// A database URL; `Debug` leaves out a password in it.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::notify::redact::text(&self.0))
    }
}

impl std::fmt::Display for DatabaseUrl {
    /// The URL as given (for the command line's default and error messages about it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for DatabaseUrl {
    fn from(url: String) -> Self {
        Self(url)
    }
}

/// Who may call: JWT keys, app tokens, sessions and sign-in throttling.
#[derive(Clone)]
pub struct AuthOptions {
    pub jwt_hs256_secret: Option<String>,
    pub jwt_public_key: Option<String>,
    pub jwt_jwks: Option<String>,
    pub jwt_issuer: Option<String>,
    pub jwt_audience: Option<String>,
    pub jwt_associate_claim: String,
    pub require_app_token: bool,
    pub session_hours: u64,
    pub secure_cookies: bool,
    pub auth_failure_limit: u32,
    pub trusted_proxy: Vec<ipnet::IpNet>,
}

impl Default for AuthOptions {
    fn default() -> Self {
        Self {
            jwt_hs256_secret: None,
            jwt_public_key: None,
            jwt_jwks: None,
            jwt_issuer: None,
            jwt_audience: None,
            jwt_associate_claim: "sub".into(),
            require_app_token: false,
            session_hours: 8,
            secure_cookies: false,
            auth_failure_limit: 10,
            trusted_proxy: Vec::new(),
        }
    }
}

impl std::fmt::Debug for AuthOptions {
    /// Leaves out the HS256 secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthOptions")
            .field("jwt_hs256_secret", &self.jwt_hs256_secret.as_ref().map(|_| "<redacted>"))
            .field("jwt_public_key", &self.jwt_public_key)
            .field("jwt_jwks", &self.jwt_jwks)
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("jwt_associate_claim", &self.jwt_associate_claim)
            .field("require_app_token", &self.require_app_token)
            .field("session_hours", &self.session_hours)
            .field("secure_cookies", &self.secure_cookies)
            .field("auth_failure_limit", &self.auth_failure_limit)
            .field("trusted_proxy", &self.trusted_proxy)
            .finish()
    }
}

impl AuthOptions {
    /// The JWT part, as the verifier takes it.
    pub fn jwt(&self) -> JwtSettings {
        JwtSettings {
            hs256_secret: self.jwt_hs256_secret.clone(),
            public_key: self.jwt_public_key.clone(),
            jwks: self.jwt_jwks.clone(),
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
            associate_claim: self.jwt_associate_claim.clone(),
        }
    }

    /// What the authenticator is built from.
    pub fn settings(&self) -> AuthSettings {
        AuthSettings {
            jwt: self.jwt(),
            require_app_token: self.require_app_token,
            failure_limit: self.auth_failure_limit.max(1),
            ..AuthSettings::default()
        }
    }
}

/// How notifications go out: SMTP, webhook timeouts, the SMS gateway and the dispatcher's pace.
#[derive(Clone)]
pub struct DeliveryOptions {
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    pub delivery_timeout: Duration,
    pub outbox_max_attempts: u32,
    pub outbox_retry_base: Duration,
    pub outbox_retry_max: Duration,
    pub outbox_lease: Duration,
    pub sms_gateway_url: Option<String>,
    pub sms_gateway_secret: String,
    /// Serve without delivering (another instance delivers).
    pub no_dispatch: bool,
    /// Allow webhook targets on loopback, private and other internal addresses.
    pub webhook_allow_private: bool,
    /// Consecutive failed attempts after which a webhook turns `TooManyErrors`.
    pub webhook_error_limit: u32,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            smtp_url: None,
            smtp_from: "ticketd <ticketd@localhost>".into(),
            delivery_timeout: Duration::from_secs(10),
            outbox_max_attempts: 8,
            outbox_retry_base: Duration::from_secs(5),
            outbox_retry_max: Duration::from_secs(3600),
            outbox_lease: Duration::from_secs(120),
            sms_gateway_url: None,
            sms_gateway_secret: String::new(),
            no_dispatch: false,
            webhook_allow_private: false,
            webhook_error_limit: 9,
        }
    }
}

impl std::fmt::Debug for DeliveryOptions {
    /// Leaves out the SMTP URL (it may carry a password) and the SMS gateway's key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryOptions")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("smtp_from", &self.smtp_from)
            .field("delivery_timeout", &self.delivery_timeout)
            .field("outbox_max_attempts", &self.outbox_max_attempts)
            .field("outbox_retry_base", &self.outbox_retry_base)
            .field("outbox_retry_max", &self.outbox_retry_max)
            .field("outbox_lease", &self.outbox_lease)
            .field("sms_gateway_url", &self.sms_gateway_url.as_deref().map(crate::notify::redact::text))
            .field("sms_gateway_secret", &"<redacted>")
            .field("no_dispatch", &self.no_dispatch)
            .field("webhook_allow_private", &self.webhook_allow_private)
            .field("webhook_error_limit", &self.webhook_error_limit)
            .finish()
    }
}

impl DeliveryOptions {
    /// The handle request handlers use, with the channels these options turn on.
    pub fn handle(&self) -> NotifyHandle {
        NotifyHandle::new(ChannelSet { email: self.smtp_url.is_some() }).with_webhook_policy(
            crate::notify::WebhookPolicy { allow_private: self.webhook_allow_private, timeout: self.delivery_timeout },
        )
    }

    /// The dispatcher these options describe, or `None` with `no_dispatch`.
    pub fn dispatcher(&self, store: Arc<dyn Store>, handle: NotifyHandle) -> Result<Option<Dispatcher>, String> {
        if self.no_dispatch {
            return Ok(None);
        }
        let mailer = match &self.smtp_url {
            Some(url) => Some(Mailer::new(&SmtpSettings {
                url: url.clone(),
                from: self.smtp_from.clone(),
                timeout: self.delivery_timeout,
            })?),
            None => None,
        };
        let settings = DispatcherSettings {
            max_attempts: self.outbox_max_attempts.max(1),
            retry_base: self.outbox_retry_base,
            retry_cap: self.outbox_retry_max.max(self.outbox_retry_base),
            // A claim must outlast its whole batch (a batch is delivered in up to four rounds),
            // or a slow receiver would be handed to a second worker.
            lease: self.outbox_lease.max(self.delivery_timeout * 6),
            webhook_error_limit: self.webhook_error_limit.max(1),
            ..DispatcherSettings::default()
        };
        let webhooks = WebhookSender::with_private_targets(self.delivery_timeout, self.webhook_allow_private)?;
        let sms_gateway = self.sms_gateway_url.as_ref().map(|url| WebhookTarget {
            id: 0,
            url: url.clone(),
            secret: self.sms_gateway_secret.clone(),
        });
        Dispatcher::new(store, settings, handle, Channels { mailer, webhooks, sms_gateway }).map(Some)
    }
}

/// Live notification streams: how often an open one checks its caller again, how many one
/// associate may hold.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    pub stream_recheck: Duration,
    pub max_streams_per_associate: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self { stream_recheck: Duration::from_secs(30), max_streams_per_associate: 8 }
    }
}

/// `/metrics`: the bearer token it requires (redacted in `Debug`), how long outbox counts are reused.
#[derive(Debug, Clone)]
pub struct MetricsOptions {
    pub metrics_token: Option<MetricsToken>,
    pub metrics_cache: Duration,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        Self { metrics_token: None, metrics_cache: Duration::from_secs(5) }
    }
}

impl MetricsOptions {
    pub fn endpoint(&self) -> MetricsEndpoint {
        MetricsEndpoint::new(self.metrics_token.clone(), self.metrics_cache)
    }
}

/// How long a kind of row is kept; `None` keeps it forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention(pub Option<Duration>);

/// How long each kind of piling-up row is kept, and the pace of the sweep deleting them.
#[derive(Debug, Clone)]
pub struct RetentionOptions {
    pub event_retention: Retention,
    pub delivered_retention: Retention,
    pub idempotency_retention: Retention,
    pub expired_secret_retention: Retention,
    pub retention_interval: Duration,
    pub retention_batch: u32,
    pub retention_pause: Duration,
}

impl Default for RetentionOptions {
    fn default() -> Self {
        let days = |n: u64| Retention(Some(Duration::from_secs(n * 86_400)));
        Self {
            event_retention: days(90),
            delivered_retention: days(30),
            idempotency_retention: Retention(Some(2 * IDEMPOTENCY_WINDOW)),
            expired_secret_retention: days(30),
            retention_interval: Duration::from_secs(600),
            retention_batch: 500,
            retention_pause: Duration::from_millis(50),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_holding_a_secret_is_redacted() {
        let mut settings = Settings {
            database_url: "postgres://ticketd:db-password@db.example.com/ticketd?sslpassword=ssl-secret"
                .to_owned()
                .into(),
            ..Settings::default()
        };
        settings.auth.jwt_hs256_secret = Some("jwt-secret-of-at-least-thirty-two-bytes".into());
        settings.delivery.smtp_url = Some("smtps://mailer:smtp-password@mail.example.com".into());
        settings.delivery.sms_gateway_url = Some("https://sms:gw-password@sms.example.com/send?token=gw-token".into());
        settings.delivery.sms_gateway_secret = "gateway-key".into();
        settings.metrics.metrics_token = Some("metrics-token-value".parse().expect("a token"));
        let target = WebhookTarget {
            id: 1,
            url: "http://hook:hook-password@hooks.example.com/?key=hook-key".into(),
            secret: "whsec_signing".into(),
        };
        let jwt = JwtSettings { hs256_secret: Some("jwt-settings-secret".into()), ..Default::default() };
        let auth = AuthSettings { jwt: jwt.clone(), ..Default::default() };
        let printed = [
            format!("{settings:?}"),
            format!("{settings:#?}"),
            format!("{target:?}"),
            format!("{jwt:?}"),
            format!("{auth:?}"),
        ];
        for text in printed {
            for secret in [
                "db-password",
                "ssl-secret",
                "jwt-secret",
                "smtp-password",
                "gw-password",
                "gw-token",
                "gateway-key",
                "hook-password",
                "hook-key",
                "whsec_signing",
                "jwt-settings-secret",
                "metrics-token-value",
            ] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
        assert!(format!("{settings:?}").contains("db.example.com"), "the rest stays readable");
    }
}
