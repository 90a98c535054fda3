//! SQLite's connections: opened with the store's settings, a small pool of reader connections
//! used in place, and row helpers. Reads run on the calling thread: handing every statement to a
//! worker thread and back (as sqlx does) costs more than SQLite spends running it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::ToSql;
use rusqlite::{CachedStatement, Connection, OpenFlags, Row};

use crate::store::columns::Columns;
use crate::store::{SqliteSync, StoreError};

/// Reader connections kept open between requests.
const IDLE_READERS: usize = 8;
/// Statements each connection keeps prepared: every statement of the hot path fits.
const PREPARED_STATEMENTS: usize = 64;

/// Opens a connection to an existing database file with the store's settings.
pub fn open_connection(path: &Path, sync: SqliteSync) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.pragma_update(None, "synchronous", if sync == SqliteSync::Full { "FULL" } else { "NORMAL" })?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(PREPARED_STATEMENTS);
    Ok(conn)
}

/// Reader connections, taken for one read and put back. A read runs on the calling task's
/// thread: in WAL mode it never waits for the writer, and it takes microseconds, less than a
/// hand-off to another thread would.
pub struct Readers {
    path: PathBuf,
    sync: SqliteSync,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Readers {
    pub fn new(path: PathBuf, sync: SqliteSync) -> Self {
        Self { path, sync, idle: Mutex::new(Vec::new()) }
    }

    /// Runs `read` on an idle connection, opening one when none is idle.
    pub fn with<T>(&self, read: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let idle = self.idle.lock().map_or(None, |mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => open_connection(&self.path, self.sync)?,
        };
        let result = read(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_READERS
        {
            idle.push(conn);
        }
        result
    }
}

/// Parameters are written `$1`, `$2`… so PostgreSQL can run the same text. SQLite takes them
/// as names numbered by first appearance, not by their digits, so they are bound by name.
const NUMBERED: [&str; 24] = [
    "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$16", "$17",
    "$18", "$19", "$20", "$21", "$22", "$23", "$24",
];

/// Prepares (or takes from the connection's cache) `sql` and binds `values` to `$1`, `$2`…
fn bound<'c>(conn: &'c Connection, sql: &str, values: &[&dyn ToSql]) -> Result<CachedStatement<'c>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    if values.len() != statement.parameter_count() {
        return Err(StoreError::from(rusqlite::Error::InvalidParameterCount(
            values.len(),
            statement.parameter_count(),
        )));
    }
    for (at, value) in values.iter().enumerate() {
        match NUMBERED.get(at) {
            Some(name) => statement.raw_bind_parameter(*name, value)?,
            // Only list queries with many filter values get this far.
            None => statement.raw_bind_parameter(format!("${}", at + 1).as_str(), value)?,
        }
    }
    Ok(statement)
}

/// The first row of a statement's result, mapped; `None` when there is none.
pub fn one<T>(
    conn: &Connection,
    sql: &str,
    values: &[&dyn ToSql],
    map: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut statement = bound(conn, sql, values)?;
    let mut rows = statement.raw_query();
    rows.next()?.map(map).transpose()
}

/// Every row of a statement's result, mapped.
pub fn all<T>(
    conn: &Connection,
    sql: &str,
    values: &[&dyn ToSql],
    mut map: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = bound(conn, sql, values)?;
    let mut rows = statement.raw_query();
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(map(row)?);
    }
    Ok(found)
}

/// Runs a statement; returns how many rows it changed.
pub fn run(conn: &Connection, sql: &str, values: &[&dyn ToSql]) -> Result<usize, StoreError> {
    Ok(bound(conn, sql, values)?.raw_execute()?)
}

/// A rusqlite row whose columns are found through a name index built once. rusqlite finds a
/// column by name by comparing it with every column in turn: on the message row, dozens of
/// columns wide, that cost more than running the statement.
pub struct IndexedRow<'r, 's> {
    row: &'r Row<'s>,
    index: HashMap<&'r str, usize>,
}

impl<'r, 's> IndexedRow<'r, 's> {
    pub fn new(row: &'r Row<'s>) -> Self {
        let statement: &'r rusqlite::Statement<'s> = row.as_ref();
        let index = statement.column_names().into_iter().enumerate().map(|(at, name)| (name, at)).collect();
        Self { row, index }
    }

    fn get<T: rusqlite::types::FromSql>(&self, column: &str) -> Result<T, StoreError> {
        match self.index.get(column) {
            Some(&at) => Ok(self.row.get(at)?),
            None => Err(StoreError::from(rusqlite::Error::InvalidColumnName(column.to_owned()))),
        }
    }
}

impl Columns for IndexedRow<'_, '_> {
    fn int(&self, column: &str) -> Result<i32, StoreError> {
        self.get(column)
    }
    fn big(&self, column: &str) -> Result<i64, StoreError> {
        self.get(column)
    }
    fn maybe_int(&self, column: &str) -> Result<Option<i32>, StoreError> {
        self.get(column)
    }
    fn text(&self, column: &str) -> Result<String, StoreError> {
        self.get(column)
    }
    fn maybe_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.get(column)
    }
    fn flag(&self, column: &str) -> Result<bool, StoreError> {
        self.get(column)
    }
    fn maybe_big(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.get(column)
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        self.get(column)
    }
}
