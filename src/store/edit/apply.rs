//! An edit and a create run inside the write, written once over the save's statements: the
//! message's lock, its read (child rows as the save's diff needs them), the edit, the save and
//! the answer from the rows in hand, all in one transaction.

use super::answer::{content_as_saved, saved_message};
use super::{EditOutcome, MessageEdit};
use crate::domain::{MessageDraft, TicketMessage};
use crate::store::save::{self, statements::SaveStatements};
use crate::store::whole_message;
use crate::store::{SaveContext, StoreError};

/// Locks, reads, edits and saves message `id`, answering the message as saved.
pub async fn edit_in<S: SaveStatements>(
    db: &mut S,
    id: i32,
    edit: &MessageEdit,
    ctx: SaveContext,
) -> Result<EditOutcome, StoreError> {
    // The lock comes before the read: the read then sees what the previous holder committed,
    // and no save of the message can change it until this transaction ends.
    db.lock_message(id).await?;
    let (stored, rows) = whole_message::read_with_rows(db, id).await?.ok_or(StoreError::NotFound)?;
    let draft = match edit(&stored) {
        Ok(draft) => draft,
        Err(refusal) => return Ok(Err(refusal)),
    };
    // Nothing can change the message in between; the version is named all the same, so a save
    // that somehow met another would fail rather than overwrite it.
    let ctx = SaveContext { expected_version: Some(stored.version), ..ctx };
    let updated = save::update_locked(db, id, &draft, ctx, Some(rows)).await?;
    match saved_message(stored, draft, updated) {
        Some(message) => Ok(Ok(message)),
        None => Ok(Ok(whole_message::read(db, id).await?.ok_or(StoreError::NotFound)?)),
    }
}

/// Creates a message with a new id and answers it as saved: its row is read for what the
/// database gave it (version, relations), its content is the draft's with the ids the inserts
/// returned. Uploads connected to it are read with it.
pub async fn create_in<S: SaveStatements>(
    db: &mut S,
    draft: &MessageDraft,
    ctx: SaveContext,
) -> Result<TicketMessage, StoreError> {
    let (id, ids) = save::create_with_ids(db, draft, ctx, crate::store::now_ticks()).await?;
    let content =
        if draft.also.connect_uploads.is_empty() { content_as_saved(draft.content.clone(), ids) } else { None };
    let Some(content) = content else {
        return whole_message::read(db, id).await?.ok_or(StoreError::NotFound);
    };
    let row = whole_message::message_row(db, id).await?;
    let mut message = row.ok_or(StoreError::NotFound)?.into_message(id);
    message.content = content;
    Ok(message)
}
