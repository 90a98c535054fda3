// The `RetentionStore` implementation shared by both backends; included by `store_impl.rs`.
//
// Tables with a growing integer id (events, outbox, attachments) are swept in two steps: a
// plain read finds the id of the batch's last row, then the write deletes by id range, so the
// write lock (SQLite) is held for a primary-key range of at most one batch, never for a scan.
// Idempotency keys and secrets have no such id; their tables stay small (their rows expire
// within days), so one bounded `IN (SELECT … LIMIT)` delete is short too. The statements are
// assembled only from the constant pieces below.

/// Where a kind's rows live and which of them are past the cutoff (`$1`, in ticks).
struct RetentionSql {
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

fn retention_sql(kind: crate::store::retention::RetentionKind) -> RetentionSql {
    use crate::store::retention::RetentionKind as Kind;
    match kind {
        Kind::SaveEvents => RetentionSql { table: "message_events", expired: "created_at < $1", key: RetentionKey::Id },
        // `+status` keeps SQLite off the status index, which holds nearly every row under
        // status 1; the id range is the narrow one. Unclaimed uploads are few, so their index
        // on `message_id` is the right way in.
        Kind::DeliveredNotifications => {
            RetentionSql { table: "outbox", expired: "+status = 1 AND created_at < $1", key: RetentionKey::Id }
        }
        Kind::PendingUploads => {
            RetentionSql { table: "attachments", expired: "message_id IS NULL AND created_at < $1", key: RetentionKey::Id }
        }
        Kind::IdempotencyKeys => RetentionSql {
            table: "idempotency_keys",
            expired: "created_at < $1",
            key: RetentionKey::Columns("(associate_id, idempotency_key)", "associate_id, idempotency_key"),
        },
        // Revoked rows have no revocation time; a revoked secret reads like an unknown one, so
        // dropping it early changes no answer.
        Kind::ExpiredSecrets => RetentionSql {
            table: "auth_secrets",
            expired: "(expires_at < $1 OR (revoked AND created_at < $1))",
            key: RetentionKey::Columns("secret_hash", "secret_hash"),
        },
    }
}

#[async_trait]
impl crate::store::retention::RetentionStore for This {
    async fn count_expired(
        &self,
        kind: crate::store::retention::RetentionKind,
        before: crate::domain::Timestamp,
    ) -> Result<u64, StoreError> {
        let sql = retention_sql(kind);
        let statement = format!("SELECT COUNT(*) AS n FROM {} WHERE {}", sql.table, sql.expired);
        let row = sqlx::query(sqlx::AssertSqlSafe(statement)).bind(to_ticks(&before)).fetch_one(&self.pool).await?;
        Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
    }

    async fn delete_expired(
        &self,
        kind: crate::store::retention::RetentionKind,
        before: crate::domain::Timestamp,
        batch: u32,
    ) -> Result<u64, StoreError> {
        let sql = retention_sql(kind);
        let cutoff = to_ticks(&before);
        let limit = i64::from(batch.max(1));
        let (statement, bounds) = match sql.key {
            RetentionKey::Id => {
                let bounds = format!(
                    "SELECT CAST(MIN(id) AS BIGINT) AS first, CAST(MAX(id) AS BIGINT) AS last \
                     FROM (SELECT id FROM {} WHERE {} ORDER BY id LIMIT $2) AS batch",
                    sql.table, sql.expired
                );
                let row = sqlx::query(sqlx::AssertSqlSafe(bounds)).bind(cutoff).bind(limit).fetch_one(&self.pool).await?;
                let (Some(first), Some(last)) = (row.try_get::<Option<i64>, _>("first")?, row.try_get::<Option<i64>, _>("last")?)
                else {
                    return Ok(0);
                };
                // The condition is checked again: a row may have changed since the read.
                (format!("DELETE FROM {} WHERE {} AND id BETWEEN $2 AND $3", sql.table, sql.expired), vec![first, last])
            }
            RetentionKey::Columns(key, columns) => (
                format!(
                    "DELETE FROM {table} WHERE {key} IN (SELECT {columns} FROM {table} WHERE {expired} LIMIT $2)",
                    table = sql.table,
                    expired = sql.expired
                ),
                vec![limit],
            ),
        };
        let mut delete = sqlx::query(sqlx::AssertSqlSafe(statement)).bind(cutoff);
        for value in bounds {
            delete = delete.bind(value);
        }
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let done = delete.execute(&mut *tx).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected())
    }
}
