//! The embedded SQLite store: one file, WAL journal, all on rusqlite. Reads run in place on
//! reader connections (`direct::Readers`) and never wait for writes; every write — message
//! saves, logins and secrets, outbox claims and settles, attachments, webhooks, retention — is
//! a job of the one writer thread (`writer`), which commits the jobs queued behind each other
//! together. The store's operations (`store::ops`) run on either through `lite::Lite`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use self::direct::{Readers, open_connection};
use self::lite::Lite;
use self::writer::WriteQueue;
use super::credentials_watch::CredentialsWatch;
use super::db::in_place;
use super::save;
use super::{Credentials, SaveContext, SqliteSync, StoreError};
use crate::domain::{MessageDraft, TicketMessage};

mod checkpoint;
pub(super) mod direct;
mod edit;
pub(super) mod lite;
mod migrate;
#[cfg(test)]
mod queue_tests;
mod read;
mod side_impl;
mod startup;
mod store_impl;
#[cfg(test)]
mod test_tmpfs;
mod writer;

pub use startup::database_path;

/// A ticketd store in a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
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
        let path = database_path(url)?;
        startup::check_writable(&path)?;
        let mut attempt = 0;
        loop {
            let opening = path.clone();
            let opened = tokio::task::spawn_blocking(move || prepare(&opening, sync))
                .await
                .map_err(|err| StoreError::Internal(format!("opening the database failed: {err}")))?;
            match opened {
                // A concurrent checkpoint or mode switch holds the file briefly.
                Err(StoreError::Busy) if attempt < 50 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => return Err(startup::naming(&path, error)),
                Ok(connection) => {
                    checkpoint::set_limit(&connection, wal_limit)?;
                    let writer = WriteQueue::start(connection)?;
                    let readers = Arc::new(Readers::new(path, sync));
                    return Ok(Self { readers, writer, credentials: Arc::default(), message_reads: Arc::default() });
                }
            }
        }
    }

    /// Runs `read` on a reader connection, in place.
    fn read<T>(&self, read: impl FnOnce(&mut Lite<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.readers.with(|conn| read(&mut Lite(conn)))
    }

    /// Runs `read` on a reader connection on a blocking-pool thread: for reads that may scan
    /// (a list over many messages, a count of expired rows, a whole attachment), which would
    /// hold up the requests sharing an async thread if run in place.
    async fn read_aside<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Lite<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || readers.with(|conn| read(&mut Lite(conn))))
            .await
            .map_err(|err| StoreError::Internal(format!("a read stopped: {err}")))?
    }

    /// Runs `write` (any write but a message save) as a job of the writer's next group commit;
    /// see [`WriteQueue::run_aside`].
    async fn write<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Lite<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.run_aside(move |conn| write(&mut Lite(conn))).await
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
        self.in_write(move |conn| in_place(save::update(&mut Lite(conn), id, &draft, ctx)).map(drop)).await
    }

    async fn save_create(&self, draft: MessageDraft, ctx: SaveContext) -> Result<i32, StoreError> {
        self.in_write(move |conn| in_place(save::create(&mut Lite(conn), &draft, ctx, super::now_ticks()))).await
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
        self.in_write(move |conn| in_place(save::create_once(&mut Lite(conn), &draft, ctx, &key, window))).await
    }

    async fn save_delete(&self, id: i32) -> Result<bool, StoreError> {
        let ctx = super::acting_context();
        self.in_write(move |conn| in_place(save::delete(&mut Lite(conn), id, ctx))).await
    }

    /// Occupies the writer, once it has begun (`started`), until `release` is sent or dropped:
    /// the writes queued meanwhile wait.
    #[cfg(test)]
    pub(crate) async fn hold_writer(
        &self,
        started: tokio::sync::oneshot::Sender<()>,
        release: tokio::sync::oneshot::Receiver<()>,
    ) -> Result<(), StoreError> {
        self.writer
            .run(move |_| {
                let _ = started.send(());
                let _ = release.blocking_recv();
                Ok(())
            })
            .await
    }
}

/// Opens the file (creating it when missing) for the writer, puts it in WAL mode unless it
/// is already, and applies the schema. Blocking: start-up runs it off the async threads.
fn prepare(path: &Path, sync: SqliteSync) -> Result<Connection, StoreError> {
    if !path.exists() {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        drop(Connection::open_with_flags(path, flags)?);
    }
    let connection = open_connection(path, sync)?;
    ensure_wal(&connection)?;
    migrate::run(&connection, &super::schema::SQLITE)?;
    Ok(connection)
}

/// Puts the database file into WAL mode unless it already is. The journal mode is not set on
/// every connection: switching it needs an exclusive lock the busy timeout does not wait for,
/// so a CLI command opening the file beside a running server would fail with "database is
/// locked". WAL is stored in the file, so it is set once, only when the file is not in WAL yet.
fn ensure_wal(conn: &Connection) -> Result<(), StoreError> {
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    }
    Ok(())
}

/// The path of a `sqlite:` URL's file, for tests that open it beside the store.
#[cfg(test)]
fn test_path(url: &str) -> std::path::PathBuf {
    database_path(url).expect("a sqlite URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opening_waits_while_another_process_holds_the_file_exclusively() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        drop(SqliteStore::connect(&url).await.expect("created"));
        let holder = Connection::open(test_path(&url)).expect("holder opens");
        holder.execute_batch("PRAGMA locking_mode = EXCLUSIVE").expect("exclusive mode");
        let _: i64 = holder.query_row("SELECT count(*) FROM outbox", [], |row| row.get(0)).expect("takes the lock");
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            drop(holder);
        });
        let store = SqliteStore::connect(&url).await.expect("the open waits instead of failing");
        let mode: String =
            store.read(|db| Ok(db.0.query_row("PRAGMA journal_mode", [], |row| row.get(0))?)).expect("mode");
        assert_eq!(mode, "wal");
        release.join().expect("holder thread");
    }
}
