//! `ticketd serve`: binds the listener, serves until SIGINT/SIGTERM, then lets in-flight
//! requests finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::net::TcpListener;

use super::DatabaseArgs;
use crate::auth::AuthSettings;
use crate::auth::jwt::JwtSettings;
use axum::serve::ListenerExt as _;

use crate::http::connection::{ConnectionLimits, GuardedListener};
use crate::http::origin::TrustedProxies;
use crate::http::{AppState, Limits, router};
use crate::locale::BaseZone;
use crate::store::Store;

/// Options of `ticketd serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the real one is logged).
    #[arg(long, env = "TICKETD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// When SQLite syncs to disk: `full` (every commit; an acknowledged save survives power loss)
    /// or `normal` (at checkpoints; faster, survives a crash of ticketd but not of the machine).
    #[arg(long, env = "TICKETD_SQLITE_SYNCHRONOUS", default_value = "full")]
    pub sqlite_synchronous: crate::store::SqliteSync,
    /// MiB SQLite's write-ahead log (`-wal` file) may grow to before the writer truncates it.
    #[arg(long, env = "TICKETD_SQLITE_WAL_LIMIT_MB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..))]
    pub sqlite_wal_limit_mb: u64,
    /// Seed demo associates, persons, tickets and messages when the database is empty.
    #[arg(long, env = "TICKETD_DEMO")]
    pub demo: bool,
    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "TICKETD_BODY_LIMIT", default_value_t = 2 * 1024 * 1024)]
    pub body_limit: usize,
    /// Largest attachment upload accepted (`POST /api/v1/Attachment`), in bytes; larger ones get 413.
    #[arg(long, env = "TICKETD_ATTACHMENT_LIMIT", default_value_t = 25 * 1024 * 1024)]
    pub attachment_limit: usize,
    /// Connections open at once; further clients wait in the listen backlog.
    #[arg(long, env = "TICKETD_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// A connection with no traffic either way for this long is closed (e.g. 60s).
    #[arg(long, env = "TICKETD_IDLE_TIMEOUT", default_value = "60s", value_parser = super::delivery::parse_std_duration)]
    pub idle_timeout: Duration,
    /// A request must be read within this long of its first byte (slow clients are cut off).
    #[arg(long, env = "TICKETD_READ_TIMEOUT", default_value = "60s", value_parser = super::delivery::parse_std_duration)]
    pub read_timeout: Duration,
    /// Seconds a request may take before it is answered with an error.
    #[arg(long, env = "TICKETD_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// The installation's base time zone (a vendor code such as NO, or an IANA name): the zone
    /// stored dates are in; SO-TimeZone converts from it.
    #[arg(long, env = "TICKETD_BASE_TIMEZONE", default_value = "UTC", value_parser = parse_zone)]
    pub base_timezone: chrono_tz::Tz,
    /// On SIGTERM/SIGINT, how long requests in flight (and deliveries) may take to finish
    /// before their connections are cut (e.g. 30s).
    #[arg(long, env = "TICKETD_SHUTDOWN_TIMEOUT", default_value = "30s", value_parser = super::delivery::parse_std_duration)]
    pub shutdown_timeout: Duration,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(flatten)]
    pub delivery: super::delivery::DeliveryArgs,
    /// How long an upload may wait to be connected to a message before it is deleted (e.g. 24h).
    #[arg(long, env = "TICKETD_PENDING_UPLOAD_TTL", default_value = "24h", value_parser = super::retention::parse_ttl)]
    pub pending_upload_ttl: Duration,
    #[command(flatten)]
    pub streams: super::StreamArgs,
    #[command(flatten)]
    pub metrics: super::MetricsArgs,
    #[command(flatten)]
    pub retention: super::retention::RetentionArgs,
}

impl ServeArgs {
    /// The command line's defaults, listening on `listen` and using the database at `database_url`.
    pub fn new(listen: SocketAddr, database_url: impl Into<String>) -> Self {
        Self {
            listen,
            database: DatabaseArgs { database_url: database_url.into() },
            sqlite_synchronous: crate::store::SqliteSync::Full,
            sqlite_wal_limit_mb: 16,
            demo: false,
            body_limit: 2 * 1024 * 1024,
            attachment_limit: 25 * 1024 * 1024,
            max_connections: 1024,
            idle_timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(60),
            request_timeout: 30,
            base_timezone: chrono_tz::Tz::UTC,
            shutdown_timeout: Duration::from_secs(30),
            auth: AuthArgs::default(),
            delivery: super::delivery::DeliveryArgs::default(),
            pending_upload_ttl: Duration::from_secs(24 * 3600),
            streams: super::StreamArgs::default(),
            metrics: super::MetricsArgs::default(),
            retention: super::retention::RetentionArgs::default(),
        }
    }
}

fn parse_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    crate::locale::timezone::lookup(text).ok_or_else(|| format!("'{text}' is not a known time zone"))
}

/// Authentication options of `ticketd serve`.
#[derive(Clone, Args)]
pub struct AuthArgs {
    /// HS256 secret that Bearer JWTs are signed with.
    #[arg(long, env = "TICKETD_JWT_HS256_SECRET", hide_env_values = true)]
    pub jwt_hs256_secret: Option<String>,
    /// PEM file with the RSA (RS256) or EC P-256 (ES256) public key Bearer JWTs are signed with.
    #[arg(long, env = "TICKETD_JWT_PUBLIC_KEY")]
    pub jwt_public_key: Option<String>,
    /// JWKS file with the public keys Bearer JWTs are signed with.
    #[arg(long, env = "TICKETD_JWT_JWKS")]
    pub jwt_jwks: Option<String>,
    /// Required `iss` of Bearer JWTs.
    #[arg(long, env = "TICKETD_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required `aud` of Bearer JWTs.
    #[arg(long, env = "TICKETD_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// The JWT claim holding the associate's login.
    #[arg(long, env = "TICKETD_JWT_ASSOCIATE_CLAIM", default_value = "sub")]
    pub jwt_associate_claim: String,
    /// Refuse SoTicket callers without a valid SO-AppToken header (as the vendor's Online service does).
    #[arg(long, env = "TICKETD_REQUIRE_APP_TOKEN")]
    pub require_app_token: bool,
    /// Hours a browser session (and the ticket its login issues) lasts.
    #[arg(long, env = "TICKETD_SESSION_HOURS", default_value_t = 8)]
    pub session_hours: u64,
    /// Mark session cookies `Secure` (set this when clients reach ticketd over HTTPS).
    #[arg(long, env = "TICKETD_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Failed sign-ins per client and login (or per client, or per login) each minute past which a
    /// client that got a login wrong gets 429 for further unverified tries at it.
    #[arg(long, env = "TICKETD_AUTH_FAILURE_LIMIT", default_value_t = 10)]
    pub auth_failure_limit: u32,
    /// Reverse proxies (CIDR blocks or addresses, comma-separated) whose X-Forwarded-For/-Proto/-Host
    /// and Forwarded headers give the client's address, scheme and host.
    #[arg(long, env = "TICKETD_TRUSTED_PROXY", value_delimiter = ',', value_parser = crate::http::origin::parse_network)]
    pub trusted_proxy: Vec<ipnet::IpNet>,
}

impl std::fmt::Debug for AuthArgs {
    /// Leaves out the HS256 secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthArgs")
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

impl Default for AuthArgs {
    /// The command line's defaults.
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

impl AuthArgs {
    fn settings(&self) -> AuthSettings {
        AuthSettings {
            jwt: JwtSettings {
                hs256_secret: self.jwt_hs256_secret.clone(),
                public_key: self.jwt_public_key.clone(),
                jwks: self.jwt_jwks.clone(),
                issuer: self.jwt_issuer.clone(),
                audience: self.jwt_audience.clone(),
                associate_claim: self.jwt_associate_claim.clone(),
            },
            require_app_token: self.require_app_token,
            failure_limit: self.auth_failure_limit.max(1),
            ..AuthSettings::default()
        }
    }
}

/// A bound, not yet serving, server.
pub struct Server {
    listener: TcpListener,
    connections: ConnectionLimits,
    state: AppState,
    dispatcher: Option<crate::notify::Dispatcher>,
    retention: super::retention::RetentionSweep,
    shutdown_timeout: Duration,
}

impl Server {
    /// Opens the database, seeds demo data when asked, and binds the listener.
    pub async fn build(args: &ServeArgs) -> Result<Self, String> {
        let wal_limit = args.sqlite_wal_limit_mb.saturating_mul(1024 * 1024);
        let store: Arc<dyn Store> =
            crate::store::connect_tuned(&args.database.database_url, args.sqlite_synchronous, wal_limit)
                .await
                .map_err(|err| format!("cannot open the database: {err}"))?;
        if args.demo && store.is_empty().await.map_err(|err| err.to_string())? {
            super::seed_demo_data(store.as_ref()).await?;
            tracing::info!("seeded demo data (login tje0, password Tje0)");
        }
        let listener =
            TcpListener::bind(args.listen).await.map_err(|err| format!("cannot listen on {}: {err}", args.listen))?;
        let limits = Limits {
            body_bytes: args.body_limit,
            request_timeout: Duration::from_secs(args.request_timeout.max(1)),
            session_ttl: Duration::from_secs(args.auth.session_hours.max(1) * 3600),
            secure_cookies: args.auth.secure_cookies,
            attachment_bytes: args.attachment_limit,
            idle_timeout: args.idle_timeout,
            stream_recheck: args.streams.stream_recheck.max(Duration::from_millis(10)),
            max_streams_per_associate: args.streams.max_streams_per_associate,
        };
        let mut state = AppState::new(store.clone(), limits, &args.auth.settings())?;
        state.base_zone = BaseZone(args.base_timezone);
        state.proxies = Arc::new(TrustedProxies::new(args.auth.trusted_proxy.clone()));
        state.notify = args.delivery.handle();
        let retention = args.retention.sweep(store.clone(), args.pending_upload_ttl);
        state.metrics_endpoint = Arc::new(args.metrics.endpoint());
        let dispatcher = args.delivery.dispatcher(store, state.notify.clone())?;
        let connections = ConnectionLimits {
            max_connections: args.max_connections,
            idle_timeout: args.idle_timeout,
            read_timeout: args.read_timeout,
        };
        Ok(Self { listener, connections, state, dispatcher, retention, shutdown_timeout: args.shutdown_timeout })
    }

    /// The store the server uses.
    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, String> {
        self.listener.local_addr().map_err(|err| err.to_string())
    }

    /// Serves (and delivers notifications) until `shutdown` completes, then drains: see
    /// [`super::shutdown::drain`].
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), String> {
        let addr = self.local_addr()?;
        tracing::info!("listening on http://{addr}");
        let notify = self.state.notify.clone();
        let drain = self.state.lifecycle.drain.clone();
        let delivering = self.dispatcher.map(|dispatcher| tokio::spawn(dispatcher.run(notify.closing_listener())));
        let sweeping = tokio::spawn(self.retention.run(notify.closing_listener()));
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        // `tap_io` only to reach axum's `ConnectInfo<SocketAddr>` for listeners of its own kind.
        let listener = GuardedListener::new(self.listener, self.connections).close_on(drain.listener()).tap_io(|_| ());
        let (close_connections, closed) = tokio::sync::oneshot::channel::<()>();
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = closed.await;
        });
        let mut serving = tokio::spawn(std::future::IntoFuture::into_future(serve));
        tokio::select! {
            () = shutdown => {}
            ended = &mut serving => {
                notify.close();
                return ended.map_err(|err| format!("server task failed: {err}"))?.map_err(|err| format!("server error: {err}"));
            }
        }
        let running = super::shutdown::Running { serving, close_connections, delivering };
        let stopped = super::shutdown::drain(running, &drain, &notify, self.shutdown_timeout).await;
        // The sweep stops once notifications close; a batch it was in rolls back.
        let _ = sweeping.await;
        stopped
    }
}

pub async fn run(args: ServeArgs) -> Result<(), String> {
    Server::build(&args).await?.run_until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
