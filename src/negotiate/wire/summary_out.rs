//! Writes a stored message as the flat `TicketMessage` carrier (`SuperOffice.CRM.Services.TicketMessage`)
//! the Agents API's `GetTicketMessage` answers with: ids and names instead of nested carriers,
//! no bodies, an attachment count instead of attachment information.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::entity_out::{HeaderOut, Items};
use super::rights::{FieldProperties, FieldProperty, Right};
use crate::domain::{Access, TicketMessage, VendorEnum};
use crate::locale::Locale;

/// The `TicketMessage` summary of a stored message, for a caller's rights and locale.
pub struct TicketMessageSummary<'a> {
    message: &'a TicketMessage,
    access: Access,
    locale: &'a Locale,
}

impl<'a> TicketMessageSummary<'a> {
    pub fn for_caller(message: &'a TicketMessage, access: Access, locale: &'a Locale) -> Self {
        Self { message, access, locale }
    }
}

impl Serialize for TicketMessageSummary<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let m = self.message;
        let c = &m.content;
        let locale = self.locale;
        let person = m.person.as_ref();
        let mut out = serializer.serialize_struct("TicketMessage", 21)?;
        out.serialize_field("TicketMessageId", &m.id)?;
        // Both stamps are UTC, as `CreatedAt` is on the entity.
        out.serialize_field("CreatedAt", &locale.stamp(&c.created_at))?;
        out.serialize_field("Slevel", c.slevel.name())?;
        out.serialize_field("Important", &c.important)?;
        out.serialize_field("Author", &c.author)?;
        out.serialize_field("PersonId", &person.map_or(0, |p| p.person_id))?;
        out.serialize_field("PersonFullName", person.map_or("", |p| p.full_name.as_str()))?;
        out.serialize_field("ContactId", &person.map_or(0, |p| p.contact_id))?;
        out.serialize_field("ContactName", person.map_or("", |p| p.contact_name.as_str()))?;
        out.serialize_field("ContactDepartment", person.map_or("", |p| p.contact_department.as_str()))?;
        out.serialize_field("NumAttachments", &c.attachments.len())?;
        out.serialize_field("EmailHeader", &c.email_header)?;
        out.serialize_field("MessageHeaders", &Items(&c.headers, HeaderOut))?;
        out.serialize_field("Language", &c.language)?;
        out.serialize_field("Sentiment", &c.sentiment)?;
        out.serialize_field("SentimentConfidence", &c.sentiment_confidence)?;
        out.serialize_field("CreatedBy", &m.created_by.as_ref().map_or(0, |a| a.associate_id))?;
        out.serialize_field("ChangedAt", &locale.stamp(&m.updated_at))?;
        out.serialize_field("Badge", c.badge.name())?;
        let reason = if self.access.can_write() { "".into() } else { locale.label("[SR_RIGHTS_READ_ONLY]") };
        out.serialize_field("TableRight", &Right { mask: self.access.table_mask(), reason: &reason })?;
        let fields = FieldProperties { fields: SUMMARY_FIELDS, read_only: !self.access.can_write() };
        out.serialize_field("FieldProperties", &fields)?;
        out.end()
    }
}

/// Per-field rights of the summary: it is a read-only view, saved through the entity.
const SUMMARY_FIELDS: &[FieldProperty] = &[
    FieldProperty::read("TicketMessageId", "System.Int32", 4),
    FieldProperty::read("CreatedAt", "System.DateTime", 16),
    FieldProperty::read("Slevel", "SuperOffice.CRM.Services.TicketSecurityLevel", 2),
    FieldProperty::update("Important", "System.Boolean", 2),
    FieldProperty::read("Author", "System.String", 255),
    FieldProperty::read("PersonId", "System.Int32", 4),
    FieldProperty::read("PersonFullName", "System.String", 255),
    FieldProperty::read("ContactId", "System.Int32", 4),
    FieldProperty::read("ContactName", "System.String", 255),
    FieldProperty::read("ContactDepartment", "System.String", 255),
    FieldProperty::read("NumAttachments", "System.Int32", 4),
    FieldProperty::read("EmailHeader", "System.String", 0),
    FieldProperty::read("MessageHeaders", "SuperOffice.CRM.Services.TicketMessageHeader[]", 0),
    FieldProperty::read("Language", "System.String", 255),
    FieldProperty::read("Sentiment", "System.Int32", 4),
    FieldProperty::read("SentimentConfidence", "System.Int32", 4),
    FieldProperty::read("CreatedBy", "System.Int32", 4),
    FieldProperty::read("ChangedAt", "System.DateTime", 16),
    FieldProperty::read("Badge", "SuperOffice.CRM.Services.BadgeType", 2),
];
