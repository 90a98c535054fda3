//! The outbox's row counts for `/metrics`, kept for a short time: counting is a `GROUP BY` over
//! the whole outbox, so scrapes within the time share one count, and scrapes that arrive while
//! it runs wait for it rather than starting their own.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::store::outbox::OutboxCount;
use crate::store::{Store, StoreError};

/// The last counts and when they were taken.
pub struct OutboxCountsCache {
    ttl: Duration,
    latest: Mutex<Option<(Instant, Arc<Vec<OutboxCount>>)>>,
    queries: AtomicU64,
}

impl OutboxCountsCache {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, latest: Mutex::new(None), queries: AtomicU64::new(0) }
    }

    /// Counts at most `ttl` old. The lock is held across the query, so concurrent callers run
    /// it once between them.
    pub async fn get(&self, store: &dyn Store) -> Result<Arc<Vec<OutboxCount>>, StoreError> {
        let mut latest = self.latest.lock().await;
        if let Some((taken, counts)) = latest.as_ref()
            && taken.elapsed() < self.ttl
        {
            return Ok(counts.clone());
        }
        self.queries.fetch_add(1, Ordering::Relaxed);
        let counts = Arc::new(store.outbox_counts().await?);
        *latest = Some((Instant::now(), counts.clone()));
        Ok(counts)
    }

    /// How many times the outbox was counted.
    pub fn queries(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }
}
