//! The doctor's database check: connect without creating anything, run a write transaction
//! that changes nothing and is rolled back, and compare the applied migrations with this build's.

use anyhow::{Context as _, bail};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use sqlx::Connection as _;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnection;

use super::{Outcome, redact_url};
use crate::store::schema;

/// Longest wait to connect (an unreachable host) or for the write lock (a busy database).
const PATIENCE: Duration = Duration::from_secs(10);

/// A write that changes nothing, as readiness probes it; needs only the rights `serve` needs.
const WRITE_PROBE: &str = "DELETE FROM outbox WHERE id < 0";
/// Before the schema exists: creating a table (rolled back) proves writes are allowed.
const EMPTY_WRITE_PROBE: &str = "CREATE TABLE ticketd_doctor_probe (x INTEGER)";

pub async fn check(url: &str) -> Outcome {
    let shown = redact_url(url);
    let inspected = if url.starts_with("sqlite:") {
        tokio::time::timeout(PATIENCE, sqlite(url)).await
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        tokio::time::timeout(PATIENCE, postgres(url)).await
    } else {
        return Outcome::Fail(format!("{shown}: not a sqlite: or postgres: URL"));
    };
    let (migrator, applied) = match inspected {
        Ok(Ok(found)) => found,
        Ok(Err(err)) => return Outcome::Fail(format!("{shown}: {err}")),
        Err(_) => return Outcome::Fail(format!("{shown}: no answer within {} s", PATIENCE.as_secs())),
    };
    verdict(&shown, migrator, &applied)
}

/// Judges the applied migration versions against this build's list.
fn verdict(shown: &str, migrator: &Migrator, applied: &[i64]) -> Outcome {
    let known: Vec<i64> = migrator.iter().map(|migration| migration.version).collect();
    let unknown: Vec<String> =
        applied.iter().filter(|version| !known.contains(version)).map(|version| format!("{version:04}")).collect();
    if !unknown.is_empty() {
        return Outcome::Fail(format!(
            "{shown}: has migrations this build does not know ({}): a newer ticketd migrated it; \
             run that version or restore the backup taken before the upgrade",
            unknown.join(", ")
        ));
    }
    let pending = schema::pending(migrator, applied);
    if pending.is_empty() {
        return Outcome::Ok(format!("{shown}: writable, all {} migrations applied", known.len()));
    }
    Outcome::Fail(format!(
        "{shown}: writable, {} of {} migrations pending: {} (`ticketd migrate` or `serve` applies them)",
        pending.len(),
        known.len(),
        pending.join(", ")
    ))
}

/// Opens an existing SQLite file (never creating it) and reads its applied migrations.
async fn sqlite(url: &str) -> anyhow::Result<(&'static Migrator, Vec<i64>)> {
    let file = crate::store::sqlite_path(url)?;
    if !file.exists() {
        bail!("{} does not exist yet (`ticketd migrate` or `serve` creates it)", file.display());
    }
    let applied = tokio::task::spawn_blocking(move || sqlite_applied(&file)).await.context("the check stopped")??;
    Ok((&schema::SQLITE, applied))
}

/// Probes a write (rolled back) on the file and reads its applied migrations; blocking.
fn sqlite_applied(file: &std::path::Path) -> anyhow::Result<Vec<i64>> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(file, flags).context("cannot open")?;
    conn.busy_timeout(PATIENCE)?;
    let has = |table: &str| -> anyhow::Result<bool> {
        let exists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1";
        Ok(conn.query_row(exists, [table], |row| row.get::<_, i64>(0))? > 0)
    };
    let probe = if has("outbox")? { WRITE_PROBE } else { EMPTY_WRITE_PROBE };
    let tx = Transaction::new_unchecked(&conn, TransactionBehavior::Immediate).context("not writable")?;
    conn.execute(probe, []).context("not writable")?;
    tx.rollback()?;
    if !has("_sqlx_migrations")? {
        return Ok(Vec::new());
    }
    let mut applied = conn.prepare(schema::APPLIED_VERSIONS)?;
    let versions = applied.query_map([], |row| row.get::<_, i64>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(versions)
}

/// Connects to PostgreSQL and reads the applied migrations.
async fn postgres(url: &str) -> anyhow::Result<(&'static Migrator, Vec<i64>)> {
    // Several hosts (the libpq form) are tried as `serve` tries them.
    let mut conn = crate::store::PostgresStore::first_connection(url).await.context("cannot connect")?;
    let has = async |conn: &mut PgConnection, table: &str| -> anyhow::Result<bool> {
        sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(table)
            .fetch_one(conn)
            .await
            .map_err(anyhow::Error::from)
    };
    let probe = if has(&mut conn, "outbox").await? { WRITE_PROBE } else { EMPTY_WRITE_PROBE };
    let mut tx = conn.begin().await?;
    sqlx::query(probe).execute(&mut *tx).await.context("not writable")?;
    tx.rollback().await?;
    let applied = if has(&mut conn, "_sqlx_migrations").await? {
        sqlx::query_scalar(schema::APPLIED_VERSIONS).fetch_all(&mut conn).await?
    } else {
        Vec::new()
    };
    let _ = conn.close().await;
    Ok((&schema::POSTGRES, applied))
}
