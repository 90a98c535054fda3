//! Retention sweeps: counting expired rows, and deleting them a batch at a time in two steps
//! (see `store::sql::retention`): [`next_batch`] is a read, [`delete_batch`] the short write.

use crate::domain::Timestamp;
use crate::store::db::{Db, values};
use crate::store::retention::RetentionKind;
use crate::store::sql::retention::RetentionSql;
use crate::store::{StoreError, to_ticks};

/// The rows one [`delete_batch`] removes.
#[derive(Debug, Clone, Copy)]
pub enum Batch {
    /// Nothing is expired.
    Empty,
    /// Rows with ids in this range (kinds with a growing id).
    Ids(i64, i64),
    /// At most this many rows (the others).
    Limit(i64),
}

pub async fn count_expired(db: &mut impl Db, kind: RetentionKind, before: Timestamp) -> Result<u64, StoreError> {
    let n = db.one(&RetentionSql::of(kind).count(), values![to_ticks(&before)], |row| row.big("n")).await?;
    Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
}

/// Finds the next batch of at most `batch` rows of `kind` past `before`: a read, outside the
/// write that deletes it.
pub async fn next_batch(
    db: &mut impl Db,
    kind: RetentionKind,
    before: Timestamp,
    batch: u32,
) -> Result<Batch, StoreError> {
    let limit = i64::from(batch.max(1));
    let Some(bounds) = RetentionSql::of(kind).batch_bounds() else { return Ok(Batch::Limit(limit)) };
    let found = db
        .one(&bounds, values![to_ticks(&before), limit], |row| Ok((row.maybe_big("first")?, row.maybe_big("last")?)))
        .await?;
    Ok(match found {
        Some((Some(first), Some(last))) => Batch::Ids(first, last),
        _ => Batch::Empty,
    })
}

/// Deletes the batch [`next_batch`] found; how many rows went.
pub async fn delete_batch(
    db: &mut impl Db,
    kind: RetentionKind,
    before: Timestamp,
    batch: Batch,
) -> Result<u64, StoreError> {
    let cutoff = to_ticks(&before);
    let delete = RetentionSql::of(kind).delete();
    match batch {
        Batch::Empty => Ok(0),
        Batch::Ids(first, last) => db.run(&delete, values![cutoff, first, last]).await,
        Batch::Limit(limit) => db.run(&delete, values![cutoff, limit]).await,
    }
}
