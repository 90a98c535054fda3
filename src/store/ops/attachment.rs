//! Uploads written piece by piece, read back piece by piece, and connected to a message.

use crate::domain::AttachmentInfo;
use crate::store::acting::Acting;
use crate::store::attachment::{AttachmentContent, AttachmentOwner, NewAttachment};
use crate::store::db::{Db, values};
use crate::store::message_rows::attachment_info;
use crate::store::sql::attachment as sql;
use crate::store::{StoreError, now_ticks};

pub async fn begin_upload(db: &mut impl Db, upload: &NewAttachment) -> Result<i32, StoreError> {
    let values = values![
        &upload.name,
        &upload.content_type,
        upload.inline_image,
        &upload.content_id,
        upload.created_by,
        now_ticks(),
    ];
    db.one(sql::BEGIN_UPLOAD, values, |row| row.int("id")).await?.ok_or(StoreError::NotFound)
}

/// One short statement per piece: a slow uploader holds neither a connection nor a lock
/// between pieces.
pub async fn append_upload(db: &mut impl Db, id: i32, seq: i32, bytes: &[u8]) -> Result<(), StoreError> {
    db.run(sql::APPEND_PIECE, values![id, seq, bytes]).await?;
    Ok(())
}

/// Completes an upload; `NotFound` only if it was swept while arriving.
pub async fn finish_upload(db: &mut impl Db, id: i32, size: i32) -> Result<AttachmentInfo, StoreError> {
    let empty: &[u8] = &[];
    db.one(sql::FINISH_UPLOAD, values![id, size, empty], |row| attachment_info(&row)).await?.ok_or(StoreError::NotFound)
}

pub async fn abandon_upload(db: &mut impl Db, id: i32) -> Result<(), StoreError> {
    db.run(sql::ABANDON_UPLOAD, values![id]).await?;
    Ok(())
}

/// An attachment's information and owner, by one of [`sql::SELECT_ATTACHMENT`] and
/// [`sql::SELECT_WITH_CONTENT`].
pub async fn attachment(
    db: &mut impl Db,
    statement: &str,
    id: i32,
) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
    db.one(statement, values![id], |row| Ok((attachment_info(&row)?, sql::attachment_owner(&row)?))).await
}

pub async fn attachment_chunk(db: &mut impl Db, id: i32, seq: i32) -> Result<Option<(i32, Vec<u8>)>, StoreError> {
    db.one(sql::SELECT_PIECE, values![id, seq], |row| Ok((row.int("seq")?, row.bytes("data")?))).await
}

/// An attachment with all its bytes, gathered piece by piece.
pub async fn attachment_content(db: &mut impl Db, id: i32) -> Result<Option<AttachmentContent>, StoreError> {
    let Some((info, owner)) = attachment(db, sql::SELECT_WITH_CONTENT, id).await? else { return Ok(None) };
    let mut content = Vec::with_capacity(usize::try_from(info.size).unwrap_or(0));
    let mut next = 0;
    while let Some((seq, piece)) = attachment_chunk(db, id, next).await? {
        content.extend_from_slice(&piece);
        next = seq.saturating_add(1);
    }
    Ok(Some(AttachmentContent { info, owner, content }))
}

/// Appends uploads to a message's attachments, after the ones it has; the message's version
/// moves and its webhook event (by `acting`) is queued. Nothing is connected when any id is
/// not connectable.
pub async fn connect_attachments(
    db: &mut impl Db,
    message_id: i32,
    ids: &[i32],
    uploader: Option<i32>,
    acting: Acting,
) -> Result<(), StoreError> {
    db.one(sql::MESSAGE_EXISTS, values![message_id], |row| row.int("id")).await?.ok_or(StoreError::NotFound)?;
    let last = db.one(sql::LAST_POSITION, values![message_id], |row| row.int("last")).await?.unwrap_or(-1);
    let mut position = i64::from(last) + 1;
    for &id in ids {
        let owner = db.one(sql::SELECT_OWNER, values![id], |row| sql::attachment_owner(&row)).await?;
        let unknown = StoreError::UnknownReference { field: "attachmentIds", id };
        match owner {
            // Someone else's pending upload reads as no upload at all.
            Some(AttachmentOwner { message_id: None, uploaded_by })
                if uploader.is_none() || uploaded_by == uploader => {}
            // Connecting twice is harmless.
            Some(AttachmentOwner { message_id: Some(owner), .. }) if owner == message_id => continue,
            _ => return Err(unknown),
        }
        let at = i32::try_from(position).unwrap_or(i32::MAX);
        if db.run(sql::CONNECT, values![message_id, at, id]).await? != 1 {
            return Err(unknown);
        }
        position += 1;
    }
    let now = now_ticks();
    db.run(sql::TOUCH_MESSAGE, values![message_id, now]).await?;
    super::webhook::queue_attachments_connected(db, message_id, acting, now).await
}
