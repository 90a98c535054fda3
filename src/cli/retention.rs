//! Retention: how long each kind of piling-up row is kept (`--event-retention` and friends,
//! shared by `serve` and `purge`), the sweep `ticketd serve` runs in the background, and
//! `ticketd purge`. Rows go a small batch per statement with a pause between batches, so
//! saves never wait long behind a sweep.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::sync::watch;

use super::DatabaseArgs;
use crate::store::{RetentionKind, Store, StoreError};

/// Bounds of the pause between two rounds.
const SHORTEST_PERIOD: Duration = Duration::from_secs(1);
/// How long idempotency keys are honoured (`IDEMPOTENCY_WINDOW_HOURS` of `POST` with
/// `Idempotency-Key`); they may not go sooner.
const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// How long a kind of row is kept; `None` keeps it forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention(pub Option<Duration>);

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
    #[arg(long, env = "TICKETD_EVENT_RETENTION", default_value = "90d", value_parser = parse_retention)]
    pub event_retention: Retention,
    /// How long delivered notifications stay in the outbox (dead ones are kept for `outbox retry`).
    #[arg(long, env = "TICKETD_DELIVERED_RETENTION", default_value = "30d", value_parser = parse_retention)]
    pub delivered_retention: Retention,
    /// How long idempotency keys are kept (at least the 24h they are honoured).
    #[arg(long, env = "TICKETD_IDEMPOTENCY_RETENTION", default_value = "48h", value_parser = parse_idempotency_retention)]
    pub idempotency_retention: Retention,
    /// How long sessions, tickets and tokens are kept once expired (revoked ones: once this old).
    #[arg(long, env = "TICKETD_EXPIRED_SECRET_RETENTION", default_value = "30d", value_parser = parse_retention)]
    pub expired_secret_retention: Retention,
    /// How often the background sweep runs.
    #[arg(long, env = "TICKETD_RETENTION_INTERVAL", default_value = "10m", value_parser = super::delivery::parse_std_duration)]
    pub retention_interval: Duration,
    /// Rows deleted per statement (each its own short transaction).
    #[arg(long, env = "TICKETD_RETENTION_BATCH", default_value_t = 500)]
    pub retention_batch: u32,
    /// The pause between two batches, which lets queued saves through.
    #[arg(long, env = "TICKETD_RETENTION_PAUSE", default_value = "50ms", value_parser = super::delivery::parse_std_duration)]
    pub retention_pause: Duration,
}

impl Default for RetentionArgs {
    /// The command line's defaults.
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

impl RetentionArgs {
    /// The sweep these options describe, with uploads unclaimed for `pending_upload_ttl` going too.
    pub fn sweep(&self, store: Arc<dyn Store>, pending_upload_ttl: Duration) -> RetentionSweep {
        let ages = [
            (RetentionKind::SaveEvents, self.event_retention.0),
            (RetentionKind::DeliveredNotifications, self.delivered_retention.0),
            (RetentionKind::IdempotencyKeys, self.idempotency_retention.0),
            (RetentionKind::ExpiredSecrets, self.expired_secret_retention.0),
            (RetentionKind::PendingUploads, Some(pending_upload_ttl)),
        ];
        // Unclaimed uploads are looked at a few times per TTL, so a short TTL is kept to closely.
        let period = self.retention_interval.min(pending_upload_ttl / 4).max(SHORTEST_PERIOD);
        RetentionSweep {
            store,
            ages: ages.into_iter().filter_map(|(kind, age)| Some((kind, age?))).collect(),
            batch: self.retention_batch.max(1),
            pause: self.retention_pause,
            period,
        }
    }
}

/// Deletes the rows of each kind older than its retention.
pub struct RetentionSweep {
    store: Arc<dyn Store>,
    ages: Vec<(RetentionKind, Duration)>,
    batch: u32,
    pause: Duration,
    period: Duration,
}

/// The moment before which a row of this age is past it; `None` when that precedes the calendar.
fn cutoff(age: Duration) -> Option<crate::domain::Timestamp> {
    let age = chrono::Duration::from_std(age).ok()?;
    chrono::Utc::now().naive_utc().checked_sub_signed(age)
}

impl RetentionSweep {
    /// How many rows of each kind are past their retention now.
    pub async fn count(&self) -> Result<Vec<(RetentionKind, u64)>, StoreError> {
        let mut counts = Vec::with_capacity(self.ages.len());
        for &(kind, age) in &self.ages {
            let count = match cutoff(age) {
                Some(before) => self.store.count_expired(kind, before).await?,
                None => 0,
            };
            counts.push((kind, count));
        }
        Ok(counts)
    }

    /// One round: deletes every row past its retention, batch by batch; how many of each kind went.
    pub async fn sweep(&self) -> Result<Vec<(RetentionKind, u64)>, StoreError> {
        let mut deleted = Vec::with_capacity(self.ages.len());
        for &(kind, age) in &self.ages {
            deleted.push((kind, self.sweep_kind(kind, age).await?));
        }
        Ok(deleted)
    }

    async fn sweep_kind(&self, kind: RetentionKind, age: Duration) -> Result<u64, StoreError> {
        // A retention reaching back before the calendar starts has nothing to delete.
        let Some(before) = cutoff(age) else { return Ok(0) };
        let mut deleted = 0;
        loop {
            let batch = self.store.delete_expired(kind, before, self.batch).await?;
            deleted += batch;
            if batch < u64::from(self.batch) {
                return Ok(deleted);
            }
            tokio::time::sleep(self.pause).await;
        }
    }

    /// Sweeps each period until `closing` turns true, also in the middle of a round (a batch
    /// cut short rolls back); a failed round is logged and retried the next period.
    pub async fn run(self, mut closing: watch::Receiver<bool>) {
        loop {
            let round = async {
                tokio::time::sleep(self.period).await;
                self.sweep().await
            };
            let outcome = tokio::select! {
                _ = closing.wait_for(|closed| *closed) => return,
                outcome = round => outcome,
            };
            match outcome {
                Ok(deleted) => {
                    for (kind, rows) in deleted.into_iter().filter(|(_, rows)| *rows > 0) {
                        tracing::info!(kind = kind.name(), rows, "deleted rows past their retention");
                    }
                }
                Err(err) => tracing::warn!(error = %err, "the retention sweep failed"),
            }
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
    #[arg(long, env = "TICKETD_PENDING_UPLOAD_TTL", default_value = "24h", value_parser = parse_ttl)]
    pub pending_upload_ttl: Duration,
}

pub async fn run_purge(args: PurgeArgs) -> Result<(), String> {
    let store = crate::store::connect(&args.database.database_url).await.map_err(|err| err.to_string())?;
    let sweep = args.retention.sweep(store, args.pending_upload_ttl);
    let (verb, rows) =
        if args.dry_run { ("would delete", sweep.count().await) } else { ("deleted", sweep.sweep().await) };
    let rows = rows.map_err(|err| err.to_string())?;
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
