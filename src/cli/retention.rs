//! Retention flags (`--event-retention` and friends, shared by `serve` and `purge`) and
//! `ticketd purge`, which runs the background sweep's deletions once.

use std::time::Duration;

use clap::Args;

use super::DatabaseArgs;
use super::defaults::{self, defaults};
pub use crate::app::Retention;
use crate::app::{IDEMPOTENCY_WINDOW, RetentionOptions};

/// Parses a retention: a duration like `90d`, or `never`.
pub fn parse_retention(text: &str) -> Result<Retention, String> {
    if text.trim().eq_ignore_ascii_case("never") {
        return Ok(Retention(None));
    }
    super::delivery::parse_std_duration(text).map(|age| Retention(Some(age)))
}

fn parse_idempotency_retention(text: &str) -> Result<Retention, String> {
    let retention = parse_retention(text)?;
    match retention.0 {
        Some(age) if age < IDEMPOTENCY_WINDOW => {
            Err(format!("'{text}' is shorter than the 24h an idempotency key is honoured"))
        }
        _ => Ok(retention),
    }
}

/// Parses `--pending-upload-ttl` like the other durations; zero would delete uploads before
/// anyone could connect them.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    super::delivery::parse_std_duration(text)
        .and_then(|ttl| if ttl.is_zero() { Err(format!("'{text}' is not a positive duration")) } else { Ok(ttl) })
}

/// Retention options of `ticketd serve` and `ticketd purge`.
#[derive(Debug, Clone, Args)]
pub struct RetentionArgs {
    /// How long save events (`message_events`, one per save) are kept (e.g. 90d, or never).
    #[arg(long, env = "TICKETD_EVENT_RETENTION", default_value = defaults::retention(defaults().retention.event_retention), value_parser = parse_retention)]
    pub event_retention: Retention,
    /// How long delivered notifications stay in the outbox (dead ones are kept for `outbox retry`).
    #[arg(long, env = "TICKETD_DELIVERED_RETENTION", default_value = defaults::retention(defaults().retention.delivered_retention), value_parser = parse_retention)]
    pub delivered_retention: Retention,
    /// How long idempotency keys are kept (at least the 24h they are honoured).
    #[arg(long, env = "TICKETD_IDEMPOTENCY_RETENTION", default_value = defaults::retention(defaults().retention.idempotency_retention), value_parser = parse_idempotency_retention)]
    pub idempotency_retention: Retention,
    /// How long sessions, tickets and tokens are kept once expired (revoked ones: once this old).
    #[arg(long, env = "TICKETD_EXPIRED_SECRET_RETENTION", default_value = defaults::retention(defaults().retention.expired_secret_retention), value_parser = parse_retention)]
    pub expired_secret_retention: Retention,
    /// How often the background sweep runs.
    #[arg(long, env = "TICKETD_RETENTION_INTERVAL", default_value = defaults::duration(defaults().retention.retention_interval), value_parser = super::delivery::parse_std_duration)]
    pub retention_interval: Duration,
    /// Rows deleted per statement (each its own short transaction).
    #[arg(long, env = "TICKETD_RETENTION_BATCH", default_value_t = defaults().retention.retention_batch)]
    pub retention_batch: u32,
    /// The pause between two batches, which lets queued saves through.
    #[arg(long, env = "TICKETD_RETENTION_PAUSE", default_value = defaults::duration(defaults().retention.retention_pause), value_parser = super::delivery::parse_std_duration)]
    pub retention_pause: Duration,
}

impl RetentionArgs {
    pub fn options(&self) -> RetentionOptions {
        RetentionOptions {
            event_retention: self.event_retention,
            delivered_retention: self.delivered_retention,
            idempotency_retention: self.idempotency_retention,
            expired_secret_retention: self.expired_secret_retention,
            retention_interval: self.retention_interval,
            retention_batch: self.retention_batch,
            retention_pause: self.retention_pause,
        }
    }
}

/// `ticketd purge`: deletes (or with `--dry-run` counts) what the background sweep would.
#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Only count the rows that would go; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub retention: RetentionArgs,
    /// How long an upload may wait to be connected to a message before it is deleted (e.g. 24h).
    #[arg(long, env = "TICKETD_PENDING_UPLOAD_TTL", default_value = defaults::duration(defaults().pending_upload_ttl), value_parser = parse_ttl)]
    pub pending_upload_ttl: Duration,
}

pub async fn run_purge(args: PurgeArgs) -> anyhow::Result<()> {
    let store = crate::store::connect(&args.database.database_url).await?;
    let sweep = args.retention.options().sweep(store, args.pending_upload_ttl);
    let (verb, rows) =
        if args.dry_run { ("would delete", sweep.count().await) } else { ("deleted", sweep.sweep().await) };
    let rows = rows?;
    println!("{verb}:");
    for (kind, count) in rows {
        println!("{:<18} {count}", kind.name());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ttl_is_a_positive_duration() {
        assert_eq!(parse_ttl("24h"), Ok(Duration::from_secs(24 * 3600)));
        assert_eq!(parse_ttl("1s"), Ok(Duration::from_secs(1)));
        assert!(parse_ttl("0").is_err());
        assert!(parse_ttl("later").is_err());
    }

    #[test]
    fn retentions_are_durations_in_days_or_never() {
        assert_eq!(parse_retention("90d"), Ok(Retention(Some(Duration::from_secs(90 * 86_400)))));
        assert_eq!(parse_retention("never"), Ok(Retention(None)));
        assert!(parse_retention("0").is_err());
        assert!(parse_retention("soon").is_err());
    }

    #[test]
    fn idempotency_keys_are_kept_at_least_as_long_as_they_are_honoured() {
        assert!(parse_idempotency_retention("1h").is_err());
        assert_eq!(parse_idempotency_retention("24h"), Ok(Retention(Some(IDEMPOTENCY_WINDOW))));
        assert_eq!(parse_idempotency_retention("never"), Ok(Retention(None)));
    }
}
