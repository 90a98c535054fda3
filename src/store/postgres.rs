//! The PostgreSQL store, for running several ticketd instances on one database.

use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use super::StoreError;

/// A ticketd store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to a `postgres://` URL and applies the schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Runs a save in its own transaction: committed when `work` succeeds, rolled back otherwise.
    async fn in_write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sqlx::PgConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let mut tx = self.pool.begin().await?;
        let outcome = work(&mut tx).await;
        if outcome.is_ok() {
            tx.commit().await?;
        }
        // Dropping an uncommitted transaction rolls it back.
        outcome
    }
}

mod shared {
    use sqlx::Row as _;

    type Db = super::Postgres;
    type This = super::PostgresStore;
    const BEGIN_WRITE: &str = "BEGIN";
    // One snapshot for all the reads that assemble a message.
    const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    const SHARES_OUTBOX: bool = true;
    const CLAIM_DUE: &str = "UPDATE outbox SET claimed_by = $1, claim_expires_at = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 0 AND next_attempt_at <= $3 AND claim_expires_at <= $3 \
         ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)";

    include!("shared/store_impl.rs");

    impl This {
        fn writer_counts(&self) -> Option<(u64, u64)> {
            None
        }
    }
}
