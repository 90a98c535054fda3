//! Reads a `TicketMessageEntity` the way the vendor's clients send it: property names in any
//! case, unknown and read-only properties ignored, `null` for "empty", numbers and booleans as
//! strings, enums by name or ordinal, `[]` for an empty dictionary.

use std::collections::HashMap;

use serde_json::Value;

use crate::domain::{AttachmentInfo, FieldMap, MessageContent, MessageDraft, MessageHeader, MessageRefs, VendorEnum};
use crate::error::ApiError;
use crate::locale::parse_wire_datetime;

/// A JSON object whose members are looked up without regard to case; on a clash the last wins.
struct Members<'a> {
    by_lower_name: HashMap<String, &'a Value>,
}

impl<'a> Members<'a> {
    fn of(value: &'a Value, path: &str) -> Result<Self, ApiError> {
        let Value::Object(map) = value else {
            return Err(wrong_type(path, "an object", value));
        };
        let by_lower_name = map.iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
        Ok(Self { by_lower_name })
    }

    /// The member's value; an absent member reads as `null`.
    fn get(&self, name: &str) -> &'a Value {
        self.by_lower_name.get(&name.to_ascii_lowercase()).copied().unwrap_or(&Value::Null)
    }
}

/// Turns a parsed JSON body into a draft, or a 400 that names the offending property.
pub fn decode_message(body: &Value) -> Result<MessageDraft, ApiError> {
    if body.is_null() {
        return Err(ApiError::missing_entity());
    }
    let m = Members::of(body, "TicketMessageEntity")?;
    let refs = MessageRefs {
        ticket_id: carrier_id(m.get("Ticket"), "Ticket", "TicketId")?,
        created_by: carrier_id(m.get("CreatedBy"), "CreatedBy", "AssociateId")?,
        person_id: carrier_id(m.get("Person"), "Person", "PersonId")?,
    };
    let content = MessageContent {
        created_at: date(m.get("CreatedAt"), "CreatedAt")?,
        author: string(m.get("Author"), "Author")?,
        slevel: vendor_enum(m.get("Slevel"), "Slevel")?,
        message_type: vendor_enum(m.get("Type"), "Type")?,
        message_id: string(m.get("MessageId"), "MessageId")?,
        time_spent: int32(m.get("TimeSpent"), "TimeSpent")?,
        body: string(m.get("Body"), "Body")?,
        html_body: string(m.get("HtmlBody"), "HtmlBody")?,
        email_header: string(m.get("EmailHeader"), "EmailHeader")?,
        debug_info: string(m.get("DebugInfo"), "DebugInfo")?,
        mail_sorter: string(m.get("MailSorter"), "MailSorter")?,
        category: vendor_enum(m.get("MessageCategory"), "MessageCategory")?,
        search_title: string(m.get("SearchTitle"), "SearchTitle")?,
        headers: list(m.get("MessageHeaders"), "MessageHeaders", header)?,
        important: boolean(m.get("Important"), "Important")?,
        language: string(m.get("Language"), "Language")?,
        sentiment: int32(m.get("Sentiment"), "Sentiment")?,
        sentiment_confidence: int32(m.get("SentimentConfidence"), "SentimentConfidence")?,
        badge: vendor_enum(m.get("Badge"), "Badge")?,
        attachments: list(m.get("AttachmentsInfo"), "AttachmentsInfo", attachment)?,
        extra_fields: dictionary(m.get("ExtraFields"), "ExtraFields")?,
        custom_fields: dictionary(m.get("CustomFields"), "CustomFields")?,
    };
    let requested_id = int32(m.get("EjMessageId"), "EjMessageId")?;
    Ok(MessageDraft { requested_id, refs, content, also: Default::default() })
}

fn header(value: &Value, path: &str) -> Result<MessageHeader, ApiError> {
    let m = Members::of(value, path)?;
    let at = |name: &str| format!("{path}.{name}");
    Ok(MessageHeader {
        id: int32(m.get("Id"), &at("Id"))?,
        name: string(m.get("Name"), &at("Name"))?,
        value: string(m.get("Value"), &at("Value"))?,
        std_item: vendor_enum(m.get("StdItem"), &at("StdItem"))?,
        std_item_col: vendor_enum(m.get("StdItemCol"), &at("StdItemCol"))?,
    })
}

fn attachment(value: &Value, path: &str) -> Result<AttachmentInfo, ApiError> {
    let m = Members::of(value, path)?;
    let at = |name: &str| format!("{path}.{name}");
    Ok(AttachmentInfo {
        id: int32(m.get("AttachmentId"), &at("AttachmentId"))?,
        name: string(m.get("Name"), &at("Name"))?,
        content_type: string(m.get("ContentType"), &at("ContentType"))?,
        size: int32(m.get("AttSize"), &at("AttSize"))?,
        inline_image: boolean(m.get("InlineImage"), &at("InlineImage"))?,
        content_id: string(m.get("ContentId"), &at("ContentId"))?,
        auth_key: string(m.get("AuthKey"), &at("AuthKey"))?,
    })
}

/// The id inside a nested carrier (`{"TicketId": 5}`); `null`, an absent id or 0 mean "none".
fn carrier_id(value: &Value, path: &str, id_name: &str) -> Result<Option<i32>, ApiError> {
    if value.is_null() {
        return Ok(None);
    }
    let m = Members::of(value, path)?;
    let id = int32(m.get(id_name), &format!("{path}.{id_name}"))?;
    Ok((id != 0).then_some(id))
}

fn list<T>(value: &Value, path: &str, item: fn(&Value, &str) -> Result<T, ApiError>) -> Result<Vec<T>, ApiError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| item(v, &format!("{path}[{i}]"))).collect(),
        other => Err(wrong_type(path, "an array", other)),
    }
}

fn dictionary(value: &Value, path: &str) -> Result<FieldMap, ApiError> {
    match value {
        Value::Null => Ok(FieldMap::new()),
        // PHP clients re-encode an empty object as an empty array.
        Value::Array(items) if items.is_empty() => Ok(FieldMap::new()),
        Value::Object(map) => map
            .iter()
            .map(|(key, v)| {
                let key = scalar_text(&Value::String(key.clone()), path)?;
                let value = scalar_text(v, &format!("{path}.{key}"))?;
                Ok((key, value))
            })
            .collect(),
        other => Err(wrong_type(path, "an object of strings", other)),
    }
}

fn string(value: &Value, path: &str) -> Result<String, ApiError> {
    scalar_text(value, path)
}

/// A string, or a number or boolean written as its text; `null` is empty.
fn scalar_text(value: &Value, path: &str) -> Result<String, ApiError> {
    match value {
        Value::Null => Ok(String::new()),
        // PostgreSQL cannot store NUL, and no legitimate text has one: refuse it on every backend.
        Value::String(text) if text.contains('\0') => {
            Err(ApiError::invalid(format!("Invalid value for '{path}': text must not contain NUL characters")))
        }
        Value::String(text) => Ok(text.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(wrong_type(path, "a string", other)),
    }
}

fn int32(value: &Value, path: &str) -> Result<i32, ApiError> {
    let whole = match value {
        Value::Null => return Ok(0),
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15).map(|f| f as i64))
        }
        Value::String(text) => text.trim().parse::<i64>().ok(),
        _ => None,
    };
    whole.and_then(|n| i32::try_from(n).ok()).ok_or_else(|| wrong_type(path, "a 32-bit integer", value))
}

fn boolean(value: &Value, path: &str) -> Result<bool, ApiError> {
    match value {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_i64() == Some(0) => Ok(false),
        Value::Number(n) if n.as_i64() == Some(1) => Ok(true),
        Value::String(text) if text.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(text) if text.trim().eq_ignore_ascii_case("false") => Ok(false),
        other => Err(wrong_type(path, "a boolean", other)),
    }
}

fn vendor_enum<E: VendorEnum + Default>(value: &Value, path: &str) -> Result<E, ApiError> {
    let found = match value {
        Value::Null => Some(E::default()),
        Value::String(text) => {
            E::from_name(text.trim()).or_else(|| text.trim().parse::<i64>().ok().and_then(E::from_ordinal))
        }
        Value::Number(n) => n.as_i64().and_then(E::from_ordinal),
        _ => None,
    };
    found.ok_or_else(|| {
        ApiError::invalid(format!(
            "Invalid value {} for '{path}': expected one of {} or its ordinal",
            shown(value),
            E::names()
        ))
    })
}

fn date(value: &Value, path: &str) -> Result<crate::domain::Timestamp, ApiError> {
    match value {
        Value::Null => Ok(crate::domain::NO_DATE),
        Value::String(text) => {
            parse_wire_datetime(text).map_err(|why| ApiError::invalid(format!("Invalid value for '{path}': {why}")))
        }
        other => Err(wrong_type(path, "a date-time string", other)),
    }
}

fn wrong_type(path: &str, expected: &str, value: &Value) -> ApiError {
    ApiError::invalid(format!("Invalid value {} for '{path}': expected {expected}", shown(value)))
}

/// A short rendering of a client's value for an error message.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests;
