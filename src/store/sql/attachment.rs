//! Uploaded attachments and their stored pieces.

use crate::store::StoreError;
use crate::store::attachment::AttachmentOwner;
use crate::store::columns::Columns;

/// `content` stays NULL until the last piece is in: readers skip such rows, and the
/// pending-upload sweep removes any a crash left behind.
pub const BEGIN_UPLOAD: &str = "INSERT INTO attachments (message_id, position, name, content_type, att_size, \
     inline_image, content_id, auth_key, content, created_by, created_at) \
     VALUES (NULL, 0, $1, $2, 0, $3, $4, '', NULL, $5, $6) RETURNING id";
/// `$1` attachment, `$2` piece number, `$3` bytes.
pub const APPEND_PIECE: &str = "INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES ($1, $2, $3)";
/// An empty `content` (`$3`) says the bytes are complete and in `attachment_chunks`.
pub const FINISH_UPLOAD: &str = "UPDATE attachments SET content = $3, att_size = $2 \
     WHERE id = $1 AND message_id IS NULL AND content IS NULL \
     RETURNING id, name, content_type, att_size, inline_image, content_id, auth_key";
/// The pieces go with the row (ON DELETE CASCADE).
pub const ABANDON_UPLOAD: &str = "DELETE FROM attachments WHERE id = $1 AND message_id IS NULL AND content IS NULL";
/// All but uploads whose bytes are still arriving.
pub const SELECT_ATTACHMENT: &str = "SELECT id, name, content_type, att_size, inline_image, content_id, auth_key, \
     message_id, created_by FROM attachments WHERE id = $1 AND (message_id IS NOT NULL OR content IS NOT NULL)";
/// Only attachments with stored bytes.
pub const SELECT_WITH_CONTENT: &str = "SELECT id, name, content_type, att_size, inline_image, content_id, auth_key, \
     message_id, created_by FROM attachments WHERE id = $1 AND content IS NOT NULL";
/// `$1` attachment, `$2` the first piece number wanted.
pub const SELECT_PIECE: &str =
    "SELECT seq, data FROM attachment_chunks WHERE attachment_id = $1 AND seq >= $2 ORDER BY seq LIMIT 1";

// Connecting uploads to a message.
pub const MESSAGE_EXISTS: &str = "SELECT id FROM ticket_messages WHERE id = $1";
pub const LAST_POSITION: &str = "SELECT COALESCE(MAX(position), -1) AS last FROM attachments WHERE message_id = $1";
pub const SELECT_OWNER: &str = "SELECT message_id, created_by FROM attachments \
     WHERE id = $1 AND (message_id IS NOT NULL OR content IS NOT NULL)";
/// Only while still pending: a sweep or another connection may have come first.
pub const CONNECT: &str = "UPDATE attachments SET message_id = $1, position = $2 WHERE id = $3 AND message_id IS NULL";
/// `$1` message, `$2` now.
pub const TOUCH_MESSAGE: &str = "UPDATE ticket_messages SET version = version + 1, updated_at = $2 WHERE id = $1";

/// Whom a row of [`SELECT_ATTACHMENT`] or [`SELECT_OWNER`] belongs to.
pub fn attachment_owner(row: &impl Columns) -> Result<AttachmentOwner, StoreError> {
    Ok(AttachmentOwner { message_id: row.maybe_int("message_id")?, uploaded_by: row.maybe_int("created_by")? })
}
