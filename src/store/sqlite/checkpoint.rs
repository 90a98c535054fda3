//! Keeps SQLite's write-ahead log bounded. SQLite's own checkpoint after commits copies pages
//! back but can restart the log from its beginning only when no reader is inside it; under a
//! steady read load that rarely happens and the `-wal` file keeps growing. The writer therefore
//! looks at the file's size every few commits and, past a limit, runs a `TRUNCATE` checkpoint,
//! which waits (briefly) for the readers of the moment to finish and empties the file.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::Connection;

/// The `-wal` size past which the writer truncates the log, unless configured otherwise.
pub const DEFAULT_WAL_LIMIT: u64 = crate::store::DEFAULT_SQLITE_WAL_LIMIT;
/// Commits between two looks at the file size.
const CHECK_EVERY: u32 = 8;
/// The most commits left alone after readers kept truncations from finishing; the wait starts
/// at [`CHECK_EVERY`] and doubles with each failure in a row.
const LONGEST_BACK_OFF: u32 = 1024;
/// How long a truncation waits for readers; saves queue behind it meanwhile.
const READER_WAIT: Duration = Duration::from_millis(100);
/// The busy timeout the writer's connection has otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The writer's watch over its log file.
pub struct WalBound {
    wal: Option<PathBuf>,
    limit: u64,
    until_check: u32,
    failures: u32,
}

impl WalBound {
    /// Watches the log of the database `conn` writes to, keeping it to the connection's
    /// `journal_size_limit` (see [`set_limit`]; [`DEFAULT_WAL_LIMIT`] when none is set).
    pub fn new(conn: &Connection) -> Self {
        let configured = conn.pragma_query_value(None, "journal_size_limit", |row| row.get::<_, i64>(0));
        let limit = match configured.map(u64::try_from) {
            Ok(Ok(limit)) => limit,
            _ => {
                let _ = set_limit(conn, DEFAULT_WAL_LIMIT);
                DEFAULT_WAL_LIMIT
            }
        };
        let wal = conn.path().filter(|path| !path.is_empty()).map(|path| PathBuf::from(format!("{path}-wal")));
        Self { wal, limit, until_check: CHECK_EVERY, failures: 0 }
    }

    /// Called after each commit: truncates the log once it has grown past the limit.
    pub fn after_commit(&mut self, conn: &Connection) {
        self.until_check = self.until_check.saturating_sub(1);
        if self.until_check > 0 {
            return;
        }
        self.until_check = CHECK_EVERY;
        let Some(wal) = &self.wal else { return };
        let size = std::fs::metadata(wal).map_or(0, |meta| meta.len());
        if size <= self.limit {
            return;
        }
        match truncate(conn) {
            Ok(true) => {
                tracing::debug!(size, "truncated the SQLite log");
                self.failures = 0;
                return;
            }
            Ok(false) => tracing::debug!(size, "readers kept the SQLite log from being truncated; trying later"),
            Err(err) => tracing::warn!(error = %err, size, "the SQLite log could not be truncated"),
        }
        // A reader that held on is usually gone by the next look; only a run of failures (a
        // long read such as a backup) spaces the attempts out, each of which stalls saves.
        self.failures = self.failures.saturating_add(1);
        if self.failures > 3 {
            self.until_check = CHECK_EVERY.saturating_mul(1 << (self.failures - 3).min(5)).min(LONGEST_BACK_OFF);
        }
    }
}

/// Sets the size the writer keeps the log to; SQLite also cuts a log it resets back to it.
pub fn set_limit(conn: &Connection, bytes: u64) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_size_limit", i64::try_from(bytes).unwrap_or(i64::MAX))
}

/// Runs a `TRUNCATE` checkpoint waiting at most [`READER_WAIT`] for readers; whether it finished.
fn truncate(conn: &Connection) -> rusqlite::Result<bool> {
    conn.busy_timeout(READER_WAIT)?;
    let busy = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get::<_, i64>(0));
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(busy? == 0)
}
