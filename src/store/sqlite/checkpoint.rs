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
/// How long a truncation waits for the reads under way to end (new reads do not hold it up);
/// saves queue behind it meanwhile, so it is short, yet longer than a slow list read.
const READER_WAIT: Duration = Duration::from_secs(1);
/// The busy timeout the writer's connection has otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The writer's watch over its log file.
pub struct WalBound {
    wal: Option<PathBuf>,
    limit: u64,
    /// The size the next truncation is tried at: the limit, or further once readers kept one
    /// from finishing, so a long read (a backup) stalls saves once per half a limit written.
    next_try: u64,
    until_check: u32,
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
        Self { wal, limit, next_try: limit, until_check: CHECK_EVERY }
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
        if size <= self.next_try {
            return;
        }
        let started = std::time::Instant::now();
        let outcome = truncate(conn);
        let took_ms = started.elapsed().as_millis();
        match outcome {
            Ok(true) => {
                tracing::debug!(size, took_ms, "truncated the SQLite log");
                self.next_try = self.limit;
                return;
            }
            Ok(false) => {
                tracing::debug!(size, took_ms, "readers kept the SQLite log from being truncated; trying later")
            }
            Err(err) => tracing::warn!(error = %err, size, "the SQLite log could not be truncated"),
        }
        self.next_try = size.saturating_add(self.limit / 2);
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
