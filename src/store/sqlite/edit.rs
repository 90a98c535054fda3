//! SQLite's edits of stored messages, run on the writer thread: the writer connection holds the
//! write lock for the whole batch, so the message read there is the one the save lands on,
//! whatever other process shares the file.

use async_trait::async_trait;

use super::SqliteStore;
use crate::domain::{MessageDraft, TicketMessage};
use crate::store::db::in_place;
use crate::store::edit::apply::{create_in, edit_in};
use crate::store::edit::{EditFailure, EditStore, MessageEdit, finish};
use crate::store::sqlite::lite::Lite;
use crate::store::{SaveContext, StoreError};

#[async_trait]
impl EditStore for SqliteStore {
    async fn edit_message(&self, id: i32, edit: MessageEdit, ctx: SaveContext) -> Result<TicketMessage, EditFailure> {
        finish(self.in_write(move |conn| in_place(edit_in(&mut Lite(conn), id, &edit, ctx))).await)
    }

    async fn create_message_read_back(
        &self,
        draft: &MessageDraft,
        ctx: SaveContext,
    ) -> Result<TicketMessage, StoreError> {
        let draft = draft.clone();
        self.in_write(move |conn| in_place(create_in(&mut Lite(conn), &draft, ctx))).await
    }

    fn message_reads(&self) -> u64 {
        self.message_reads.get()
    }
}
