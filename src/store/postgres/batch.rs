//! One queued save as the PostgreSQL writer sees it: work it can run (again, if its batch has to
//! be retried), the outcome of the last run, and the caller waiting for it.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use sqlx::PgConnection;
use tokio::sync::oneshot;

use crate::store::StoreError;
use crate::store::queued_save::Outcome;

/// One save's work: run again from its inputs when its batch has to be retried.
pub trait SaveWork<T>:
    for<'c> Fn(&'c mut PgConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + Sync + 'static
{
}

impl<T, F> SaveWork<T> for F where
    F: for<'c> Fn(&'c mut PgConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + Sync + 'static
{
}

/// An error of the writer itself (stopped, or a save it could not run).
pub fn writer_failure(why: &str) -> StoreError {
    StoreError::Internal(why.to_owned())
}

/// A queued save of any result type.
pub trait QueuedSave: Send {
    /// Runs the save on the writer's connection, keeping its result; says whether it succeeded.
    fn run<'c>(&'c mut self, conn: &'c mut PgConnection) -> BoxFuture<'c, bool>;
    /// Why the save failed, once it has run and failed.
    fn failure(&self) -> Option<&StoreError>;
    /// Forgets the last run's result, before the save runs again in another transaction.
    fn forget(&mut self);
    /// Answers the caller with the save's result, or with why its batch did not commit.
    fn answer(self: Box<Self>, batch_failure: Option<&StoreError>);
}

pub type Job = Box<dyn QueuedSave>;

pub struct Save<T, F> {
    work: F,
    outcome: Outcome<T>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Save<T, F> {
    pub fn new(work: F, reply: oneshot::Sender<Result<T, StoreError>>) -> Self {
        Self { work, outcome: Outcome::default(), reply }
    }
}

impl<T, F> QueuedSave for Save<T, F>
where
    T: Send + 'static,
    F: SaveWork<T>,
{
    fn run<'c>(&'c mut self, conn: &'c mut PgConnection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let outcome = match AssertUnwindSafe((self.work)(conn)).catch_unwind().await {
                Ok(outcome) => outcome,
                Err(_) => Err(writer_failure("a save panicked; its changes were rolled back")),
            };
            self.outcome.keep(outcome)
        })
    }

    fn failure(&self) -> Option<&StoreError> {
        self.outcome.failure()
    }

    fn forget(&mut self) {
        self.outcome.forget();
    }

    fn answer(self: Box<Self>, batch_failure: Option<&StoreError>) {
        // The caller may have gone (request cancelled); the save stands regardless.
        let _ = self.reply.send(self.outcome.answer(batch_failure));
    }
}
