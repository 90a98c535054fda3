//! The retention sweep `ticketd serve` runs in the background (and `ticketd purge` runs once):
//! rows go a small batch per statement with a pause between batches, so saves never wait long
//! behind a sweep.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::settings::RetentionOptions;
use crate::store::{RetentionKind, Store, StoreError};

/// The shortest pause between two rounds.
const SHORTEST_PERIOD: Duration = Duration::from_secs(1);

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
    /// The sweep `options` describe, with uploads unclaimed for `pending_upload_ttl` going too.
    pub fn new(store: Arc<dyn Store>, options: &RetentionOptions, pending_upload_ttl: Duration) -> Self {
        let ages = [
            (RetentionKind::SaveEvents, options.event_retention.0),
            (RetentionKind::DeliveredNotifications, options.delivered_retention.0),
            (RetentionKind::IdempotencyKeys, options.idempotency_retention.0),
            (RetentionKind::ExpiredSecrets, options.expired_secret_retention.0),
            (RetentionKind::PendingUploads, Some(pending_upload_ttl)),
        ];
        // Unclaimed uploads are looked at a few times per TTL, so a short TTL is kept to closely.
        let period = options.retention_interval.min(pending_upload_ttl / 4).max(SHORTEST_PERIOD);
        Self {
            store,
            ages: ages.into_iter().filter_map(|(kind, age)| Some((kind, age?))).collect(),
            batch: options.retention_batch.max(1),
            pause: options.retention_pause,
            period,
        }
    }

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

impl RetentionOptions {
    /// The sweep these options describe, with uploads unclaimed for `pending_upload_ttl` going too.
    pub fn sweep(&self, store: Arc<dyn Store>, pending_upload_ttl: Duration) -> RetentionSweep {
        RetentionSweep::new(store, self, pending_upload_ttl)
    }
}
