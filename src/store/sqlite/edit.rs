//! SQLite's edits of stored messages, run on the writer thread: the writer connection holds the
//! write lock for the whole batch, so the message read there is the one the save lands on,
//! whatever other process shares the file.

use async_trait::async_trait;
use rusqlite::Connection;

use super::{SqliteStore, read};
use crate::domain::{MessageDraft, TicketMessage};
use crate::store::db::in_place;
use crate::store::edit::{EditFailure, EditOutcome, EditStore, MessageEdit, finish};
use crate::store::save;
use crate::store::sqlite::lite::Lite;
use crate::store::{SaveContext, StoreError};

#[async_trait]
impl EditStore for SqliteStore {
    async fn edit_message(&self, id: i32, edit: MessageEdit, ctx: SaveContext) -> Result<TicketMessage, EditFailure> {
        finish(self.in_write(move |conn| edit_in(conn, id, &edit, ctx)).await)
    }

    async fn create_message_read_back(
        &self,
        draft: &MessageDraft,
        ctx: SaveContext,
    ) -> Result<TicketMessage, StoreError> {
        let draft = draft.clone();
        self.in_write(move |conn| {
            let id = save_create(conn, &draft, ctx)?;
            read::load_message(conn, id)?.ok_or(StoreError::NotFound)
        })
        .await
    }

    fn message_reads(&self) -> u64 {
        self.message_reads.get()
    }
}

/// Reads, edits, saves and reads back message `id` on the writer connection, inside the
/// batch's transaction.
fn edit_in(conn: &Connection, id: i32, edit: &MessageEdit, ctx: SaveContext) -> Result<EditOutcome, StoreError> {
    let stored = read::load_message(conn, id)?.ok_or(StoreError::NotFound)?;
    let draft = match edit(&stored) {
        Ok(draft) => draft,
        Err(refusal) => return Ok(Err(refusal)),
    };
    // Nothing can change the message in between; the version is named all the same, so a save
    // that somehow met another would fail rather than overwrite it.
    save_update(conn, id, &draft, SaveContext { expected_version: Some(stored.version), ..ctx })?;
    Ok(Ok(read::load_message(conn, id)?.ok_or(StoreError::NotFound)?))
}

/// The one place an edit calls the message save.
fn save_update(conn: &Connection, id: i32, draft: &MessageDraft, ctx: SaveContext) -> Result<(), StoreError> {
    in_place(save::update(&mut Lite(conn), id, draft, ctx))
}

/// The one place a create that answers the saved message calls the message save.
fn save_create(conn: &Connection, draft: &MessageDraft, ctx: SaveContext) -> Result<i32, StoreError> {
    in_place(save::create(&mut Lite(conn), draft, ctx, crate::store::now_ticks()))
}
