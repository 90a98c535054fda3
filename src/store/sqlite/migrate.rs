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

#[cfg(test)]
mod tests {
    use sqlx::Connection as _;

    use super::*;
    use crate::store::schema;

    /// The bookkeeping rows, as both migrators compare them.
    fn recorded(conn: &Connection) -> Vec<(i64, String, bool, Vec<u8>)> {
        let mut rows = conn
            .prepare("SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version")
            .expect("prepare");
        rows.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
            .expect("read")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[tokio::test]
    async fn files_migrated_by_sqlx_and_by_this_migrator_are_the_same_to_both() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A file sqlx's migrator made (as earlier builds did) is taken as it is here.
        let by_sqlx = dir.path().join("sqlx.db");
        let url = format!("sqlite://{}?mode=rwc", by_sqlx.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("sqlx opens");
        schema::SQLITE.run(&mut conn).await.expect("sqlx migrates");
        conn.close().await.expect("closed");
        let ours = Connection::open(&by_sqlx).expect("opens");
        let before = recorded(&ours);
        run(&ours, &schema::SQLITE).expect("nothing to apply and nothing refused");
        assert_eq!(recorded(&ours), before, "no migration was applied again");
        assert_eq!(before.len(), schema::SQLITE.iter().count());

        // A file migrated here is one sqlx's migrator finds complete, checksums and all.
        let by_us = dir.path().join("ours.db");
        let fresh = Connection::open(&by_us).expect("creates");
        run(&fresh, &schema::SQLITE).expect("migrates");
        assert_eq!(recorded(&fresh), before, "the same bookkeeping rows");
        drop(fresh);
        let url = format!("sqlite://{}", by_us.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("sqlx opens");
        schema::SQLITE.run(&mut conn).await.expect("sqlx finds nothing to do or to refuse");
    }

    #[test]
    fn a_changed_migration_is_refused_as_sqlx_refuses_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = Connection::open(dir.path().join("t.db")).expect("creates");
        run(&conn, &schema::SQLITE).expect("migrates");
        conn.execute("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1", []).expect("tampered");
        assert!(matches!(run(&conn, &schema::SQLITE), Err(StoreError::Migrate(MigrateError::VersionMismatch(1)))));
    }
}
