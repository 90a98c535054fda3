//! The sweep `ticketd serve` runs in the background: uploads that no message claimed within
//! `--pending-upload-ttl` are deleted, a small batch per statement so writers are not held up.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::store::{Store, StoreError};

/// Uploads deleted per statement.
const BATCH: u32 = 100;
/// Bounds of the pause between two rounds (a quarter of the TTL).
const SHORTEST_PERIOD: Duration = Duration::from_secs(1);
const LONGEST_PERIOD: Duration = Duration::from_secs(10 * 60);

/// Parses `--pending-upload-ttl` like the other durations; zero would delete uploads before
/// anyone could connect them.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    super::delivery::parse_std_duration(text)
        .and_then(|ttl| if ttl.is_zero() { Err(format!("'{text}' is not a positive duration")) } else { Ok(ttl) })
}

/// Deletes uploads older than `ttl` that no message claimed.
pub struct PendingUploadSweep {
    store: Arc<dyn Store>,
    ttl: Duration,
}

impl PendingUploadSweep {
    pub fn new(store: Arc<dyn Store>, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    /// One round: deletes every expired upload, batch by batch; how many went.
    pub async fn sweep(&self) -> Result<u64, StoreError> {
        let age = chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::MAX);
        // A TTL reaching back before the calendar starts has nothing to delete.
        let Some(cutoff) = chrono::Utc::now().naive_utc().checked_sub_signed(age) else { return Ok(0) };
        let mut deleted = 0;
        loop {
            let batch = self.store.delete_pending_uploads(cutoff, BATCH).await?;
            deleted += batch;
            if batch < u64::from(BATCH) {
                return Ok(deleted);
            }
            tokio::task::yield_now().await;
        }
    }

    /// Sweeps each period until `closing` turns true, also in the middle of a round (a batch
    /// cut short rolls back); a failed round is logged and retried the next period.
    pub async fn run(self, mut closing: watch::Receiver<bool>) {
        let period = (self.ttl / 4).clamp(SHORTEST_PERIOD, LONGEST_PERIOD);
        loop {
            let round = async {
                tokio::time::sleep(period).await;
                self.sweep().await
            };
            let outcome = tokio::select! {
                _ = closing.wait_for(|closed| *closed) => return,
                outcome = round => outcome,
            };
            match outcome {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "deleted uploads no message claimed in time"),
                Err(err) => tracing::warn!(error = %err, "the sweep of unclaimed uploads failed"),
            }
        }
    }
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
}
