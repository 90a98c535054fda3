//! The schema's migrations: the lists embedded for each backend (applied at start by the stores
//! and by `ticketd migrate`), and which of them a database still lacks, read without applying
//! anything (for `ticketd doctor` and the readiness check).

use sqlx::migrate::Migrator;

/// The SQLite schema, oldest first.
pub static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
/// The PostgreSQL schema, oldest first.
pub static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The versions a database has applied successfully (sqlx's bookkeeping table).
pub const APPLIED_VERSIONS: &str = "SELECT version FROM _sqlx_migrations WHERE success";

/// The migrations of `migrator` missing from `applied`, as `0009 ticket access`.
pub fn pending(migrator: &Migrator, applied: &[i64]) -> Vec<String> {
    migrator
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration() && !applied.contains(&migration.version))
        .map(|migration| format!("{:04} {}", migration.version, migration.description))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_names_the_missing_migrations_in_order() {
        let all: Vec<i64> = SQLITE.iter().map(|m| m.version).collect();
        assert!(pending(&SQLITE, &all).is_empty());
        let missing = pending(&POSTGRES, &all[..all.len() - 1]);
        assert_eq!(missing.len(), 1);
        assert!(missing[0].starts_with(&format!("{:04} ", all[all.len() - 1])), "{missing:?}");
        assert_eq!(pending(&SQLITE, &[]).len(), all.len());
    }
}
