//! `application/x-www-form-urlencoded` bodies, bound like the vendor's (jQuery-style) form
//! binder: `Body=…`, `Ticket[TicketId]=…` or `Ticket.TicketId=…`,
//! `MessageHeaders[0][Name]=…`, `CustomFields[x_foo]=…`. Names match without regard to case;
//! an empty value means "not given"; a repeated name's last value wins.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::charset::Charset;
use crate::error::ApiError;

/// The largest list index a form may use, so a hostile index cannot allocate without bound.
const MAX_INDEX: usize = 10_000;

const LISTS: &[&str] = &["messageheaders", "attachmentsinfo"];
const DICTIONARIES: &[&str] = &["extrafields", "customfields"];

/// Binds a form body into the JSON shape `decode_message` reads.
pub fn form_to_value(body: &[u8], charset: Charset) -> Result<Value, ApiError> {
    let mut root = Map::new();
    let mut lists: BTreeMap<String, BTreeMap<usize, Map<String, Value>>> = BTreeMap::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &b""[..]),
        };
        let key = charset.decode(&percent_decode(raw_key)?)?;
        let text = charset.decode(&percent_decode(raw_value)?)?;
        let value = if text.is_empty() { Value::Null } else { Value::String(text) };
        bind(&mut root, &mut lists, &key, value)?;
    }
    for (name, items) in lists {
        root.insert(name, Value::Array(items.into_values().map(Value::Object).collect()));
    }
    Ok(Value::Object(root))
}

fn bind(
    root: &mut Map<String, Value>,
    lists: &mut BTreeMap<String, BTreeMap<usize, Map<String, Value>>>,
    key: &str,
    value: Value,
) -> Result<(), ApiError> {
    let split = key.find(['[', '.']).unwrap_or(key.len());
    let (head, rest) = key.split_at(split);
    let property = head.to_ascii_lowercase();
    if rest.is_empty() {
        root.insert(property, value);
        return Ok(());
    }
    if DICTIONARIES.contains(&property.as_str()) {
        let entry = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')).or_else(|| rest.strip_prefix('.'));
        let entry = entry.ok_or_else(|| bad_name(key))?;
        let dictionary = root.entry(property).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(map) = dictionary {
            map.insert(entry.to_owned(), value);
        }
        return Ok(());
    }
    let segments = segments(rest).ok_or_else(|| bad_name(key))?;
    if LISTS.contains(&property.as_str()) {
        let [index, member] = segments.as_slice() else {
            return Err(bad_name(key));
        };
        let index: usize = index.parse().ok().filter(|i| *i <= MAX_INDEX).ok_or_else(|| bad_name(key))?;
        lists.entry(property).or_default().entry(index).or_default().insert(member.to_ascii_lowercase(), value);
        return Ok(());
    }
    let [member] = segments.as_slice() else {
        return Err(bad_name(key));
    };
    let carrier = root.entry(property).or_insert_with(|| Value::Object(Map::new()));
    if !carrier.is_object() {
        *carrier = Value::Object(Map::new());
    }
    if let Value::Object(map) = carrier {
        map.insert(member.to_ascii_lowercase(), value);
    }
    Ok(())
}

/// Splits `[0][Name]`, `[0].Name`, `.TicketId` into its segments.
fn segments(rest: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut remaining = rest;
    while !remaining.is_empty() {
        if let Some(inner) = remaining.strip_prefix('[') {
            let end = inner.find(']')?;
            out.push(&inner[..end]);
            remaining = &inner[end + 1..];
        } else if let Some(after) = remaining.strip_prefix('.') {
            let end = after.find(['[', '.']).unwrap_or(after.len());
            out.push(&after[..end]);
            remaining = &after[end..];
        } else {
            return None;
        }
    }
    out.iter().all(|s| !s.is_empty()).then_some(out)
}

fn bad_name(key: &str) -> ApiError {
    ApiError::invalid(format!(
        "The form field '{}' does not name a property of TicketMessageEntity",
        key.escape_debug()
    ))
}

/// Decodes `+` and `%XX`; a malformed escape is a 400.
fn percent_decode(raw: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = [*bytes.next().unwrap_or(&b'!'), *bytes.next().unwrap_or(&b'!')];
                let decoded = std::str::from_utf8(&hex).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(decoded.ok_or_else(|| ApiError::invalid("The form body has a malformed %-escape"))?);
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bind_utf8(body: &str) -> Value {
        form_to_value(body.as_bytes(), Charset::Utf8).unwrap()
    }

    #[test]
    fn binds_nested_carriers_lists_and_dictionaries() {
        let value = bind_utf8(
            "Body=Hei+p%C3%A5+deg&TimeSpent=5&Ticket[TicketId]=2&person.personId=3\
             &MessageHeaders[1][Name]=Cc&MessageHeaders[0].Name=To&MessageHeaders[0][Value]=a%40b.c\
             &CustomFields[x.foo]=bar&extraFields.x_y=z&Important=&Body=Hei+p%C3%A5+deg",
        );
        assert_eq!(value["body"], "Hei på deg");
        assert_eq!(value["ticket"], json!({"ticketid": "2"}));
        assert_eq!(value["person"], json!({"personid": "3"}));
        assert_eq!(value["messageheaders"], json!([{"name": "To", "value": "a@b.c"}, {"name": "Cc"}]));
        assert_eq!(value["customfields"], json!({"x.foo": "bar"}));
        assert_eq!(value["extrafields"], json!({"x_y": "z"}));
        assert_eq!(value["important"], Value::Null);
    }

    #[test]
    fn refuses_malformed_names_escapes_and_bytes() {
        for body in [
            "Ticket[TicketId=1",
            "MessageHeaders[x][Name]=1",
            "MessageHeaders[99999999][Name]=1",
            "MessageHeaders[0]=1",
            "Body=%zz",
            "Body=%e5",
            "Ticket[]=1",
        ] {
            assert!(form_to_value(body.as_bytes(), Charset::Utf8).is_err(), "{body}");
        }
        assert_eq!(form_to_value(b"Body=Bl%E5b%E6r", Charset::Latin1).unwrap()["body"], "Blåbær");
    }
}
