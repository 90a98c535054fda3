//! What start-up checks before serving from a database file: that the file and its directory
//! can be written and that the file is a database, failing with the file's name and the cause.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, MAIN_DB, OpenFlags};

use crate::store::StoreError;

/// The file a `sqlite:` URL names (`sqlite://PATH` or `sqlite:PATH`, query options ignored).
pub fn database_path(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"));
    let path = rest.map(|rest| rest.split('?').next().unwrap_or_default()).unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Configuration(format!(
            "'{url}' names no database file: use sqlite:PATH (an in-memory database cannot be shared by the \
             store's connections)"
        )));
    }
    Ok(PathBuf::from(path))
}

/// Fails when an existing database file, or the directory that holds it (where SQLite keeps its
/// `-wal` and `-shm` files), cannot be written: SQLite would open it read-only without a word
/// and every save would fail later.
pub fn check_writable(path: &Path) -> Result<(), StoreError> {
    if !path.exists() {
        return Ok(());
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let probe = directory.join(format!(".{}.write-probe", path.file_name().unwrap_or_default().to_string_lossy()));
    if let Err(err) = std::fs::OpenOptions::new().write(true).create(true).truncate(true).open(&probe) {
        return Err(StoreError::Unavailable(format!(
            "cannot write in {} ({err}): SQLite keeps the -wal and -shm files of {} there",
            directory.display(),
            path.display()
        )));
    }
    let _ = std::fs::remove_file(&probe);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|err| naming(path, StoreError::from(err)))?;
    if conn.is_readonly(MAIN_DB).unwrap_or(false) {
        return Err(StoreError::Unavailable(format!(
            "{} is read-only: check the file's permissions and attributes (chattr +i) and that its file \
             system is mounted read-write",
            path.display()
        )));
    }
    Ok(())
}

/// Puts the file's name into an error met while opening it.
pub fn naming(path: &Path, err: StoreError) -> StoreError {
    let file = path.display();
    match err {
        StoreError::ReadOnly => StoreError::Unavailable(format!("{file} is read-only")),
        StoreError::Corrupt(cause) => StoreError::Corrupt(format!("{file} is damaged or not a database: {cause}")),
        StoreError::Unavailable(cause) => StoreError::Unavailable(format!("{file}: {cause}")),
        StoreError::StorageFull => StoreError::Unavailable(format!("{file}: the disk is full")),
        StoreError::Database(err) => StoreError::Internal(format!("{file}: {err}")),
        StoreError::Sqlite(err) => StoreError::Internal(format!("{file}: {err}")),
        StoreError::Migrate(err) => StoreError::Internal(format!("{file}: {err}")),
        other => other,
    }
}
