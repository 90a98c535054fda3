//! The vendor's REST XML form of carriers (`webapi-conventions.md` §7): reading it into the same
//! JSON shape the JSON decoder takes, and writing a serialised carrier as XML.

mod read;
mod write;

pub use read::{declared_encoding, request_to_value, xml_list_items, xml_to_value};
pub use write::{to_xml, value_to_xml};

/// Array properties and the element name of their items.
const LIST_ITEMS: &[(&str, &str)] =
    &[("MessageHeaders", "TicketMessageHeader"), ("AttachmentsInfo", "AttachmentEntity")];

/// Array properties of the Agents API's request objects whose items are scalars
/// (`<MessageIds><int>3</int><int>4</int></MessageIds>`), whatever the items are named.
const SCALAR_LISTS: &[&str] = &["MessageIds", "HeaderIds", "AttachmentIds", "To", "Cc", "Bcc", "Sms"];

/// String dictionaries, written as `StringKeyValuePair` items.
const DICTIONARIES: &[&str] = &["ExtraFields", "CustomFields", "_Links"];

fn list_item_name(property: &str) -> Option<&'static str> {
    LIST_ITEMS.iter().find(|(p, _)| p.eq_ignore_ascii_case(property)).map(|(_, item)| *item)
}

fn is_scalar_list(property: &str) -> bool {
    SCALAR_LISTS.iter().any(|p| p.eq_ignore_ascii_case(property))
}

fn is_dictionary(property: &str) -> bool {
    DICTIONARIES.iter().any(|d| d.eq_ignore_ascii_case(property))
}

#[cfg(test)]
mod tests;
