//! Writes a stored message as `TicketMessageEntity`, properties in the vendor's order.

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

use super::carriers_out::{AssociateOut, PersonOut, TicketOut};
use super::dictionary::Dictionary;
use super::rights::{FieldProperties, NO_FIELDS, Right, TICKET_MESSAGE_FIELDS};
use crate::domain::{Access, AttachmentInfo, MessageHeader, TicketMessage, VendorEnum};
use crate::locale::Locale;

/// The response form of a stored message, for a caller's rights and locale.
pub struct TicketMessageEntity<'a> {
    message: &'a TicketMessage,
    access: Access,
    locale: &'a Locale,
}

impl<'a> TicketMessageEntity<'a> {
    /// The message as a caller with full rights and no locale preferences sees it.
    pub fn full(message: &'a TicketMessage) -> Self {
        Self { message, access: Access::FULL, locale: &Locale::NEUTRAL }
    }

    /// The message as a caller with `access` (`TableRight`, `FieldProperties`) and `locale`
    /// (dates, translated labels) sees it.
    pub fn for_caller(message: &'a TicketMessage, access: Access, locale: &'a Locale) -> Self {
        Self { message, access, locale }
    }
}

impl Serialize for TicketMessageEntity<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let m = self.message;
        let c = &m.content;
        let mut out = serializer.serialize_struct("TicketMessageEntity", 28)?;
        out.serialize_field("EjMessageId", &m.id)?;
        let locale = self.locale;
        out.serialize_field("Ticket", &m.ticket.as_ref().map(|t| TicketOut(t, locale)))?;
        out.serialize_field("CreatedAt", &locale.stamp(&c.created_at))?;
        out.serialize_field("CreatedBy", &m.created_by.as_ref().map(AssociateOut))?;
        out.serialize_field("Author", &c.author)?;
        out.serialize_field("Slevel", c.slevel.name())?;
        out.serialize_field("Type", c.message_type.name())?;
        out.serialize_field("MessageId", &c.message_id)?;
        out.serialize_field("TimeSpent", &c.time_spent)?;
        out.serialize_field("Body", &c.body)?;
        out.serialize_field("HtmlBody", &c.html_body)?;
        out.serialize_field("EmailHeader", &c.email_header)?;
        out.serialize_field("DebugInfo", &c.debug_info)?;
        out.serialize_field("MailSorter", &c.mail_sorter)?;
        out.serialize_field("MessageCategory", c.category.name())?;
        out.serialize_field("Person", &m.person.as_ref().map(|p| PersonOut(p, locale)))?;
        out.serialize_field("SearchTitle", &c.search_title)?;
        out.serialize_field("MessageHeaders", &Items(&c.headers, HeaderOut))?;
        out.serialize_field("Important", &c.important)?;
        out.serialize_field("Language", &c.language)?;
        out.serialize_field("Sentiment", &c.sentiment)?;
        out.serialize_field("SentimentConfidence", &c.sentiment_confidence)?;
        out.serialize_field("Badge", c.badge.name())?;
        out.serialize_field("AttachmentsInfo", &Items(&c.attachments, AttachmentOut))?;
        out.serialize_field("ExtraFields", &Dictionary(&c.extra_fields))?;
        out.serialize_field("CustomFields", &Dictionary(&c.custom_fields))?;
        let reason = if self.access.can_write() { "".into() } else { locale.label("[SR_RIGHTS_READ_ONLY]") };
        let table_right = Right { mask: self.access.table_mask(), reason: &reason };
        out.serialize_field("TableRight", &table_right)?;
        let fields = FieldProperties { fields: TICKET_MESSAGE_FIELDS, read_only: !self.access.can_write() };
        out.serialize_field("FieldProperties", &fields)?;
        out.end()
    }
}

/// A list written item by item through a wrapper (`[]` when empty).
pub(super) struct Items<'a, T, W>(pub(super) &'a [T], pub(super) fn(&'a T) -> W);

impl<'a, T, W: Serialize> Serialize for Items<'a, T, W> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item))?;
        }
        seq.end()
    }
}

pub(super) struct HeaderOut<'a>(pub(super) &'a MessageHeader);

impl Serialize for HeaderOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let h = self.0;
        let mut out = serializer.serialize_struct("TicketMessageHeader", 7)?;
        out.serialize_field("Id", &h.id)?;
        out.serialize_field("Name", &h.name)?;
        out.serialize_field("Value", &h.value)?;
        out.serialize_field("StdItem", h.std_item.name())?;
        out.serialize_field("StdItemCol", h.std_item_col.name())?;
        out.serialize_field("TableRight", &None::<()>)?;
        out.serialize_field("FieldProperties", &NO_FIELDS)?;
        out.end()
    }
}

/// The response form of one `AttachmentEntity`.
pub struct AttachmentOut<'a>(pub &'a AttachmentInfo);

impl Serialize for AttachmentOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut out = serializer.serialize_struct("AttachmentEntity", 10)?;
        out.serialize_field("AttachmentId", &a.id)?;
        out.serialize_field("Name", &a.name)?;
        out.serialize_field("ContentType", &a.content_type)?;
        out.serialize_field("AttSize", &a.size)?;
        out.serialize_field("InlineImage", &a.inline_image)?;
        out.serialize_field("ContentId", &a.content_id)?;
        out.serialize_field("AuthKey", &a.auth_key)?;
        out.serialize_field("IsSafeFileExtension", &a.is_safe_file_extension())?;
        out.serialize_field("TableRight", &None::<()>)?;
        out.serialize_field("FieldProperties", &NO_FIELDS)?;
        out.end()
    }
}
