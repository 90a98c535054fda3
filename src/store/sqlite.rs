//! The embedded SQLite store: one file, WAL journal, every write transaction `BEGIN IMMEDIATE`
//! so concurrent writers queue on the lock instead of failing with "database is busy". Message
//! reads and saves take the rusqlite path (`direct`, `writer`); the rest goes through sqlx.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use self::direct::{Readers, open_connection};
use self::writer::WriteQueue;
use super::credentials_watch::CredentialsWatch;
use super::{Credentials, SaveContext, SqliteSync, StoreError};
use crate::domain::{MessageDraft, TicketMessage};

mod checkpoint;
mod children;
pub(super) mod direct;
mod edit;
mod read;
mod save;
mod startup;
#[cfg(test)]
mod test_tmpfs;
mod writer;

/// A ticketd store in a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    readers: Arc<Readers>,
    writer: WriteQueue,
    /// Associate rows read, and credentials changes seen, for the authentication cache.
    credentials: Arc<CredentialsWatch>,
    /// Whole messages read for requests (not those read inside a write).
    message_reads: Arc<super::edit::ReadCount>,
}

impl SqliteStore {
    /// Opens (creating when missing) the database at a `sqlite:` URL and applies the schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, SqliteSync::Full).await
    }

    /// Like [`connect`](Self::connect), syncing the log at the given level.
    pub async fn connect_with(url: &str, sync: SqliteSync) -> Result<Self, StoreError> {
        Self::connect_tuned(url, sync, checkpoint::DEFAULT_WAL_LIMIT).await
    }

    /// Like [`connect_with`](Self::connect_with), the log truncated once past `wal_limit` bytes.
    pub async fn connect_tuned(url: &str, sync: SqliteSync, wal_limit: u64) -> Result<Self, StoreError> {
        let synchronous = match sync {
            SqliteSync::Full => SqliteSynchronous::Full,
            SqliteSync::Normal => SqliteSynchronous::Normal,
        };
        // The journal mode is left out of the per-connection pragmas: switching it needs an
        // exclusive lock the busy timeout does not wait for, so a CLI command opening the file
        // beside a running server would fail with "database is locked". WAL is stored in the
        // file, so it is set once, only when the file is not in WAL yet.
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .synchronous(synchronous)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let path = options.get_filename().to_path_buf();
        startup::check_writable(&path)?;
        let mut attempt = 0;
        loop {
            match open(&options).await {
                Err(error) if attempt < 50 && is_busy(&error) => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => return Err(startup::naming(&path, error)),
                Ok(pool) => {
                    // Message saves go through one writer connection that commits them in groups;
                    // the pool serves the rarer reads and writes.
                    let connection = open_connection(&path, sync).map_err(|error| startup::naming(&path, error))?;
                    checkpoint::set_limit(&connection, wal_limit)?;
                    let writer = WriteQueue::start(connection)?;
                    let readers = Arc::new(Readers::new(path, sync));
                    return Ok(Self {
                        pool,
                        readers,
                        writer,
                        credentials: Arc::default(),
                        message_reads: Arc::default(),
                    });
                }
            }
        }
    }

    /// Runs a save in the writer's next group commit; see [`WriteQueue::run`].
    async fn in_write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.run(work).await
    }

    async fn read_message(&self, id: i32) -> Result<Option<TicketMessage>, StoreError> {
        self.message_reads.add();
        self.readers.with(|conn| read::load_message(conn, id))
    }

    async fn read_credentials(&self, login: Option<&str>, id: i32) -> Result<Option<Credentials>, StoreError> {
        self.credentials.read();
        self.readers.with(|conn| read::load_credentials(conn, login, id))
    }

    async fn read_credentials_version(&self) -> Result<i64, StoreError> {
        self.readers.with(read::load_credentials_version)
    }

    async fn save_update(&self, id: i32, draft: MessageDraft, ctx: SaveContext) -> Result<(), StoreError> {
        self.in_write(move |conn| save::update_in(conn, id, &draft, ctx)).await
    }

    async fn save_create(&self, draft: MessageDraft, ctx: SaveContext) -> Result<i32, StoreError> {
        self.in_write(move |conn| save::create_in(conn, &draft, ctx, super::now_ticks())).await
    }

    /// The writer runs saves one after another, so a retry with the same key finds the first
    /// create's key even when both are in one batch.
    async fn save_create_once(
        &self,
        draft: MessageDraft,
        ctx: SaveContext,
        key: String,
        window: chrono::Duration,
    ) -> Result<(i32, bool), StoreError> {
        self.in_write(move |conn| save::create_once_in(conn, &draft, ctx, &key, window)).await
    }

    async fn save_delete(&self, id: i32) -> Result<bool, StoreError> {
        let ctx = super::acting_context();
        self.in_write(move |conn| save::delete_in(conn, id, ctx)).await
    }
}

/// Opens the pool, puts the file in WAL mode and applies the schema; a "locked" answer from any
/// step is worth another try, since a concurrent checkpoint or mode switch holds the file briefly.
async fn open(options: &SqliteConnectOptions) -> Result<SqlitePool, StoreError> {
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // When SQLite ends a transaction itself (a full disk, an I/O error), sqlx's ROLLBACK
        // fails and its count of open transactions stays up: every later BEGIN on that
        // connection would fail. Such a connection is closed rather than pooled.
        .after_release(|conn, _| Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) }))
        .connect_with(options.clone())
        .await?;
    ensure_wal(&pool).await?;
    super::schema::SQLITE.run(&pool).await?;
    Ok(pool)
}

/// Puts the database file into WAL mode unless it already is.
async fn ensure_wal(pool: &SqlitePool) -> Result<(), StoreError> {
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        sqlx::query_scalar::<_, String>("PRAGMA journal_mode = WAL").fetch_one(pool).await?;
    }
    Ok(())
}

fn is_busy(error: &StoreError) -> bool {
    let database = match error {
        StoreError::Busy => return true,
        StoreError::Database(error) | StoreError::Migrate(sqlx::migrate::MigrateError::Execute(error)) => error,
        _ => return false,
    };
    // 5 is SQLITE_BUSY; the extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT...) share its low byte.
    matches!(database, sqlx::Error::Database(db) if db.code().and_then(|code| code.parse::<i32>().ok()).is_some_and(|code| code & 0xff == 5))
}

mod shared {
    use sqlx::Row as _;

    type Db = super::Sqlite;
    type This = super::SqliteStore;
    const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
    const BEGIN_READ: &str = "BEGIN";
    const SHARES_OUTBOX: bool = false;
    static MIGRATOR: &sqlx::migrate::Migrator = &crate::store::schema::SQLITE;
    const CLAIM_DUE: &str = crate::store::outbox::sql::CLAIM_DUE_SQLITE;

    include!("shared/store_impl.rs");

    impl This {
        fn writer_counts(&self) -> Option<(u64, u64)> {
            Some(self.writer.counts())
        }

        fn recent_write_fault(&self) -> Option<String> {
            self.writer.recent_fault()
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    use super::*;

    #[tokio::test]
    async fn opening_waits_while_another_process_holds_the_file_exclusively() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        SqliteStore::connect(&url).await.expect("created").pool.close().await;
        let mut holder = SqliteConnection::connect(&url).await.expect("holder opens");
        sqlx::query("PRAGMA locking_mode = EXCLUSIVE").execute(&mut holder).await.expect("exclusive mode");
        sqlx::query("SELECT count(*) FROM outbox").execute(&mut holder).await.expect("takes the lock");
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            holder.close().await.expect("released");
        });
        let store = SqliteStore::connect(&url).await.expect("the open waits instead of failing");
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&store.pool).await.expect("mode");
        assert_eq!(mode, "wal");
        release.await.expect("holder task");
    }
}
