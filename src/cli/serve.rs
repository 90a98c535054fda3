//! `ticketd serve`: turns its flags into [`Settings`], builds the [`Application`] and serves
//! until SIGINT/SIGTERM, then lets in-flight requests finish.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use super::DatabaseArgs;
use super::defaults::{self, defaults};
use crate::app::{Application, AuthOptions, Settings};

/// Options of `ticketd serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the real one is logged).
    #[arg(long, env = "TICKETD_LISTEN", default_value_t = defaults().listen)]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// When SQLite syncs to disk: `full` (every commit; an acknowledged save survives power loss)
    /// or `normal` (at checkpoints; faster, survives a crash of ticketd but not of the machine).
    #[arg(long, env = "TICKETD_SQLITE_SYNCHRONOUS", default_value = defaults::sqlite_sync(defaults().sqlite_synchronous))]
    pub sqlite_synchronous: crate::store::SqliteSync,
    /// MiB SQLite's write-ahead log (`-wal` file) may grow to before the writer truncates it.
    #[arg(long, env = "TICKETD_SQLITE_WAL_LIMIT_MB", default_value_t = defaults().sqlite_wal_limit_mb, value_parser = clap::value_parser!(u64).range(1..))]
    pub sqlite_wal_limit_mb: u64,
    /// Seed demo associates, persons, tickets and messages when the database is empty.
    #[arg(long, env = "TICKETD_DEMO")]
    pub demo: bool,
    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "TICKETD_BODY_LIMIT", default_value_t = defaults().body_limit)]
    pub body_limit: usize,
    /// Largest attachment upload accepted (`POST /api/v1/Attachment`), in bytes; larger ones get 413.
    #[arg(long, env = "TICKETD_ATTACHMENT_LIMIT", default_value_t = defaults().attachment_limit)]
    pub attachment_limit: usize,
    /// Connections open at once; further clients wait in the listen backlog.
    #[arg(long, env = "TICKETD_MAX_CONNECTIONS", default_value_t = defaults().max_connections)]
    pub max_connections: usize,
    /// A connection with no traffic either way for this long is closed (e.g. 60s).
    #[arg(long, env = "TICKETD_IDLE_TIMEOUT", default_value = defaults::duration(defaults().idle_timeout), value_parser = super::delivery::parse_std_duration)]
    pub idle_timeout: Duration,
    /// A request must be read within this long of its first byte (slow clients are cut off).
    #[arg(long, env = "TICKETD_READ_TIMEOUT", default_value = defaults::duration(defaults().read_timeout), value_parser = super::delivery::parse_std_duration)]
    pub read_timeout: Duration,
    /// Seconds a request may take before it is answered with an error.
    #[arg(long, env = "TICKETD_REQUEST_TIMEOUT", default_value_t = defaults().request_timeout)]
    pub request_timeout: u64,
    /// The installation's base time zone (a vendor code such as NO, or an IANA name): the zone
    /// stored dates are in; SO-TimeZone converts from it.
    #[arg(long, env = "TICKETD_BASE_TIMEZONE", default_value_t = defaults().base_timezone, value_parser = parse_zone)]
    pub base_timezone: chrono_tz::Tz,
    /// On SIGTERM/SIGINT, how long requests in flight (and deliveries) may take to finish
    /// before their connections are cut (e.g. 30s).
    #[arg(long, env = "TICKETD_SHUTDOWN_TIMEOUT", default_value = defaults::duration(defaults().shutdown_timeout), value_parser = super::delivery::parse_std_duration)]
    pub shutdown_timeout: Duration,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(flatten)]
    pub delivery: super::delivery::DeliveryArgs,
    /// How long an upload may wait to be connected to a message before it is deleted (e.g. 24h).
    #[arg(long, env = "TICKETD_PENDING_UPLOAD_TTL", default_value = defaults::duration(defaults().pending_upload_ttl), value_parser = super::retention::parse_ttl)]
    pub pending_upload_ttl: Duration,
    #[command(flatten)]
    pub streams: super::StreamArgs,
    #[command(flatten)]
    pub metrics: super::MetricsArgs,
    #[command(flatten)]
    pub retention: super::retention::RetentionArgs,
}

impl ServeArgs {
    /// The settings these flags describe.
    pub fn settings(&self) -> Settings {
        Settings {
            listen: self.listen,
            database_url: self.database.database_url.clone().into(),
            sqlite_synchronous: self.sqlite_synchronous,
            sqlite_wal_limit_mb: self.sqlite_wal_limit_mb,
            demo: self.demo,
            body_limit: self.body_limit,
            attachment_limit: self.attachment_limit,
            max_connections: self.max_connections,
            idle_timeout: self.idle_timeout,
            read_timeout: self.read_timeout,
            request_timeout: self.request_timeout,
            base_timezone: self.base_timezone,
            shutdown_timeout: self.shutdown_timeout,
            pending_upload_ttl: self.pending_upload_ttl,
            auth: self.auth.options(),
            delivery: self.delivery.options(),
            streams: self.streams.options(),
            metrics: self.metrics.options(),
            retention: self.retention.options(),
            malloc_mmap_threshold: Settings::default().malloc_mmap_threshold,
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
    #[arg(long, env = "TICKETD_JWT_ASSOCIATE_CLAIM", default_value_t = defaults().auth.jwt_associate_claim)]
    pub jwt_associate_claim: String,
    /// Refuse SoTicket callers without a valid SO-AppToken header (as the vendor's Online service does).
    #[arg(long, env = "TICKETD_REQUIRE_APP_TOKEN")]
    pub require_app_token: bool,
    /// Hours a browser session (and the ticket its login issues) lasts.
    #[arg(long, env = "TICKETD_SESSION_HOURS", default_value_t = defaults().auth.session_hours)]
    pub session_hours: u64,
    /// Mark session cookies `Secure` (set this when clients reach ticketd over HTTPS).
    #[arg(long, env = "TICKETD_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Failed sign-ins per client and login (or per client, or per login) each minute past which a
    /// client that got a login wrong gets 429 for further unverified tries at it.
    #[arg(long, env = "TICKETD_AUTH_FAILURE_LIMIT", default_value_t = defaults().auth.auth_failure_limit)]
    pub auth_failure_limit: u32,
    /// Reverse proxies (CIDR blocks or addresses, comma-separated) whose X-Forwarded-For/-Proto/-Host
    /// and Forwarded headers give the client's address, scheme and host.
    #[arg(long, env = "TICKETD_TRUSTED_PROXY", value_delimiter = ',', value_parser = crate::http::origin::parse_network)]
    pub trusted_proxy: Vec<ipnet::IpNet>,
}

impl std::fmt::Debug for AuthArgs {
    /// Leaves out the HS256 secret, as the options it turns into do.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.options(), f)
    }
}

impl AuthArgs {
    pub fn options(&self) -> AuthOptions {
        AuthOptions {
            jwt_hs256_secret: self.jwt_hs256_secret.clone(),
            jwt_public_key: self.jwt_public_key.clone(),
            jwt_jwks: self.jwt_jwks.clone(),
            jwt_issuer: self.jwt_issuer.clone(),
            jwt_audience: self.jwt_audience.clone(),
            jwt_associate_claim: self.jwt_associate_claim.clone(),
            require_app_token: self.require_app_token,
            session_hours: self.session_hours,
            secure_cookies: self.secure_cookies,
            auth_failure_limit: self.auth_failure_limit,
            trusted_proxy: self.trusted_proxy.clone(),
        }
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let application = Application::build(args.settings()).await?;
    application.run_until_stopped(shutdown_signal()).await.map_err(anyhow::Error::msg)?;
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

#[cfg(test)]
mod tests {
    use clap::{FromArgMatches, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct Serve {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(flags: &[&str]) -> ServeArgs {
        let matches = <Serve as clap::CommandFactory>::command()
            .try_get_matches_from(std::iter::once("ticketd").chain(flags.iter().copied()))
            .expect("the flags parse");
        Serve::from_arg_matches(&matches).expect("the flags parse").serve
    }

    #[test]
    fn without_flags_the_settings_are_the_defaults() {
        // Variables of the environment would stand in for flags; none is set where tests run.
        let unset = |name: &str| std::env::var_os(name).is_none();
        if !(unset("DATABASE_URL")
            && std::env::vars_os().all(|(name, _)| !name.to_string_lossy().starts_with("TICKETD_")))
        {
            return;
        }
        assert_eq!(format!("{:?}", parse(&[]).settings()), format!("{:?}", Settings::default()));
    }

    #[test]
    fn flags_reach_the_settings() {
        let args = parse(&[
            "--idle-timeout",
            "90s",
            "--event-retention",
            "never",
            "--max-streams-per-associate",
            "3",
            "--no-dispatch",
            "--jwt-associate-claim",
            "email",
        ]);
        let settings = args.settings();
        assert_eq!(settings.idle_timeout, Duration::from_secs(90));
        assert_eq!(settings.retention.event_retention, crate::app::Retention(None));
        assert_eq!(settings.streams.max_streams_per_associate, 3);
        assert!(settings.delivery.no_dispatch);
        assert_eq!(settings.auth.jwt_associate_claim, "email");
    }

    #[test]
    fn the_serve_flags_debug_form_leaves_secrets_out() {
        let args = parse(&[
            "--database-url",
            "postgres://ticketd:db-password@db.example.com/ticketd",
            "--jwt-hs256-secret",
            "jwt-secret-of-at-least-thirty-two-bytes",
            "--smtp-url",
            "smtps://mailer:smtp-password@mail.example.com",
            "--sms-gateway-secret",
            "gateway-key",
            "--metrics-token",
            "metrics-token-value",
        ]);
        let text = format!("{args:?}");
        for secret in ["db-password", "jwt-secret", "smtp-password", "gateway-key", "metrics-token-value"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
