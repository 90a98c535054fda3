//! Group commit for PostgreSQL: writer tasks take the saves queued behind each other and run
//! them in one transaction, each inside its own savepoint, with one `COMMIT` (one WAL flush) for
//! the lot; every caller is answered only after that commit returned.
//!
//! The writer owns its transactions: a request that stops waiting cannot cut one in two, and a
//! save whose caller has gone still runs to its end. Each batch takes its connection from the
//! store's pool, so failover, the pre-acquire check and the acquire timeout apply as before.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::{Connection as _, Executor as _, PgPool};
use tokio::sync::{mpsc, oneshot};

use super::batch::{Job, Save, SaveWork, writer_failure};
use crate::store::StoreError;
use crate::store::queued_save::{WriterCounts, for_every_caller, take_queued};

/// How many queued saves one commit takes at most; bounds the time a save waits behind others.
const MAX_BATCH: usize = 64;

/// How many writer tasks commit side by side. One is best: measured with `benches/side_by_side`
/// (PostgreSQL, `S10` = the seed's body over messages 1–10, 32 connections, ticketd and
/// PostgreSQL on one core; three runs each, medians), 1 / 2 / 4 lanes gave 5.0 / 2.5 / 1.2 saves
/// per commit, 2,950 / 3,470 / 4,510 CPU µs per save and 272 / 266 / 219 req/s: a second lane
/// only splits the batches, and each transaction costs CPU. See docs/benchmarks.md,
/// "PostgreSQL group commit". The lanes stay for a server where commits, not CPU, are the limit.
pub const LANES: usize = 1;

/// The queues in front of the writer tasks; cloning shares the same writers.
#[derive(Debug, Clone)]
pub struct WriteQueue {
    lanes: Arc<[mpsc::Sender<Job>]>,
    counts: Arc<WriterCounts>,
    /// Where the next save of no particular message goes.
    next_free: Arc<AtomicUsize>,
}

impl WriteQueue {
    /// Starts `lanes` writer tasks on `pool`; each ends once every queue handle is dropped.
    pub fn start(pool: &PgPool, lanes: usize) -> Self {
        let counts = Arc::new(WriterCounts::default());
        let senders = (0..lanes.max(1))
            .map(|_| {
                let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
                tokio::spawn(run_lane(pool.clone(), queue, Arc::clone(&counts)));
                jobs
            })
            .collect();
        Self { lanes: senders, counts, next_free: Arc::new(AtomicUsize::new(0)) }
    }

    /// Transactions run and saves carried so far.
    pub fn counts(&self) -> (u64, u64) {
        self.counts.get()
    }

    /// Runs `work` in a coming batch and returns its result once that batch has committed. Saves
    /// of one `message` go through one lane, in the order they were queued; saves of no message
    /// yet (creates) take turns over the lanes. An error from `work` undoes only its own changes.
    pub async fn run<T, F>(&self, message: Option<i32>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: SaveWork<T>,
    {
        let lane = match message {
            Some(id) => id.unsigned_abs() as usize % self.lanes.len(),
            None => self.next_free.fetch_add(1, Ordering::Relaxed) % self.lanes.len(),
        };
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(Save::new(work, reply));
        self.lanes[lane].send(job).await.map_err(|_| writer_failure("the writer has stopped"))?;
        answer.await.map_err(|_| writer_failure("the writer stopped before answering"))?
    }
}

/// Takes whatever is queued (at least one save), commits it as one transaction, answers, repeats.
async fn run_lane(pool: PgPool, mut queue: mpsc::Receiver<Job>, counts: Arc<WriterCounts>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        if queue.is_empty() {
            // Let the request tasks woken with this one queue their saves too: a commit shared
            // is a commit saved.
            tokio::task::yield_now().await;
        }
        take_queued(&mut queue, &mut batch, MAX_BATCH, &counts);
        match commit_batch(&pool, &mut batch).await {
            Ok(()) => batch.drain(..).for_each(|job| job.answer(None)),
            Err(Failed::Everyone(failure)) => batch.drain(..).for_each(|job| job.answer(Some(&failure))),
            Err(Failed::Together(why)) => {
                tracing::debug!(saves = batch.len(), error = %why, "a batch failed as a whole; its saves run one by one");
                rerun_alone(&pool, &mut batch, &counts).await;
            }
        }
    }
}

/// Runs each save of a failed batch in a transaction of its own and answers it. Once the
/// database cannot be had (no connection within the acquire timeout, or the connection lost),
/// the saves not yet run are answered so at once rather than each waiting out the timeout.
async fn rerun_alone(pool: &PgPool, batch: &mut Vec<Job>, counts: &WriterCounts) {
    let mut unreachable: Option<StoreError> = None;
    for mut job in batch.drain(..) {
        if let Some(cause) = &unreachable {
            job.forget();
            job.answer(Some(cause));
            continue;
        }
        counts.count(1);
        let failure = commit_alone(pool, &mut job).await.err();
        job.answer(failure.as_ref());
        unreachable = failure.filter(|failure| matches!(failure, StoreError::Busy | StoreError::Unavailable(_)));
    }
}

/// Why a batch did not commit.
enum Failed {
    /// What every caller in the batch is answered: no connection, or the commit's outcome lost.
    Everyone(StoreError),
    /// Not one save's fault (deadlock, serialization failure, connection lost before the
    /// commit): nothing was stored, and each save runs again in a transaction of its own.
    Together(StoreError),
}

/// An error that belongs to the batch's transaction rather than to the save that met it.
fn fails_the_batch(error: &StoreError) -> bool {
    matches!(error, StoreError::Busy | StoreError::Unavailable(_) | StoreError::CommitUnknown)
}

/// Runs one batch in one transaction, each save inside a savepoint so that a failure undoes only
/// its own. A single save needs no savepoint.
async fn commit_batch(pool: &PgPool, batch: &mut [Job]) -> Result<(), Failed> {
    if let [only] = batch {
        return commit_alone(pool, only).await.map_err(Failed::Everyone);
    }
    let mut conn = pool.acquire().await.map_err(|err| Failed::Everyone(err.into()))?;
    // Dropped on any failure below: sqlx then rolls the transaction back before the connection
    // is used again, or closes it if that fails.
    let mut tx = (*conn).begin_with("BEGIN; SAVEPOINT save").await.map_err(together)?;
    let last = batch.len() - 1;
    for (n, job) in batch.iter_mut().enumerate() {
        let next = if job.run(&mut tx).await {
            // One round trip ends this save's savepoint and opens the next one's.
            (n < last).then_some("RELEASE SAVEPOINT save; SAVEPOINT save")
        } else if job.failure().is_some_and(fails_the_batch) {
            // Kept for the log (a `StoreError` is not `Clone`); the save runs again alone.
            return Err(Failed::Together(
                job.failure().map_or_else(|| writer_failure("a save failed"), for_every_caller),
            ));
        } else {
            // The savepoint stays after a rollback to it: the next save starts from there.
            Some("ROLLBACK TO SAVEPOINT save")
        };
        if let Some(sql) = next {
            tx.execute(sql).await.map_err(together)?;
        }
    }
    match tx.commit().await.map_err(crate::store::classify::at_commit) {
        Ok(()) => Ok(()),
        Err(StoreError::CommitUnknown) => Err(Failed::Everyone(StoreError::CommitUnknown)),
        // The transaction did not commit, and no one save is known to be the cause.
        Err(other) => Err(Failed::Together(other)),
    }
}

/// Runs one save in a transaction of its own; its own error answers it.
async fn commit_alone(pool: &PgPool, job: &mut Job) -> Result<(), StoreError> {
    job.forget();
    let mut tx = pool.begin().await?;
    if job.run(&mut tx).await {
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
    }
    // Dropping an uncommitted transaction rolls it back.
    Ok(())
}

fn together(err: sqlx::Error) -> Failed {
    Failed::Together(err.into())
}
