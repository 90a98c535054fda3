//! The command line: `serve`, `migrate`, `associate`, `ticket`, `token`, `app`, `customfield`,
//! `foreignkey`, `follow`, `webhook`, `outbox`, `purge`, `healthcheck`, `doctor` and `backup`.
//! Every flag can also be set through the environment variable named in `--help`.

mod associate;
mod backup;
mod credentials;
mod defaults;
mod delivery;
mod doctor;
mod healthcheck;
mod metadata;
mod metrics;
mod notifications;
mod retention;
mod serve;
mod streams;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use delivery::DeliveryArgs;
pub use metrics::MetricsArgs;
pub use retention::{Retention, RetentionArgs};
pub use serve::{AuthArgs, ServeArgs};
pub use streams::StreamArgs;

#[derive(Debug, Parser)]
#[command(name = "ticketd", version, about = "A SuperOffice-compatible REST WebAPI server for ticket messages")]
struct Cli {
    /// How log lines on stderr are written: `text` for people, `json` (one object per line) for log shippers.
    #[arg(long, global = true, env = "TICKETD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve(Box<ServeArgs>),
    /// Create or upgrade the database schema, then exit.
    Migrate(DatabaseArgs),
    /// Manage associates (the users who sign in).
    Associate {
        #[command(subcommand)]
        action: associate::AssociateCommand,
    },
    /// Issue and revoke SoTicket tickets.
    Ticket {
        #[command(subcommand)]
        action: credentials::TicketCommand,
    },
    /// Issue and revoke Bearer API tokens.
    Token {
        #[command(subcommand)]
        action: credentials::TokenCommand,
    },
    /// Register and remove partner applications (SO-AppToken).
    App {
        #[command(subcommand)]
        action: credentials::AppCommand,
    },
    /// Define and list custom fields of ticket messages.
    Customfield {
        #[command(subcommand)]
        action: metadata::CustomFieldCommand,
    },
    /// Attach foreign keys to ticket messages.
    Foreignkey {
        #[command(subcommand)]
        action: metadata::ForeignKeyCommand,
    },
    /// Make an associate follow a ticket: they are notified of its messages' saves.
    Follow(notifications::FollowArgs),
    /// Stop an associate following a ticket.
    Unfollow(notifications::FollowArgs),
    /// Subscribe URLs to signed webhook deliveries.
    Webhook {
        #[command(subcommand)]
        action: notifications::WebhookCommand,
    },
    /// Inspect, retry and purge notification deliveries.
    Outbox {
        #[command(subcommand)]
        action: notifications::OutboxCommand,
    },
    /// Delete rows past their retention (the flags of `serve`); --dry-run only counts them.
    Purge(retention::PurgeArgs),
    /// Exit 0 when a running server's /health (or --path) answers 200 (for container health checks).
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Check whether a configuration can work (takes the flags of `serve`); non-zero exit on failure.
    Doctor(Box<doctor::DoctorArgs>),
    /// Copy the SQLite database to a file while a server keeps serving on it.
    Backup(backup::BackupArgs),
}

/// Where the data lives.
#[derive(Clone, Args)]
pub struct DatabaseArgs {
    /// Database to use: `sqlite://PATH` (created when missing) or `postgres://USER@HOST/DB`
    /// (several hosts for failover: `postgres://USER@HOST1,HOST2/DB?target_session_attrs=read-write`).
    #[arg(long, env = "DATABASE_URL", default_value_t = defaults::defaults().database_url.0)]
    pub database_url: String,
}

impl std::fmt::Debug for DatabaseArgs {
    /// Leaves out a password in the database URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseArgs").field("database_url", &crate::notify::redact::text(&self.database_url)).finish()
    }
}

/// Parses the command line, runs the command and turns its outcome into an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("ticketd: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(*args).await,
            Command::Migrate(db) => crate::store::connect(&db.database_url)
                .await
                .map(|_| tracing::info!("schema is up to date"))
                .map_err(anyhow::Error::new),
            Command::Associate { action } => associate::run(action).await,
            Command::Ticket { action } => credentials::run_ticket(action).await,
            Command::Token { action } => credentials::run_token(action).await,
            Command::App { action } => credentials::run_app(action).await,
            Command::Customfield { action } => metadata::run_custom_field(action).await,
            Command::Foreignkey { action } => metadata::run_foreign_key(action).await,
            Command::Follow(args) => notifications::run_follow(args, true).await,
            Command::Unfollow(args) => notifications::run_follow(args, false).await,
            Command::Webhook { action } => notifications::run_webhook(action).await,
            Command::Outbox { action } => notifications::run_outbox(action).await,
            Command::Purge(args) => retention::run_purge(args).await,
            Command::Healthcheck(args) => healthcheck::run(args).await,
            Command::Doctor(args) => doctor::run(*args).await,
            Command::Backup(args) => backup::run(args).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ticketd: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

/// An error followed by those of its causes it does not already quote (drivers' errors often
/// repeat their source in their own message): "cannot listen on 127.0.0.1:8080: Address in use".
fn describe(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text = format!("{text}: {cause}");
        }
    }
    text
}

/// Logs to stderr; `RUST_LOG` overrides the default level.
fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // An event's fields sit at the top level beside `timestamp`, `level`, `target` and
        // `message`; the request's (id, method, path, client, associate, app) under `span`.
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer: {0}")]
    struct Quoting(#[source] std::io::Error);

    #[test]
    fn causes_are_appended_once() {
        let cause = || std::io::Error::other("the cause");
        let quoted = anyhow::Error::new(Quoting(cause()));
        assert_eq!(describe(&quoted), "outer: the cause");
        let listen =
            crate::app::BuildError::Listen { address: "127.0.0.1:1".parse().expect("address"), source: cause() };
        assert_eq!(describe(&anyhow::Error::new(listen)), "cannot listen on 127.0.0.1:1: the cause");
    }
}
