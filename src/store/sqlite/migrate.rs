//! Applies the embedded SQLite schema (`schema::SQLITE`) through rusqlite, keeping the
//! bookkeeping of sqlx's migrator: the `_sqlx_migrations` table with the same columns and
//! checksums, so database files made by earlier builds keep working and `ticketd doctor` and
//! the readiness check see which migrations a file lacks.

use std::collections::HashMap;
use std::time::Instant;

use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use sqlx::migrate::{MigrateError, Migrator};

use crate::store::StoreError;

/// sqlx's table, as its SQLite driver creates it.
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";
const DIRTY: &str = "SELECT version FROM _sqlx_migrations WHERE success = false ORDER BY version LIMIT 1";
const APPLIED: &str = "SELECT version, checksum FROM _sqlx_migrations ORDER BY version";
const IS_APPLIED: &str = "SELECT COUNT(*) FROM _sqlx_migrations WHERE version = ?1";
const RECORD: &str = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
     VALUES (?1, ?2, TRUE, ?3, ?4)";

/// Applies the migrations of `migrator` that `conn`'s file lacks, each in its own
/// transaction, refusing (as sqlx does) a file with a failed migration, one this build does not
/// know, or one whose text changed since it was applied.
pub fn run(conn: &Connection, migrator: &Migrator) -> Result<(), StoreError> {
    conn.execute_batch(CREATE_TABLE)?;
    let dirty: Option<i64> = conn.query_row(DIRTY, [], |row| row.get(0)).map(Some).or_else(none_when_empty)?;
    if let Some(version) = dirty {
        return Err(MigrateError::Dirty(version).into());
    }
    let mut statement = conn.prepare(APPLIED)?;
    let applied: HashMap<i64, Vec<u8>> =
        statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
    if !migrator.ignore_missing
        && let Some(unknown) = applied.keys().find(|version| !migrator.iter().any(|m| m.version == **version))
    {
        return Err(MigrateError::VersionMissing(*unknown).into());
    }
    for migration in migrator.iter().filter(|m| !m.migration_type.is_down_migration()) {
        match applied.get(&migration.version) {
            Some(checksum) if checksum.as_slice() != &*migration.checksum => {
                return Err(MigrateError::VersionMismatch(migration.version).into());
            }
            Some(_) => {}
            None => apply(conn, migration)?,
        }
    }
    Ok(())
}

fn apply(conn: &Connection, migration: &sqlx::migrate::Migration) -> Result<(), StoreError> {
    let started = Instant::now();
    let transaction =
        (!migration.no_tx).then(|| Transaction::new_unchecked(conn, TransactionBehavior::Immediate)).transpose()?;
    // Another process opening the file at the same time may have applied it meanwhile.
    let done: i64 = conn.query_row(IS_APPLIED, [migration.version], |row| row.get(0))?;
    if done > 0 {
        return Ok(());
    }
    conn.execute_batch(migration.sql.as_str())?;
    let took = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
    conn.execute(RECORD, params![migration.version, &*migration.description, &*migration.checksum, took])?;
    if let Some(transaction) = transaction {
        transaction.commit()?;
    }
    Ok(())
}

fn none_when_empty<T>(err: rusqlite::Error) -> rusqlite::Result<Option<T>> {
    match err {
        rusqlite::Error::QueryReturnedNoRows => Ok(None),
        other => Err(other),
    }
}
