//! Store work that a dropped request cannot cut in two.
//!
//! A request future is dropped at whatever await point it has reached when its client goes
//! away or its time runs out. sqlx sends a `BEGIN` before awaiting its answer and counts the
//! transaction only once the answer is in: a request dropped in between gives the connection
//! back to the pool with the `BEGIN` still to run, and the next user of that connection works
//! inside a transaction it did not open (a save inside a read-only snapshot fails, another
//! transaction's COMMIT ends it). Work run here goes on in a task of its own, which the request
//! only awaits: a transaction is opened, used and ended by one owner.

use std::future::Future;

use super::StoreError;

/// Runs `work` to its end in its own task, even when the caller stops waiting for it.
pub async fn run<T, F>(work: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, StoreError>> + Send + 'static,
{
    tokio::spawn(work).await.map_err(|err| StoreError::Internal(format!("a store task ended early: {err}")))?
}
