//! Group commit for SQLite: one thread owns the write connection, runs the saves queued behind
//! each other in one `BEGIN IMMEDIATE … COMMIT`, each inside its own savepoint, and answers
//! every caller only after that commit returned.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::store::StoreError;
use crate::store::queued_save::{Outcome, WriterCounts, for_every_caller, take_queued};

/// How many queued saves one commit takes at most; bounds the time a save waits behind others.
const MAX_BATCH: usize = 64;
/// How long a storage fault is reported after the last save that met it, when no save has
/// committed since: long enough for health checks to see it, short enough that an instance
/// taken out of rotation for it is tried again without waiting for traffic it no longer gets.
const FAULT_MEMORY: Duration = Duration::from_secs(15);

/// One queued save, as the writer sees it.
trait QueuedSave: Send {
    /// Runs the save on the writer's connection, keeping its result; says whether it succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Why the save failed, once it has run and failed.
    fn failure(&self) -> Option<&StoreError>;
    /// Whether its success shows that saves fit again (a message save's does; a probe's or a
    /// small write's does not).
    fn proves_writes(&self) -> bool;
    /// Answers the caller with the save's result, or with why its batch did not commit.
    fn answer(self: Box<Self>, batch_failure: Option<&StoreError>);
}

struct Save<T, F> {
    work: Option<F>,
    proves_writes: bool,
    outcome: Outcome<T>,
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
        self.outcome.keep(outcome)
    }

    fn failure(&self) -> Option<&StoreError> {
        self.outcome.failure()
    }

    fn proves_writes(&self) -> bool {
        self.proves_writes
    }

    fn answer(self: Box<Self>, batch_failure: Option<&StoreError>) {
        // The caller may have gone (request cancelled); the save stands regardless.
        let _ = self.reply.send(self.outcome.answer(batch_failure));
    }
}

type Job = Box<dyn QueuedSave>;

/// The queue in front of the writer thread; cloning shares the one writer.
#[derive(Clone)]
pub struct WriteQueue {
    jobs: mpsc::Sender<Job>,
    counts: Arc<WriterCounts>,
    fault: Arc<StorageFault>,
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
        let fault = Arc::new(StorageFault::default());
        let (thread_counts, thread_fault) = (Arc::clone(&counts), Arc::clone(&fault));
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run_writer(connection, queue, thread_counts, thread_fault))
            .map_err(|err| writer_failure(&format!("cannot start the writer: {err}")))?;
        Ok(Self { jobs, counts, fault })
    }

    /// Why saves cannot be written (out of space, read-only, I/O errors), while the last save
    /// that met such a fault is recent and none has committed since.
    pub fn recent_fault(&self) -> Option<String> {
        self.fault.recent()
    }

    /// How many jobs wait for the writer.
    #[cfg(test)]
    pub fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Transactions run and saves carried so far.
    pub fn counts(&self) -> (u64, u64) {
        self.counts.get()
    }

    /// Runs `work` in the next batch; its result is returned once the batch has committed. An
    /// error from `work` rolls back only its own changes.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.queue(work, true).await
    }

    /// Like [`run`](Self::run) for a write other than a message save (a probe, a secret, an
    /// outbox settle, an upload piece): a storage fault it meets is remembered, but its success
    /// does not clear one that saves met, since a small write can fit where a save does not.
    pub async fn run_aside<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.queue(work, false).await
    }

    async fn queue<T, F>(&self, work: F, proves_writes: bool) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(Save { work: Some(work), proves_writes, outcome: Outcome::default(), reply });
        self.jobs.send(job).await.map_err(|_| writer_failure("the writer has stopped"))?;
        answer.await.map_err(|_| writer_failure("the writer stopped before answering"))?
    }
}

fn writer_failure(why: &str) -> StoreError {
    StoreError::Internal(why.to_owned())
}

/// A fault of the file rather than of one save: it fails whatever save comes next.
fn is_storage_fault(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::StorageFull | StoreError::ReadOnly | StoreError::Unavailable(_) | StoreError::Corrupt(_)
    )
}

/// The storage fault the last batch met and when, until a later save commits.
#[derive(Debug, Default)]
struct StorageFault(Mutex<Option<(Instant, String)>>);

impl StorageFault {
    /// Remembers a storage fault the batch met, or forgets the last one once a save committed.
    fn note(&self, batch_failure: Option<&StoreError>, batch: &[Job]) {
        let own_failures = batch.iter().filter_map(|job| job.failure());
        let fault = batch_failure.into_iter().chain(own_failures).find(|failure| is_storage_fault(failure));
        let committed_a_save =
            batch_failure.is_none() && batch.iter().any(|job| job.proves_writes() && job.failure().is_none());
        if let Ok(mut last) = self.0.lock() {
            if let Some(fault) = fault {
                *last = Some((Instant::now(), fault.to_string()));
            } else if committed_a_save {
                *last = None;
            }
        }
    }

    fn recent(&self) -> Option<String> {
        let last = self.0.lock().ok()?;
        let (at, fault) = last.as_ref()?;
        let ago = at.elapsed();
        (ago < FAULT_MEMORY).then(|| format!("{fault} (a save failed {} s ago)", ago.as_secs()))
    }
}

/// Takes whatever is queued (at least one save), commits it as one transaction, answers, repeats.
fn run_writer(
    connection: Connection,
    mut queue: mpsc::Receiver<Job>,
    counts: Arc<WriterCounts>,
    fault: Arc<StorageFault>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut wal = super::checkpoint::WalBound::new(&connection);
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        if queue.is_empty() {
            // Let the request tasks woken with this one queue their saves too: on a busy core
            // they run only once this thread steps aside, and a commit shared is a commit saved.
            std::thread::yield_now();
        }
        take_queued(&mut queue, &mut batch, MAX_BATCH, &counts);
        let failure = commit_batch(&connection, &mut batch).err();
        if failure.is_some() && !connection.is_autocommit() {
            // Leave no transaction open behind a failed batch (a failed COMMIT may keep it open).
            let _ = connection.execute_batch("ROLLBACK");
        }
        fault.note(failure.as_ref(), &batch);
        for job in batch.drain(..) {
            job.answer(failure.as_ref());
        }
        if failure.is_none() {
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
        if only.run(conn) {
            return execute(conn, "COMMIT");
        }
        // Its own error answers it. A full disk or an I/O error may have ended the transaction.
        return if conn.is_autocommit() { Ok(()) } else { execute(conn, "ROLLBACK") };
    }
    for job in batch.iter_mut() {
        execute(conn, "SAVEPOINT save")?;
        if job.run(conn) {
            execute(conn, "RELEASE save")?;
            continue;
        }
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (out of space, I/O error): the saves
            // before this one went with it, and the ones after would run outside any batch.
            return Err(job.failure().map_or_else(|| writer_failure("the transaction ended"), for_every_caller));
        }
        execute(conn, "ROLLBACK TO save")?;
        execute(conn, "RELEASE save")?;
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
