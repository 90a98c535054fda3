//! PostgreSQL's edits of stored messages: in the save's transaction the message's row lock is
//! taken first, so the message read after it on the same connection is the one the save lands
//! on, whichever server on the database saves it next.

use async_trait::async_trait;
use sqlx::PgConnection;

use super::pg::Pg;
use super::{PostgresStore, read};
use crate::domain::{MessageDraft, TicketMessage};
use crate::store::edit::{EditFailure, EditOutcome, EditStore, MessageEdit, finish};
use crate::store::save;
use crate::store::save::statements::SaveStatements as _;
use crate::store::{SaveContext, StoreError};

#[async_trait]
impl EditStore for PostgresStore {
    async fn edit_message(&self, id: i32, edit: MessageEdit, ctx: SaveContext) -> Result<TicketMessage, EditFailure> {
        // A writer may run the job again: each run reads afresh and calls the edit again.
        finish(
            self.in_write(move |conn| {
                let edit = edit.clone();
                Box::pin(async move { edit_in(conn, id, &edit, ctx).await })
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
            Box::pin({
                let draft = draft.clone();
                async move {
                    let id = save_create(conn, &draft, ctx).await?;
                    whole_message(conn, id).await
                }
            })
        })
        .await
    }

    fn message_reads(&self) -> u64 {
        self.message_reads.get()
    }
}

/// Locks, reads, edits, saves and reads back message `id` on `conn`, inside its transaction.
async fn edit_in(
    conn: &mut PgConnection,
    id: i32,
    edit: &MessageEdit,
    ctx: SaveContext,
) -> Result<EditOutcome, StoreError> {
    // The save's own row lock, taken before the read: the reads after it see what the previous
    // holder committed (READ COMMITTED), and no save of the message can change it until this
    // transaction ends.
    Pg(&mut *conn).lock_message(id).await?;
    let stored = whole_message(conn, id).await?;
    let draft = match edit(&stored) {
        Ok(draft) => draft,
        Err(refusal) => return Ok(Err(refusal)),
    };
    save_update(conn, id, &draft, SaveContext { expected_version: Some(stored.version), ..ctx }).await?;
    Ok(Ok(whole_message(conn, id).await?))
}

/// The message with its child rows, read on the transaction's connection.
async fn whole_message(conn: &mut PgConnection, id: i32) -> Result<TicketMessage, StoreError> {
    match read::load_message(conn, id, true).await? {
        read::Loaded::Message(message) => (*message).ok_or(StoreError::NotFound),
        read::Loaded::HasChildren => Err(StoreError::Internal("child rows left unread".into())),
    }
}

/// The one place an edit calls the message save.
async fn save_update(
    conn: &mut PgConnection,
    id: i32,
    draft: &MessageDraft,
    ctx: SaveContext,
) -> Result<(), StoreError> {
    save::update(&mut Pg(conn), id, draft, ctx).await
}

/// The one place a create that answers the saved message calls the message save.
async fn save_create(conn: &mut PgConnection, draft: &MessageDraft, ctx: SaveContext) -> Result<i32, StoreError> {
    save::create(&mut Pg(conn), draft, ctx, crate::store::now_ticks()).await
}
