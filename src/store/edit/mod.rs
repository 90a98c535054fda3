//! An edit of a stored message applied inside the write: the store reads the message in the
//! transaction that saves it (under the message's lock), asks the edit for the draft, saves it
//! and answers the message as saved from what the write had in hand, so nothing can land
//! between the read and the save and no read follows. A create answers the message it made
//! from its own transaction. Written once ([`apply`]); each backend runs it in its writer.

mod answer;
pub(crate) mod apply;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use super::{SaveContext, StoreError};
use crate::domain::{MessageDraft, TicketMessage};

/// Why an edit declined to make a draft; the caller's own error type, boxed so the store
/// needs to know nothing of it (downcast it back where it was made).
pub type EditRefusal = Box<dyn std::error::Error + Send + Sync>;

/// Makes the draft saved onto the stored message it is given. It may run more than once (a
/// writer that retries a job runs it again on what is stored then), so it must not count on
/// running once.
pub type MessageEdit = Arc<dyn Fn(&TicketMessage) -> Result<MessageDraft, EditRefusal> + Send + Sync>;

/// Why [`EditStore::edit_message`] saved nothing.
#[derive(Debug)]
pub enum EditFailure {
    /// The store failed, or there is no such message ([`StoreError::NotFound`]).
    Store(StoreError),
    /// The edit refused the stored message.
    Refused(EditRefusal),
}

impl From<StoreError> for EditFailure {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

/// Edits of stored messages, each one transaction.
#[async_trait]
pub trait EditStore {
    /// Reads message `id` inside the write, saves the draft `edit` makes of it onto that very
    /// version and returns the message as saved.
    async fn edit_message(&self, id: i32, edit: MessageEdit, ctx: SaveContext) -> Result<TicketMessage, EditFailure>;

    /// Creates a message with a new id and returns it as saved, read in the same transaction.
    async fn create_message_read_back(
        &self,
        draft: &MessageDraft,
        ctx: SaveContext,
    ) -> Result<TicketMessage, StoreError>;

    /// How many whole messages were read for a request ([`Store::message`](super::Store::message))
    /// since start; reads inside a write are not counted.
    fn message_reads(&self) -> u64 {
        0
    }
}

/// A count of request-level message reads.
#[derive(Debug, Default)]
pub struct ReadCount(AtomicU64);

impl ReadCount {
    pub fn add(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a write job that runs an edit answers: the saved message, or the edit's refusal (then
/// nothing was changed, and the job's transaction has nothing to undo).
pub(super) type EditOutcome = Result<TicketMessage, EditRefusal>;

/// The failure a finished edit job means for its caller.
pub(super) fn finish(job: Result<EditOutcome, StoreError>) -> Result<TicketMessage, EditFailure> {
    job?.map_err(EditFailure::Refused)
}
