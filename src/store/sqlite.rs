//! The embedded SQLite store: one file, WAL journal, every write transaction `BEGIN IMMEDIATE`
//! so concurrent writers queue on the lock instead of failing with "database is busy".

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use super::{SqliteSync, StoreError};

/// A ticketd store in a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating when missing) the database at a `sqlite:` URL and applies the schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, SqliteSync::Full).await
    }

    /// Like [`connect`](Self::connect), syncing the log at the given level.
    pub async fn connect_with(url: &str, sync: SqliteSync) -> Result<Self, StoreError> {
        let synchronous = match sync {
            SqliteSync::Full => SqliteSynchronous::Full,
            SqliteSync::Normal => SqliteSynchronous::Normal,
        };
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}

mod shared {
    use sqlx::Row as _;

    type Db = super::Sqlite;
    type This = super::SqliteStore;
    const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
    const BEGIN_READ: &str = "BEGIN";
    const SHARES_OUTBOX: bool = false;
    const CLAIM_DUE: &str = "UPDATE outbox SET claimed_by = $1, claim_expires_at = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 0 AND next_attempt_at <= $3 AND claim_expires_at <= $3 \
         ORDER BY next_attempt_at, id LIMIT $4)";

    include!("shared/store_impl.rs");
}
