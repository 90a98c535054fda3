//! Attachment content: uploads, the bytes behind a message's attachment information, and
//! connecting uploaded attachments to a message.
//!
//! Uploaded bytes are stored in pieces of at most [`CHUNK_BYTES`], written as they arrive and
//! read back one at a time, so neither an upload nor a download holds a whole file in memory.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::AttachmentInfo;

/// The most bytes of one stored piece of an attachment: what an upload gathers before writing
/// and a download holds at once.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// An upload's description; its bytes follow with [`AttachmentStore::append_upload`].
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub inline_image: bool,
    pub content_id: String,
    pub created_by: i32,
}

/// Whom an attachment belongs to: the message it is connected to, and the associate who
/// uploaded it (the only one besides admins who may use it while no message has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentOwner {
    /// The message the attachment belongs to, if any yet.
    pub message_id: Option<i32>,
    /// The uploader; `None` for rows that came with a message rather than an upload.
    pub uploaded_by: Option<i32>,
}

/// A stored attachment's bytes and how to serve them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentContent {
    pub info: AttachmentInfo,
    pub owner: AttachmentOwner,
    pub content: Vec<u8>,
}

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Starts an upload that no message has claimed yet: a row no reader shows until
    /// [`Self::finish_upload`]; its id.
    async fn begin_upload(&self, upload: &NewAttachment) -> Result<i32, StoreError>;
    /// Stores piece `seq` (0, 1, …) of an upload's bytes.
    async fn append_upload(&self, id: i32, seq: i32, bytes: &[u8]) -> Result<(), StoreError>;
    /// Completes an upload of `size` bytes; its information.
    async fn finish_upload(&self, id: i32, size: i32) -> Result<AttachmentInfo, StoreError>;
    /// Deletes an upload that was not finished, with whatever of its bytes arrived.
    async fn abandon_upload(&self, id: i32) -> Result<(), StoreError>;
    /// An attachment's information and whom it belongs to.
    async fn attachment(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError>;
    /// Like [`Self::attachment`], but `None` unless the attachment has stored bytes.
    async fn attachment_with_content(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError>;
    /// The first stored piece of an attachment's bytes numbered `seq` or later, with its number;
    /// `None` past the last.
    async fn attachment_chunk(&self, id: i32, seq: i32) -> Result<Option<(i32, Vec<u8>)>, StoreError>;
    /// An attachment with all its bytes at once (for e-mail and embedded images, which need the
    /// whole file); `None` when it does not exist or has no stored bytes.
    async fn attachment_content(&self, id: i32) -> Result<Option<AttachmentContent>, StoreError>;
    /// Appends uploaded attachments to a message's attachment list. `NotFound` when the message
    /// does not exist; `UnknownReference` for an id that does not exist, belongs to another
    /// message, or (with `uploader` set) was uploaded by someone else (nothing is connected then).
    async fn connect_attachments(&self, message_id: i32, ids: &[i32], uploader: Option<i32>) -> Result<(), StoreError>;
    /// Deletes at most `batch` uploads that no message claimed and that were made before
    /// `before`; how many went.
    async fn delete_pending_uploads(&self, before: crate::domain::Timestamp, batch: u32) -> Result<u64, StoreError>;
}
