//! What the health endpoints and shutdown share: the drain state and the cached verdict of the
//! readiness probe. Held in the application state; knows the store, not the handlers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::store::Store;

/// How long a readiness verdict on the database is reused: probes stay cheap however often
/// load balancers ask.
const VERDICT_TTL: Duration = Duration::from_secs(2);
/// A write probe that waits longer than this (a lock held elsewhere) counts as a failure.
const PROBE_LIMIT: Duration = Duration::from_secs(5);

/// The last verdict of the database write probe, and when it was reached.
#[derive(Debug, Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(Instant, Result<(), String>)>>,
}

impl Readiness {
    /// The database's verdict, probed at most once per [`VERDICT_TTL`]; concurrent callers
    /// wait for the one probe rather than each running their own.
    pub(super) async fn database_verdict(&self, store: &dyn Store) -> Result<(), String> {
        let mut last = self.last.lock().await;
        if let Some((at, verdict)) = last.as_ref()
            && at.elapsed() < VERDICT_TTL
        {
            return verdict.clone();
        }
        let verdict = match tokio::time::timeout(PROBE_LIMIT, store.write_probe()).await {
            Ok(Ok(pending)) if pending.is_empty() => Ok(()),
            Ok(Ok(pending)) => Err(format!("MigrationsPending: {}", pending.join(", "))),
            Ok(Err(err)) => Err(format!("DatabaseNotWritable: {err}")),
            Err(_) => Err(format!("DatabaseBusy: a write probe waited over {} s", PROBE_LIMIT.as_secs())),
        };
        if let Err(reason) = &verdict {
            tracing::warn!(%reason, "readiness check failed");
        }
        *last = Some((Instant::now(), verdict.clone()));
        verdict
    }
}

/// What the health endpoints and shutdown share: the drain state and the readiness cache.
#[derive(Debug, Default)]
pub struct Lifecycle {
    pub drain: Arc<super::drain::Drain>,
    pub readiness: Readiness,
}
