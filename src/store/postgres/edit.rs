//! PostgreSQL's edits of stored messages, run by its writer: in the save's transaction the
//! message's row lock is taken first, so the message read after it on the same connection is
//! the one the save lands on, whichever server on the database saves it next.

use async_trait::async_trait;

use super::PostgresStore;
use super::pg::Pg;
use crate::domain::{MessageDraft, TicketMessage};
use crate::store::edit::apply::{create_in, edit_in};
use crate::store::edit::{EditFailure, EditStore, MessageEdit, finish};
use crate::store::{SaveContext, StoreError};

#[async_trait]
impl EditStore for PostgresStore {
    async fn edit_message(&self, id: i32, edit: MessageEdit, ctx: SaveContext) -> Result<TicketMessage, EditFailure> {
        // A writer may run the job again: each run reads afresh and calls the edit again.
        finish(
            self.in_write(move |conn| {
                let edit = edit.clone();
                Box::pin(async move { edit_in(&mut Pg(conn), id, &edit, ctx).await })
            })
            .await,
        )
    }

    async fn create_message_read_back(
        &self,
        draft: &MessageDraft,
        ctx: SaveContext,
    ) -> Result<TicketMessage, StoreError> {
        let draft = draft.clone();
        self.in_write(move |conn| {
            let draft = draft.clone();
            Box::pin(async move { create_in(&mut Pg(conn), &draft, ctx).await })
        })
        .await
    }

    fn message_reads(&self) -> u64 {
        self.message_reads.get()
    }
}
