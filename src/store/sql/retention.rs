//! The statements of the retention sweeps.
//!
//! Tables with a growing integer id (events, outbox, attachments) are swept in two steps: a
//! plain read finds the id of the batch's last row, then the write deletes by id range, so the
//! write lock (SQLite) is held for a primary-key range of at most one batch, never for a scan.
//! Idempotency keys and secrets have no such id; their tables stay small (their rows expire
//! within days), so one bounded `IN (SELECT … LIMIT)` delete is short too. The statements are
//! assembled only from the constant pieces below.

use crate::store::retention::RetentionKind;

/// Where a kind's rows live and which of them are past the cutoff (`$1`, in ticks).
pub struct RetentionSql {
    table: &'static str,
    expired: &'static str,
    /// The growing integer id to sweep by, or the key for an `IN (SELECT … LIMIT)` delete.
    key: RetentionKey,
}

enum RetentionKey {
    Id,
    /// The key as compared (`(a, b)`) and as selected (`a, b`).
    Columns(&'static str, &'static str),
}

impl RetentionSql {
    pub fn of(kind: RetentionKind) -> Self {
        match kind {
            RetentionKind::SaveEvents => {
                Self { table: "message_events", expired: "created_at < $1", key: RetentionKey::Id }
            }
            // `+status` keeps SQLite off the status index, which holds nearly every row under
            // status 1; the id range is the narrow one. Unclaimed uploads are few, so their
            // index on `message_id` is the right way in.
            RetentionKind::DeliveredNotifications => {
                Self { table: "outbox", expired: "+status = 1 AND created_at < $1", key: RetentionKey::Id }
            }
            RetentionKind::PendingUploads => {
                Self { table: "attachments", expired: "message_id IS NULL AND created_at < $1", key: RetentionKey::Id }
            }
            RetentionKind::IdempotencyKeys => Self {
                table: "idempotency_keys",
                expired: "created_at < $1",
                key: RetentionKey::Columns("(associate_id, idempotency_key)", "associate_id, idempotency_key"),
            },
            // Revoked rows have no revocation time; a revoked secret reads like an unknown one,
            // so dropping it early changes no answer.
            RetentionKind::ExpiredSecrets => Self {
                table: "auth_secrets",
                expired: "(expires_at < $1 OR (revoked AND created_at < $1))",
                key: RetentionKey::Columns("secret_hash", "secret_hash"),
            },
        }
    }

    /// Counts the expired rows (`n`).
    pub fn count(&self) -> String {
        format!("SELECT COUNT(*) AS n FROM {} WHERE {}", self.table, self.expired)
    }

    /// For kinds swept by id: the first and last id (`first`, `last`) of the next batch of at
    /// most `$2` rows. `None` for the others.
    pub fn batch_bounds(&self) -> Option<String> {
        matches!(self.key, RetentionKey::Id).then(|| {
            format!(
                "SELECT CAST(MIN(id) AS BIGINT) AS first, CAST(MAX(id) AS BIGINT) AS last \
                 FROM (SELECT id FROM {} WHERE {} ORDER BY id LIMIT $2) AS batch",
                self.table, self.expired
            )
        })
    }

    /// Deletes a batch: by id range (`$2`, `$3`, from [`Self::batch_bounds`]; the condition
    /// is checked again, a row may have changed since), or at most `$2` rows by key.
    pub fn delete(&self) -> String {
        match self.key {
            RetentionKey::Id => format!("DELETE FROM {} WHERE {} AND id BETWEEN $2 AND $3", self.table, self.expired),
            RetentionKey::Columns(key, columns) => format!(
                "DELETE FROM {table} WHERE {key} IN (SELECT {columns} FROM {table} WHERE {expired} LIMIT $2)",
                table = self.table,
                expired = self.expired
            ),
        }
    }
}
