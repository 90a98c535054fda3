//! `TableRight` and `FieldProperties`: the rights block every carrier ends with.

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

/// A `TableRight` or `FieldRight`: a mask of rights and the reason for any restriction.
pub struct Right<'a> {
    pub mask: &'static str,
    pub reason: &'a str,
}

/// Full rights, which is what an authenticated associate has on a ticket message.
pub const FULL: Right<'static> = Right { mask: "FULL", reason: "" };

impl Serialize for Right<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("TableRight", 2)?;
        out.serialize_field("Mask", self.mask)?;
        out.serialize_field("Reason", self.reason)?;
        out.end()
    }
}

/// One entry of a `FieldProperties` dictionary.
pub struct FieldProperty {
    pub name: &'static str,
    pub mask: &'static str,
    pub field_type: &'static str,
    pub length: i32,
}

impl FieldProperty {
    /// A field the caller may change (when they may write at all).
    pub const fn update(name: &'static str, field_type: &'static str, length: i32) -> Self {
        Self { name, mask: "Update", field_type, length }
    }

    /// A field no caller changes.
    pub const fn read(name: &'static str, field_type: &'static str, length: i32) -> Self {
        Self { name, mask: "Read", field_type, length }
    }
}

/// A `FieldProperties` dictionary from a static table (an empty table writes `{}`); for a
/// caller who may not write, every field reads `Read`.
pub struct FieldProperties {
    pub fields: &'static [FieldProperty],
    pub read_only: bool,
}

impl FieldProperties {
    pub const fn of(fields: &'static [FieldProperty]) -> Self {
        Self { fields, read_only: false }
    }
}

impl Serialize for FieldProperties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.fields.len()))?;
        for field in self.fields {
            map.serialize_entry(field.name, &FieldPropertyValue(field, self.read_only))?;
        }
        map.end()
    }
}

struct FieldPropertyValue(&'static FieldProperty, bool);

impl Serialize for FieldPropertyValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("FieldProperty", 3)?;
        let mask = if self.1 { "Read" } else { self.0.mask };
        let right = Right { mask, reason: "" };
        out.serialize_field("FieldRight", &right)?;
        out.serialize_field("FieldType", self.0.field_type)?;
        out.serialize_field("FieldLength", &self.0.length)?;
        out.end()
    }
}

/// Nested carriers and list items carry no per-field rights of their own.
pub const NO_FIELDS: FieldProperties = FieldProperties::of(&[]);

/// Per-field rights of `TicketMessageEntity`, in wire order.
pub const TICKET_MESSAGE_FIELDS: &[FieldProperty] = &[
    FieldProperty::read("EjMessageId", "System.Int32", 4),
    FieldProperty::update("Ticket", "SuperOffice.CRM.Services.Ticket", 4),
    FieldProperty::update("CreatedAt", "System.DateTime", 16),
    FieldProperty::update("CreatedBy", "SuperOffice.CRM.Services.Associate", 4),
    FieldProperty::update("Author", "System.String", 255),
    FieldProperty::update("Slevel", "SuperOffice.CRM.Services.TicketSecurityLevel", 2),
    FieldProperty::update("Type", "SuperOffice.CRM.Services.TicketMessageType", 2),
    FieldProperty::update("MessageId", "System.String", 255),
    FieldProperty::update("TimeSpent", "System.Int32", 4),
    FieldProperty::update("Body", "System.String", 0),
    FieldProperty::update("HtmlBody", "System.String", 0),
    FieldProperty::update("EmailHeader", "System.String", 0),
    FieldProperty::update("DebugInfo", "System.String", 0),
    FieldProperty::update("MailSorter", "System.String", 255),
    FieldProperty::update("MessageCategory", "SuperOffice.CRM.Services.TicketMessageCategory", 2),
    FieldProperty::update("Person", "SuperOffice.CRM.Services.Person", 4),
    FieldProperty::update("SearchTitle", "System.String", 255),
    FieldProperty::update("MessageHeaders", "SuperOffice.CRM.Services.TicketMessageHeader[]", 0),
    FieldProperty::update("Important", "System.Boolean", 2),
    FieldProperty::update("Language", "System.String", 255),
    FieldProperty::update("Sentiment", "System.Int32", 4),
    FieldProperty::update("SentimentConfidence", "System.Int32", 4),
    FieldProperty::update("Badge", "SuperOffice.CRM.Services.BadgeType", 2),
    FieldProperty::update("AttachmentsInfo", "SuperOffice.CRM.Services.AttachmentEntity[]", 0),
    FieldProperty::update("ExtraFields", "System.Collections.Generic.Dictionary`2[[System.String],[System.String]]", 0),
    FieldProperty::update(
        "CustomFields",
        "System.Collections.Generic.Dictionary`2[[System.String],[System.String]]",
        0,
    ),
];
