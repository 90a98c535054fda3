//! What a store tells the authentication cache about credentials: how many associate rows it
//! read for authentication, and an epoch that moves when this process changed credentials or
//! heard (PostgreSQL `LISTEN`) that another writer did, or lost the means to hear it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;

/// The channel the associates' trigger notifies (migration 0013).
const CHANNEL: &str = "ticketd_credentials";

#[derive(Debug, Default)]
pub struct CredentialsWatch {
    reads: AtomicU64,
    epoch: AtomicU64,
}

impl CredentialsWatch {
    pub fn read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }

    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    pub fn changed(&self) {
        self.epoch.fetch_add(1, Ordering::Release);
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }
}

/// Moves `watch`'s epoch on every credentials notification from the database, and whenever
/// the listening connection is lost or cannot be had (notifications sent meanwhile are gone,
/// so whatever was cached may be stale). Ends when the pool closes.
pub async fn listen(pool: PgPool, watch: std::sync::Arc<CredentialsWatch>) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(sqlx::Error::PoolClosed) => return,
            Err(error) => {
                tracing::debug!(%error, "cannot listen for credentials changes; retrying");
                watch.changed();
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::debug!(%error, "cannot listen for credentials changes; retrying");
            watch.changed();
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Anything may have changed before the listening began.
        watch.changed();
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => watch.changed(),
                // Lost, and reconnected (listening again) on the next call.
                Ok(None) => watch.changed(),
                Err(sqlx::Error::PoolClosed) => return,
                Err(error) => {
                    tracing::debug!(%error, "lost the credentials listener; reconnecting");
                    watch.changed();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}
