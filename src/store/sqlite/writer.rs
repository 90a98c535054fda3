//! Group commit for SQLite: one thread owns the write connection, runs the saves queued behind
//! each other in one `BEGIN IMMEDIATE … COMMIT`, each inside its own savepoint, and answers
//! every caller only after that commit returned.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::store::StoreError;

/// How many queued saves one commit takes at most; bounds the time a save waits behind others.
const MAX_BATCH: usize = 64;

/// One queued save, as the writer sees it.
trait QueuedSave: Send {
    /// Runs the save on the writer's connection, keeping its result; says whether it succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller with the save's result, or with why its batch did not commit.
    fn answer(self: Box<Self>, committed: Result<(), String>);
}

struct Save<T, F> {
    work: Option<F>,
    outcome: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> QueuedSave for Save<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else { return false };
        let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| work(conn))) {
            Ok(outcome) => outcome,
            Err(_) => Err(writer_failure("a save panicked; its changes were rolled back")),
        };
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn answer(self: Box<Self>, committed: Result<(), String>) {
        let result = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Ok(()), None) => Err(writer_failure("the save was not run")),
            (Err(why), _) => Err(writer_failure(&why)),
        };
        // The caller may have gone (request cancelled); the save stands regardless.
        let _ = self.reply.send(result);
    }
}

type Job = Box<dyn QueuedSave>;

/// The queue in front of the writer thread; cloning shares the one writer.
#[derive(Clone)]
pub struct WriteQueue {
    jobs: mpsc::Sender<Job>,
    counts: Arc<WriterCounts>,
}

/// How many transactions the writer ran and how many saves they carried.
#[derive(Debug, Default)]
pub struct WriterCounts {
    pub transactions: AtomicU64,
    pub saves: AtomicU64,
}

impl std::fmt::Debug for WriteQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteQueue").field("counts", &self.counts).finish_non_exhaustive()
    }
}

impl WriteQueue {
    /// Starts the thread that owns `connection`; it ends once every queue handle is dropped.
    pub fn start(connection: Connection) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let counts = Arc::new(WriterCounts::default());
        let thread_counts = Arc::clone(&counts);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run_writer(connection, queue, thread_counts))
            .map_err(|err| writer_failure(&format!("cannot start the writer: {err}")))?;
        Ok(Self { jobs, counts })
    }

    /// Transactions run and saves carried so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.counts.transactions.load(Ordering::Relaxed), self.counts.saves.load(Ordering::Relaxed))
    }

    /// Runs `work` in the next batch; its result is returned once the batch has committed. An
    /// error from `work` rolls back only its own changes.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(Save { work: Some(work), outcome: None, reply });
        self.jobs.send(job).await.map_err(|_| writer_failure("the writer has stopped"))?;
        answer.await.map_err(|_| writer_failure("the writer stopped before answering"))?
    }
}

fn writer_failure(why: &str) -> StoreError {
    StoreError::Internal(why.to_owned())
}

/// Takes whatever is queued (at least one save), commits it as one transaction, answers, repeats.
fn run_writer(connection: Connection, mut queue: mpsc::Receiver<Job>, counts: Arc<WriterCounts>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut wal = super::checkpoint::WalBound::new(&connection);
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        if queue.is_empty() {
            // Let the request tasks woken with this one queue their saves too: on a busy core
            // they run only once this thread steps aside, and a commit shared is a commit saved.
            std::thread::yield_now();
        }
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        counts.transactions.fetch_add(1, Ordering::Relaxed);
        counts.saves.fetch_add(batch.len() as u64, Ordering::Relaxed);
        let committed = commit_batch(&connection, &mut batch).map_err(|error| error.to_string());
        if committed.is_err() && !connection.is_autocommit() {
            // Leave no transaction open behind a failed batch.
            let _ = connection.execute_batch("ROLLBACK");
        }
        for job in batch.drain(..) {
            job.answer(committed.clone());
        }
        if committed.is_ok() {
            // After the answers: a truncation delays the next batch, not this one.
            wal.after_commit(&connection);
        }
    }
}

/// Runs one batch in one transaction. A single save needs no savepoint: its failure rolls the
/// transaction back. With several, each runs inside a savepoint so a failure undoes only its own.
fn commit_batch(conn: &Connection, batch: &mut [Job]) -> Result<(), StoreError> {
    execute(conn, "BEGIN IMMEDIATE")?;
    if let [only] = batch {
        return if only.run(conn) { execute(conn, "COMMIT") } else { execute(conn, "ROLLBACK") };
    }
    for job in batch.iter_mut() {
        execute(conn, "SAVEPOINT save")?;
        if job.run(conn) {
            execute(conn, "RELEASE save")?;
        } else {
            execute(conn, "ROLLBACK TO save")?;
            execute(conn, "RELEASE save")?;
        }
    }
    execute(conn, "COMMIT")
}

fn execute(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
