//! Group commit for SQLite: one task owns the write connection, runs the saves queued behind
//! each other in one `BEGIN IMMEDIATE … COMMIT`, each inside its own savepoint, and answers
//! every caller only after that commit returned.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions as _, Connection as _};

use tokio::sync::{mpsc, oneshot};

use super::StoreError;

/// How many queued saves one commit takes at most; bounds the time a save waits behind others.
const MAX_BATCH: usize = 64;

/// One queued save, as the writer sees it.
trait QueuedSave: Send {
    /// Runs the save on the writer's connection, keeping its result; says whether it succeeded.
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, bool>;
    /// Answers the caller with the save's result, or with why its batch did not commit.
    fn answer(self: Box<Self>, committed: Result<(), StoreError>);
}

struct Save<T, F> {
    work: Option<F>,
    outcome: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> QueuedSave for Save<T, F>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
{
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let Some(work) = self.work.take() else { return false };
            let outcome = match AssertUnwindSafe(work(conn)).catch_unwind().await {
                Ok(outcome) => outcome,
                Err(_) => Err(writer_failure("a save panicked; its changes were rolled back")),
            };
            let succeeded = outcome.is_ok();
            self.outcome = Some(outcome);
            succeeded
        })
    }

    fn answer(self: Box<Self>, committed: Result<(), StoreError>) {
        let result = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Ok(()), None) => Err(writer_failure("the save was not run")),
            (Err(error), _) => Err(error),
        };
        // The caller may have gone (request cancelled); the save stands regardless.
        let _ = self.reply.send(result);
    }
}

type Job = Box<dyn QueuedSave>;

/// The queue in front of the writer task; cloning shares the one writer.
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
    /// Opens the write connection and starts the task that owns it.
    pub async fn start(options: &SqliteConnectOptions) -> Result<Self, StoreError> {
        let connection = options.connect().await?;
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let counts = Arc::new(WriterCounts::default());
        tokio::spawn(run_writer(connection, queue, Arc::clone(&counts)));
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
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(Save { work: Some(work), outcome: None, reply });
        self.jobs.send(job).await.map_err(|_| writer_failure("the writer has stopped"))?;
        answer.await.map_err(|_| writer_failure("the writer stopped before answering"))?
    }
}

fn writer_failure(why: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(why.to_owned()))
}

/// Takes whatever is queued (at least one save), commits it as one transaction, answers, repeats.
async fn run_writer(mut connection: SqliteConnection, mut queue: mpsc::Receiver<Job>, counts: Arc<WriterCounts>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        counts.transactions.fetch_add(1, Ordering::Relaxed);
        counts.saves.fetch_add(batch.len() as u64, Ordering::Relaxed);
        let committed = commit_batch(&mut connection, &mut batch).await;
        if committed.is_err() {
            // Leave no transaction open behind a failed batch; this fails harmlessly when none is.
            let _ = execute(&mut connection, "ROLLBACK").await;
        }
        for job in batch.drain(..) {
            let answer = committed.as_ref().map(|_| ()).map_err(|error| writer_failure(&error.to_string()));
            job.answer(answer);
        }
    }
    let _ = connection.close().await;
}

/// Runs one batch in one transaction. A single save needs no savepoint: its failure rolls the
/// transaction back. With several, each runs inside a savepoint so a failure undoes only its own.
async fn commit_batch(conn: &mut SqliteConnection, batch: &mut [Job]) -> Result<(), StoreError> {
    execute(conn, "BEGIN IMMEDIATE").await?;
    if let [only] = batch {
        return if only.run(conn).await { execute(conn, "COMMIT").await } else { execute(conn, "ROLLBACK").await };
    }
    for job in batch.iter_mut() {
        execute(conn, "SAVEPOINT save").await?;
        if job.run(conn).await {
            execute(conn, "RELEASE save").await?;
        } else {
            execute(conn, "ROLLBACK TO save").await?;
            execute(conn, "RELEASE save").await?;
        }
    }
    execute(conn, "COMMIT").await
}

async fn execute(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), StoreError> {
    sqlx::raw_sql(sql).execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
