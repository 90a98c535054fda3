//! The statements a message save runs and the decisions it takes on their rows; PostgreSQL runs
//! them through sqlx, SQLite through the group-commit writer on rusqlite.

use super::attachment::AttachmentOwner;
use super::columns::Columns;
use super::{SaveContext, StoreError};
use crate::domain::MessageContent;

/// What the draft leaves as stored, the relations it ends up with, the child-row counts and
/// whether any webhook is active (so the save asks for them only then): `$1` message id, `$2`
/// new ticket id or NULL, `$3` new creator or NULL, `$4` person id or 0.
pub const LOOKUP_FOR_UPDATE: &str = "SELECT m.ticket_id, m.created_by, \
     (SELECT COUNT(*) FROM tickets WHERE id = COALESCE($2, m.ticket_id)) AS tickets, \
     (SELECT COUNT(*) FROM associates WHERE id = COALESCE($3, m.created_by)) AS associates, \
     (SELECT COUNT(*) FROM persons WHERE id = $4) AS persons, \
     (SELECT COUNT(*) FROM message_headers WHERE message_id = m.id) AS headers, \
     (SELECT COUNT(*) FROM attachments WHERE message_id = m.id) AS attachments, \
     (SELECT COUNT(*) FROM message_fields WHERE message_id = m.id) AS fields, \
     EXISTS (SELECT 1 FROM webhooks WHERE active = TRUE) AS webhooks \
     FROM ticket_messages m WHERE m.id = $1";

/// A new message's relations, and whether any webhook is active.
pub const CHECK_REFERENCES: &str = "SELECT (SELECT COUNT(*) FROM tickets WHERE id = $1) AS tickets, \
     (SELECT COUNT(*) FROM associates WHERE id = $2) AS associates, \
     (SELECT COUNT(*) FROM persons WHERE id = $3) AS persons, \
     EXISTS (SELECT 1 FROM webhooks WHERE active = TRUE) AS webhooks";

/// The `webhooks` column of [`LOOKUP_FOR_UPDATE`] and [`CHECK_REFERENCES`].
pub fn webhooks_active(row: &impl Columns) -> Result<bool, StoreError> {
    row.flag("webhooks")
}

/// The 22 message columns are bound in this order by both statements below.
pub const INSERT_MESSAGE: &str = "INSERT INTO ticket_messages (ticket_id, created_at, created_by, author, slevel, message_type, \
     message_id, time_spent, body, html_body, email_header, debug_info, mail_sorter, category, \
     person_id, search_title, important, language, sentiment, sentiment_confidence, badge, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) \
     RETURNING id";

/// `$23` is the message id, `$24` the version the caller expects (NULL: any).
pub const UPDATE_MESSAGE: &str = "UPDATE ticket_messages SET ticket_id = $1, created_at = $2, created_by = $3, author = $4, \
     slevel = $5, message_type = $6, message_id = $7, time_spent = $8, body = $9, html_body = $10, \
     email_header = $11, debug_info = $12, mail_sorter = $13, category = $14, person_id = $15, \
     search_title = $16, important = $17, language = $18, sentiment = $19, \
     sentiment_confidence = $20, badge = $21, updated_at = $22, version = version + 1 \
     WHERE id = $23 AND (CAST($24 AS BIGINT) IS NULL OR version = CAST($24 AS BIGINT))";

/// The row lock a PostgreSQL save takes first. `NO KEY` leaves free the lock that child-row
/// inserts take on their parent.
pub const LOCK_MESSAGE: &str = "SELECT id FROM ticket_messages WHERE id = $1 FOR NO KEY UPDATE";

/// [`UPDATE_MESSAGE`] and its `ticketmessage.changed` save record in one statement (PostgreSQL):
/// the record is written only when the UPDATE changed the row, so the statement's row count is
/// the UPDATE's. `$25` is the notify flag, `$26` the caller.
pub fn update_and_record() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "WITH changed AS ({UPDATE_MESSAGE} RETURNING id) \
             INSERT INTO message_events (message_id, event, notify, associate_id, created_at) \
             SELECT id, 'ticketmessage.changed', $25, $26, $22 FROM changed"
        )
    });
    &SQL
}

pub const RECORD_SAVE: &str =
    "INSERT INTO message_events (message_id, event, notify, associate_id, created_at) VALUES ($1, $2, $3, $4, $5)";

/// Child rows go by ON DELETE CASCADE, in the same transaction.
pub const DELETE_MESSAGE: &str = "DELETE FROM ticket_messages WHERE id = $1";

pub const FORGET_OLD_KEY: &str =
    "DELETE FROM idempotency_keys WHERE associate_id = $1 AND idempotency_key = $2 AND created_at < $3";
pub const FIND_KEY: &str = "SELECT message_id FROM idempotency_keys WHERE associate_id = $1 AND idempotency_key = $2";
pub const REMEMBER_KEY: &str =
    "INSERT INTO idempotency_keys (associate_id, idempotency_key, message_id, created_at) VALUES ($1, $2, $3, $4)";

/// Rows with uploaded bytes keep the type and size those bytes have.
pub const UPDATE_KEPT_ATTACHMENT: &str = "UPDATE attachments SET message_id = $1, position = $2, name = $3, \
     content_type = CASE WHEN content IS NULL THEN $4 ELSE content_type END, \
     att_size = CASE WHEN content IS NULL THEN $5 ELSE att_size END, \
     inline_image = $6, content_id = $7, auth_key = $8 WHERE id = $9";

/// The heads of the multi-row writes of child rows: a row of placeholders per row follows.
pub const INSERT_HEADERS: &str =
    "INSERT INTO message_headers (message_id, position, name, value, std_item, std_item_col) VALUES ";
pub const INSERT_ATTACHMENTS: &str = "INSERT INTO attachments (message_id, position, name, content_type, att_size, \
     inline_image, content_id, auth_key) VALUES ";
/// `$1` message, `$2` kind, `$3` key, `$4` value per row: a changed value or a new key.
pub const INSERT_FIELDS: &str = "INSERT INTO message_fields (message_id, kind, field_key, field_value) VALUES ";
pub const UPSERT_FIELDS_TAIL: &str =
    " ON CONFLICT (message_id, kind, field_key) DO UPDATE SET field_value = excluded.field_value";
pub const DELETE_HEADERS_BY_ID: &str = "DELETE FROM message_headers WHERE id IN ";
pub const DELETE_ATTACHMENTS_BY_ID: &str = "DELETE FROM attachments WHERE id IN ";
/// `$1` the message, then (kind, key) pairs.
pub const DELETE_FIELDS_BY_KEY: &str = "DELETE FROM message_fields WHERE message_id = $1 AND (kind, field_key) IN ";

/// An attachment's message and uploader, `$1` its id; uploads whose bytes are still arriving
/// read as none.
pub const SELECT_UPLOAD_OWNER: &str = "SELECT message_id, created_by FROM attachments \
     WHERE id = $1 AND (message_id IS NOT NULL OR content IS NOT NULL)";
pub const LAST_ATTACHMENT_POSITION: &str =
    "SELECT COALESCE(MAX(position), -1) AS last FROM attachments WHERE message_id = $1";
/// `$1` message, `$2` position, `$3` upload: only while still pending, as a sweep or another
/// connection may have come first.
pub const CONNECT_UPLOAD: &str =
    "UPDATE attachments SET message_id = $1, position = $2 WHERE id = $3 AND message_id IS NULL";
/// `$1` the stamp (UTC ticks), `$2` the ticket.
pub const STAMP_REPLIED_AT: &str = "UPDATE tickets SET replied_at = $1 WHERE id = $2";

/// Whether upload `id`, found with `owner` (`None`: no such upload), is still to be connected to
/// message `message_id` (`false`: it is that message's already). An upload of another message,
/// or (with `uploader` set) someone else's pending upload, cannot be.
pub fn to_connect(
    id: i32,
    owner: Option<AttachmentOwner>,
    message_id: i32,
    uploader: Option<i32>,
) -> Result<bool, StoreError> {
    match owner {
        Some(AttachmentOwner { message_id: None, uploaded_by }) if uploader.is_none() || uploaded_by == uploader => {
            Ok(true)
        }
        Some(AttachmentOwner { message_id: Some(owner), .. }) if owner == message_id => Ok(false),
        _ => Err(not_connectable(id)),
    }
}

/// The error of an upload a save cannot connect; the save is rolled back with it.
pub fn not_connectable(id: i32) -> StoreError {
    StoreError::UnknownReference { field: "AttachmentIds", id }
}

/// The owner in a [`SELECT_UPLOAD_OWNER`] row.
pub fn upload_owner(row: &impl Columns) -> Result<AttachmentOwner, StoreError> {
    Ok(AttachmentOwner { message_id: row.maybe_int("message_id")?, uploaded_by: row.maybe_int("created_by")? })
}

/// Fails with the first relation of the draft that a lookup row counted as missing.
pub fn references_found(
    row: &impl Columns,
    ticket_id: i32,
    created_by: i32,
    person_id: Option<i32>,
) -> Result<(), StoreError> {
    if row.big("tickets")? == 0 {
        return Err(StoreError::UnknownReference { field: "Ticket.TicketId", id: ticket_id });
    }
    if row.big("associates")? == 0 {
        return Err(StoreError::UnknownReference { field: "CreatedBy.AssociateId", id: created_by });
    }
    match person_id {
        Some(id) if row.big("persons")? == 0 => Err(StoreError::UnknownReference { field: "Person.PersonId", id }),
        _ => Ok(()),
    }
}

/// Why an UPDATE of a message its lookup found changed no row: only a version check can refuse
/// it, and a save without one is never stale (412 is for requests with a precondition).
pub fn unchanged(ctx: SaveContext) -> StoreError {
    if ctx.expected_version.is_some() { StoreError::Stale } else { StoreError::NotFound }
}

/// Which child tables hold rows of the message before the save.
#[derive(Debug, Clone, Copy)]
pub struct StoredChildren {
    pub headers: bool,
    pub attachments: bool,
    pub fields: bool,
}

impl StoredChildren {
    pub const NONE: Self = Self { headers: false, attachments: false, fields: false };

    /// The child-row counts of a [`LOOKUP_FOR_UPDATE`] row.
    pub fn of(row: &impl Columns) -> Result<Self, StoreError> {
        Ok(Self {
            headers: row.big("headers")? > 0,
            attachments: row.big("attachments")? > 0,
            fields: row.big("fields")? > 0,
        })
    }

    /// Whether the save has to touch each child table: it held rows, or the content brings some.
    pub fn to_replace(self, content: &MessageContent) -> Self {
        Self {
            headers: self.headers || !content.headers.is_empty(),
            attachments: self.attachments || !content.attachments.is_empty(),
            fields: self.fields || !content.extra_fields.is_empty() || !content.custom_fields.is_empty(),
        }
    }
}
