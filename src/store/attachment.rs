//! Attachment content: uploads, the bytes behind a message's attachment information, and
//! connecting uploaded attachments to a message.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::AttachmentInfo;

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
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
    /// Stores an upload that no message has claimed yet; returns its information.
    async fn add_attachment(&self, upload: &NewAttachment) -> Result<AttachmentInfo, StoreError>;
    /// An attachment's information and whom it belongs to.
    async fn attachment(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError>;
    /// An attachment with its bytes; `None` when it does not exist or has no stored bytes.
    async fn attachment_content(&self, id: i32) -> Result<Option<AttachmentContent>, StoreError>;
    /// Appends uploaded attachments to a message's attachment list. `NotFound` when the message
    /// does not exist; `UnknownReference` for an id that does not exist, belongs to another
    /// message, or (with `uploader` set) was uploaded by someone else (nothing is connected then).
    async fn connect_attachments(&self, message_id: i32, ids: &[i32], uploader: Option<i32>) -> Result<(), StoreError>;
    /// Deletes at most `batch` uploads that no message claimed and that were made before
    /// `before`; how many went.
    async fn delete_pending_uploads(&self, before: crate::domain::Timestamp, batch: u32) -> Result<u64, StoreError>;
}
