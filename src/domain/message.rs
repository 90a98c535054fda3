//! The ticket message itself: its content, the references a save carries, and the stored form.

use std::collections::BTreeMap;

use super::carriers::{Associate, Person, Ticket};
use super::enums::{
    BadgeType, MessageCategory, MessageHeaderStdItem, MessageHeaderStdItemCol, MessageType, SecurityLevel,
};
use super::timestamp::{NO_DATE, Timestamp};

/// A string-to-string dictionary (`ExtraFields`, `CustomFields`); keys are case-sensitive.
pub type FieldMap = BTreeMap<String, String>;

/// One `TicketMessageHeader`: a To/Cc/Bcc or custom header of the message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageHeader {
    /// The header's id; on save, a hint the store honours only for this message's own headers.
    pub id: i32,
    pub name: String,
    pub value: String,
    pub std_item: MessageHeaderStdItem,
    pub std_item_col: MessageHeaderStdItemCol,
}

/// One `AttachmentEntity`: metadata of a file attached to the message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttachmentInfo {
    /// The attachment's id; on save, a hint as for [`MessageHeader::id`].
    pub id: i32,
    pub name: String,
    pub content_type: String,
    pub size: i32,
    pub inline_image: bool,
    pub content_id: String,
    pub auth_key: String,
}

impl AttachmentInfo {
    /// Whether the file name's extension is on the list of extensions safe to open.
    pub fn is_safe_file_extension(&self) -> bool {
        const SAFE: &[&str] = &[
            "txt", "pdf", "png", "jpg", "jpeg", "gif", "bmp", "webp", "csv", "doc", "docx", "xls", "xlsx", "ppt",
            "pptx", "odt", "ods", "odp", "rtf", "eml", "msg", "zip",
        ];
        self.name.rsplit_once('.').is_some_and(|(_, ext)| SAFE.iter().any(|safe| safe.eq_ignore_ascii_case(ext)))
    }
}

/// The writable, self-contained part of a message: everything but its id and relations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageContent {
    pub created_at: Timestamp,
    pub author: String,
    pub slevel: SecurityLevel,
    pub message_type: MessageType,
    pub message_id: String,
    pub time_spent: i32,
    pub body: String,
    pub html_body: String,
    pub email_header: String,
    pub debug_info: String,
    pub mail_sorter: String,
    pub category: MessageCategory,
    pub search_title: String,
    pub headers: Vec<MessageHeader>,
    pub important: bool,
    pub language: String,
    pub sentiment: i32,
    pub sentiment_confidence: i32,
    pub badge: BadgeType,
    pub attachments: Vec<AttachmentInfo>,
    pub extra_fields: FieldMap,
    pub custom_fields: FieldMap,
}

impl Default for MessageContent {
    fn default() -> Self {
        Self {
            created_at: NO_DATE,
            author: String::new(),
            slevel: SecurityLevel::default(),
            message_type: MessageType::default(),
            message_id: String::new(),
            time_spent: 0,
            body: String::new(),
            html_body: String::new(),
            email_header: String::new(),
            debug_info: String::new(),
            mail_sorter: String::new(),
            category: MessageCategory::default(),
            search_title: String::new(),
            headers: Vec::new(),
            important: false,
            language: String::new(),
            sentiment: 0,
            sentiment_confidence: 0,
            badge: BadgeType::default(),
            attachments: Vec::new(),
            extra_fields: FieldMap::new(),
            custom_fields: FieldMap::new(),
        }
    }
}

/// The relations a save names by id. `None` means "not given" (see [`MessageDraft`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageRefs {
    /// `Ticket.TicketId`: required on create; on update `None` keeps the stored ticket.
    pub ticket_id: Option<i32>,
    /// `CreatedBy.AssociateId`: on create `None` means the caller; on update it keeps the stored one.
    pub created_by: Option<i32>,
    /// `Person.PersonId`: `None` means no person.
    pub person_id: Option<i32>,
}

/// What a client asked to save: the content plus the relations by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageDraft {
    /// The `EjMessageId` the body carried (0 when absent); PUT ignores it in favour of the path.
    pub requested_id: i32,
    pub refs: MessageRefs,
    pub content: MessageContent,
    /// Writes the save makes besides the message's own, in its transaction.
    pub also: SaveAlso,
}

/// What a save writes besides the message, committed with it or not at all (the Agents API's
/// `SaveTicketMessageEntityWithOptions`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaveAlso {
    /// Uploaded attachments appended to the message's attachment list, in this order.
    pub connect_uploads: Vec<i32>,
    /// Whose pending uploads those may be: `None` for anyone's (an admin's save).
    pub uploader: Option<i32>,
    /// Stamps the ticket's replied-at time with the save's time.
    pub stamp_replied_at: bool,
}

/// A stored message with its relations resolved into carriers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMessage {
    pub id: i32,
    pub ticket: Option<Ticket>,
    pub created_by: Option<Associate>,
    pub person: Option<Person>,
    pub content: MessageContent,
    /// Incremented on every save; the basis of entity tags.
    pub version: i64,
    /// When the message was last saved (UTC).
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_extensions_are_judged_by_the_last_extension() {
        let named = |name: &str| AttachmentInfo { name: name.into(), ..Default::default() };
        assert!(named("report.PDF").is_safe_file_extension());
        assert!(!named("setup.pdf.exe").is_safe_file_extension());
        assert!(!named("README").is_safe_file_extension());
    }
}
