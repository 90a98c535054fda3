//! Reads a `TicketMessageEntity` XML body: namespace-blind, any element order, names in any
//! case, `i:nil`, `ArrayOf…` items and `StringKeyValuePair` dictionaries. DTDs and entities other
//! than XML's five are refused, and nesting is bounded, so bombs and external entities cannot work.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::{Map, Value};

use super::{is_dictionary, is_scalar_list, list_item_name};
use crate::error::ApiError;

/// The deepest element nesting accepted; the entity itself needs five levels.
const MAX_DEPTH: usize = 32;

/// Carrier-valued properties: whitespace inside them is layout, not a value.
const STRUCTURED: &[&str] = &["Ticket", "CreatedBy", "Person", "TableRight", "FieldProperties"];

#[derive(Debug, Default)]
struct Element {
    name: String,
    nil: bool,
    text: String,
    children: Vec<Element>,
}

/// The encoding an XML declaration names (`<?xml … encoding="ISO-8859-1"?>`), if any.
pub fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start_matches('\u{feff}').trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// Parses an entity XML document into the JSON shape `decode_message` reads.
pub fn xml_to_value(text: &str, root_name: &str) -> Result<Value, ApiError> {
    let root = parse_tree(text)?;
    if !root.name.eq_ignore_ascii_case(root_name) {
        return Err(ApiError::invalid(format!(
            "The XML root element is '{}'; expected '{root_name}'",
            root.name.escape_debug()
        )));
    }
    if root.nil {
        return Ok(Value::Null);
    }
    Ok(object_of(&root))
}

/// Parses an Agents API request object (any root element name) into the JSON shape its binder
/// reads; a nil root is `null`.
pub fn request_to_value(text: &str) -> Result<Value, ApiError> {
    let root = parse_tree(text)?;
    if root.nil {
        return Ok(Value::Null);
    }
    Ok(object_of(&root))
}

/// The text of every child of a list document's root (`<ArrayOfInt><int>12</int><int>13</int>`),
/// in order: repeated items stay apart, where `xml_to_value` would keep the last of a name.
pub fn xml_list_items(text: &str, root_name: &str) -> Result<Vec<String>, ApiError> {
    let root = parse_tree(text)?;
    if !root.name.eq_ignore_ascii_case(root_name) {
        return Err(ApiError::invalid(format!(
            "The XML root element is '{}'; expected '{root_name}'",
            root.name.escape_debug()
        )));
    }
    Ok(root.children.into_iter().map(|item| item.text).collect())
}

fn xml_error(err: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(format!("The request body is not well-formed XML: {err}"))
}

fn parse_tree(text: &str) -> Result<Element, ApiError> {
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    let mut stack: Vec<Element> = Vec::new();
    loop {
        match reader.read_event().map_err(xml_error)? {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ApiError::invalid(format!("The XML body nests deeper than {MAX_DEPTH} elements")));
                }
                stack.push(element_of(&start)?);
            }
            Event::Empty(start) => {
                let element = element_of(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| xml_error("unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Event::Text(text) => append_text(&mut stack, &text.xml10_content())?,
            Event::CData(data) => append_text(&mut stack, &data.xml10_content())?,
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(xml_error)? {
                    Some(ch) => ch,
                    None => predefined_entity(&reference)?,
                };
                append_text(&mut stack, resolved.encode_utf8(&mut [0; 4]))?;
            }
            Event::DocType(_) => {
                return Err(ApiError::invalid("XML bodies must not contain a DTD (<!DOCTYPE>)"));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => {
                return Err(xml_error("the document ended before its root element was closed"));
            }
        }
    }
}

fn predefined_entity(name: &str) -> Result<char, ApiError> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        other => Err(ApiError::invalid(format!("The XML body uses the undefined entity '&{};'", other.escape_debug()))),
    }
}

fn append_text(stack: &mut [Element], text: &str) -> Result<(), ApiError> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(xml_error("text outside the root element")),
    }
}

fn element_of(start: &BytesStart) -> Result<Element, ApiError> {
    let name = start.local_name().as_ref().to_owned();
    let mut nil = false;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(xml_error)?;
        if attribute.key.local_name().as_ref().eq_ignore_ascii_case("nil") {
            nil = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(xml_error)?
                .trim()
                .eq_ignore_ascii_case("true");
        }
    }
    Ok(Element { name, nil, ..Element::default() })
}

fn object_of(element: &Element) -> Value {
    let members: Map<String, Value> =
        element.children.iter().map(|child| (child.name.clone(), value_of(child))).collect();
    Value::Object(members)
}

fn value_of(element: &Element) -> Value {
    if element.nil {
        return Value::Null;
    }
    if is_scalar_list(&element.name) {
        return Value::Array(element.children.iter().map(value_of).collect());
    }
    if list_item_name(&element.name).is_some() {
        return Value::Array(element.children.iter().map(object_of).collect());
    }
    if is_dictionary(&element.name) {
        return Value::Object(element.children.iter().filter_map(key_value_pair).collect());
    }
    if !element.children.is_empty() {
        return object_of(element);
    }
    let structured = STRUCTURED.iter().any(|s| s.eq_ignore_ascii_case(&element.name));
    if element.text.is_empty() || (structured && element.text.trim().is_empty()) {
        Value::Null
    } else {
        Value::String(element.text.clone())
    }
}

/// A `StringKeyValuePair` (`<Key>`, `<Value>` children in any case and order).
fn key_value_pair(pair: &Element) -> Option<(String, Value)> {
    let child = |name: &str| pair.children.iter().find(|c| c.name.eq_ignore_ascii_case(name));
    let key = child("Key")?.text.clone();
    let value = child("Value").map_or(Value::Null, |v| if v.nil { Value::Null } else { Value::String(v.text.clone()) });
    Some((key, value))
}
