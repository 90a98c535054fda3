//! One queued save as the PostgreSQL writer sees it: work it can run (again, if its batch has to
//! be retried), the outcome of the last run, and the caller waiting for it.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use sqlx::PgConnection;
use tokio::sync::oneshot;

use super::writer::{SaveWork, for_every_caller, writer_failure};
use crate::store::StoreError;

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
    outcome: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Save<T, F> {
    pub fn new(work: F, reply: oneshot::Sender<Result<T, StoreError>>) -> Self {
        Self { work, outcome: None, reply }
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
            let succeeded = outcome.is_ok();
            self.outcome = Some(outcome);
            succeeded
        })
    }

    fn failure(&self) -> Option<&StoreError> {
        self.outcome.as_ref().and_then(|outcome| outcome.as_ref().err())
    }

    fn forget(&mut self) {
        self.outcome = None;
    }

    fn answer(self: Box<Self>, batch_failure: Option<&StoreError>) {
        // A save that failed on its own keeps its own error: nothing of it was stored either way.
        let result = match (batch_failure, self.outcome) {
            (_, Some(Err(own))) => Err(own),
            (None, Some(outcome)) => outcome,
            (Some(batch), _) => Err(for_every_caller(batch)),
            (None, None) => Err(writer_failure("the save was not run")),
        };
        // The caller may have gone (request cancelled); the save stands regardless.
        let _ = self.reply.send(result);
    }
}
