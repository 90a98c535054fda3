//! Sorts the drivers' errors (sqlx's from PostgreSQL, rusqlite's from SQLite) into what they
//! mean for a caller: busy, unavailable, full, read-only or corrupt. Anything else stays the driver's error (a 500 once rendered).

use super::StoreError;

/// SQLite's primary result codes (the low byte of the extended codes).
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_READONLY: i32 = 8;
const SQLITE_IOERR: i32 = 10;
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_FULL: i32 = 13;
const SQLITE_CANTOPEN: i32 = 14;
const SQLITE_NOTADB: i32 = 26;

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::PoolTimedOut => StoreError::Busy,
            sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
                StoreError::Unavailable(err.to_string())
            }
            // sqlx runs PostgreSQL only: its codes are SQLSTATEs.
            sqlx::Error::Database(db) => match db.code() {
                Some(code) => by_sqlstate(&code, &err).unwrap_or(StoreError::Database(err)),
                None => StoreError::Database(err),
            },
            _ => StoreError::Database(err),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match &err {
            rusqlite::Error::SqliteFailure(failure, _) => {
                by_sqlite_code(failure.extended_code, &err.to_string()).unwrap_or(StoreError::Sqlite(err))
            }
            _ => StoreError::Sqlite(err),
        }
    }
}

/// SQLite's extended codes for a violated key: UNIQUE, PRIMARY KEY, FOREIGN KEY.
const SQLITE_CONSTRAINT_UNIQUE: i32 = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY: i32 = 1555;
const SQLITE_CONSTRAINT_FOREIGNKEY: i32 = 787;

/// Whether a statement failed on a unique key (a login or name taken), on either backend.
pub(crate) fn is_unique_violation(err: &StoreError) -> bool {
    match err {
        StoreError::Database(sqlx::Error::Database(db)) => db.is_unique_violation(),
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => {
            matches!(failure.extended_code, SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY)
        }
        _ => false,
    }
}

/// Whether a statement failed on a foreign key (a row naming one that does not exist).
pub(crate) fn is_foreign_key_violation(err: &StoreError) -> bool {
    match err {
        StoreError::Database(sqlx::Error::Database(db)) => db.is_foreign_key_violation(),
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => {
            failure.extended_code == SQLITE_CONSTRAINT_FOREIGNKEY
        }
        _ => false,
    }
}

/// Classifies an error from a COMMIT. Losing the connection there (an I/O error, or the server
/// ending the session) leaves the outcome unknown: the commit may have been durable before the
/// answer was lost. Any other error means the transaction did not commit.
pub(crate) fn at_commit(err: sqlx::Error) -> StoreError {
    let connection_lost = match &err {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some_and(|pg| {
            let code = pg.code();
            code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    };
    if connection_lost {
        tracing::warn!(error = %err, "the connection was lost during a commit");
        StoreError::CommitUnknown
    } else {
        StoreError::from(err)
    }
}

/// A PostgreSQL SQLSTATE that says the server cannot serve now, or is out of room.
fn by_sqlstate(code: &str, err: &sqlx::Error) -> Option<StoreError> {
    match code {
        // connection_exception (class 08); admin_shutdown, crash_shutdown, cannot_connect_now;
        // read_only_sql_transaction (a standby, or a primary being demoted).
        _ if code.starts_with("08") => Some(StoreError::Unavailable(err.to_string())),
        "57P01" | "57P02" | "57P03" | "25006" => Some(StoreError::Unavailable(err.to_string())),
        // too_many_connections; serialization_failure; deadlock_detected.
        "53300" | "40001" | "40P01" => Some(StoreError::Busy),
        // disk_full, insufficient_resources.
        "53100" | "53000" => Some(StoreError::StorageFull),
        _ => None,
    }
}

/// A SQLite result code (primary or extended) that says the file cannot take the request.
fn by_sqlite_code(code: i32, text: &str) -> Option<StoreError> {
    match code & 0xff {
        SQLITE_BUSY | SQLITE_LOCKED => Some(StoreError::Busy),
        SQLITE_READONLY => Some(StoreError::ReadOnly),
        SQLITE_FULL => Some(StoreError::StorageFull),
        SQLITE_CORRUPT | SQLITE_NOTADB => Some(StoreError::Corrupt(text.to_owned())),
        SQLITE_IOERR | SQLITE_CANTOPEN => Some(StoreError::Unavailable(text.to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes_map_to_what_they_mean_for_a_caller() {
        assert!(matches!(by_sqlite_code(13, "full"), Some(StoreError::StorageFull)));
        assert!(matches!(by_sqlite_code(8 | (1 << 8), "ro"), Some(StoreError::ReadOnly)));
        assert!(matches!(by_sqlite_code(5 | (2 << 8), "busy"), Some(StoreError::Busy)));
        assert!(matches!(by_sqlite_code(26, "not a db"), Some(StoreError::Corrupt(_))));
        assert!(by_sqlite_code(19, "constraint").is_none(), "constraint errors keep their meaning");
    }

    #[test]
    fn pool_and_connection_faults_are_not_internal_errors() {
        assert!(matches!(StoreError::from(sqlx::Error::PoolTimedOut), StoreError::Busy));
        assert!(matches!(StoreError::from(sqlx::Error::PoolClosed), StoreError::Unavailable(_)));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(matches!(StoreError::from(sqlx::Error::Io(io)), StoreError::Unavailable(_)));
        let failure = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(13), None);
        assert!(matches!(StoreError::from(failure), StoreError::StorageFull));
    }

    #[test]
    fn a_connection_lost_at_commit_leaves_the_outcome_unknown() {
        let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "eof");
        assert!(matches!(at_commit(sqlx::Error::Io(eof)), StoreError::CommitUnknown));
        assert!(matches!(at_commit(sqlx::Error::PoolTimedOut), StoreError::Busy), "no connection: nothing was sent");
    }
}
