//! What a group-commit writer (SQLite's thread, PostgreSQL's tasks) keeps of a queued save and
//! answers its caller: the save's own result, or why the batch that carried it did not commit;
//! and how it gathers and counts its batches.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

use super::StoreError;

/// How many transactions a writer ran and how many saves they carried.
#[derive(Debug, Default)]
pub struct WriterCounts {
    transactions: AtomicU64,
    saves: AtomicU64,
}

impl WriterCounts {
    /// Transactions run and saves carried so far.
    pub fn get(&self) -> (u64, u64) {
        (self.transactions.load(Ordering::Relaxed), self.saves.load(Ordering::Relaxed))
    }

    /// Counts one transaction carrying `saves` saves.
    pub fn count(&self, saves: usize) {
        self.transactions.fetch_add(1, Ordering::Relaxed);
        self.saves.fetch_add(saves as u64, Ordering::Relaxed);
    }
}

/// Adds to `batch` whatever else is queued, up to `max` saves, and counts it as one transaction.
pub fn take_queued<J>(queue: &mut mpsc::Receiver<J>, batch: &mut Vec<J>, max: usize, counts: &WriterCounts) {
    while batch.len() < max {
        match queue.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    counts.count(batch.len());
}

/// The result of a queued save's last run, once it has run.
pub struct Outcome<T>(Option<Result<T, StoreError>>);

impl<T> Default for Outcome<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T> Outcome<T> {
    /// Keeps the result of a run; says whether the save succeeded.
    pub fn keep(&mut self, result: Result<T, StoreError>) -> bool {
        let succeeded = result.is_ok();
        self.0 = Some(result);
        succeeded
    }

    /// Why the save failed, once it has run and failed.
    pub fn failure(&self) -> Option<&StoreError> {
        self.0.as_ref().and_then(|outcome| outcome.as_ref().err())
    }

    /// Forgets the last run, before the save runs again in another transaction.
    pub fn forget(&mut self) {
        self.0 = None;
    }

    /// What the caller is answered once its batch has ended.
    pub fn answer(self, batch_failure: Option<&StoreError>) -> Result<T, StoreError> {
        // A save that failed on its own keeps its own error: nothing of it was stored either way.
        match (batch_failure, self.0) {
            (_, Some(Err(own))) => Err(own),
            (None, Some(outcome)) => outcome,
            (Some(batch), _) => Err(for_every_caller(batch)),
            (None, None) => Err(StoreError::Internal("the save was not run".into())),
        }
    }
}

/// The error a batch's failure means for each caller in it: faults of the database keep their
/// meaning (503 when it is busy or unavailable, 507 for a full disk); anything else is the
/// writer's own.
pub fn for_every_caller(batch: &StoreError) -> StoreError {
    match batch {
        StoreError::Busy => StoreError::Busy,
        StoreError::Unavailable(cause) => StoreError::Unavailable(cause.clone()),
        StoreError::CommitUnknown => StoreError::CommitUnknown,
        StoreError::StorageFull => StoreError::StorageFull,
        StoreError::ReadOnly => StoreError::ReadOnly,
        StoreError::Corrupt(cause) => StoreError::Corrupt(cause.clone()),
        other => StoreError::Internal(format!("the transaction carrying this save failed: {other}")),
    }
}
