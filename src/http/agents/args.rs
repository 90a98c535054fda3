//! Binding an Agents call's parameters from the query string and the body, in the method's
//! shape: names matched without regard to case, unknown ones ignored, the body winning over the
//! query, every value checked against the method table's type before the method runs.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};

use super::table::{MAX_LIST_ITEMS, Method, Param, Shape, Type};
use crate::error::{ApiError, ErrorKind};
use crate::negotiate::accept::essence;
use crate::negotiate::body::{read_json, read_limited, untyped_not_json};
use crate::negotiate::charset::Charset;
use crate::negotiate::{form, xml};

/// A parameter's value, of the type the table gives it.
#[derive(Debug, Clone, PartialEq)]
enum Bound {
    Int(i32),
    Bool(bool),
    Text(String),
    Ints(Vec<i32>),
    Texts(Vec<String>),
    Entity(Value),
}

/// The bound parameters of one call; absent optional ones read as zero, false or empty.
#[derive(Debug, Default)]
pub struct Args {
    values: HashMap<&'static str, Bound>,
}

impl Args {
    pub fn int32(&self, name: &str) -> i32 {
        match self.values.get(name) {
            Some(Bound::Int(n)) => *n,
            _ => 0,
        }
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(Bound::Bool(true)))
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        match self.values.get(name) {
            Some(Bound::Text(text)) => Some(text),
            _ => None,
        }
    }

    pub fn ints(&self, name: &str) -> &[i32] {
        match self.values.get(name) {
            Some(Bound::Ints(ids)) => ids,
            _ => &[],
        }
    }

    pub fn texts(&self, name: &str) -> &[String] {
        match self.values.get(name) {
            Some(Bound::Texts(items)) => items,
            _ => &[],
        }
    }

    /// The entity parameter's JSON shape, for the wire decoder.
    pub fn entity(&self, name: &str) -> Option<&Value> {
        match self.values.get(name) {
            Some(Bound::Entity(value)) => Some(value),
            _ => None,
        }
    }
}

/// Reads the body (JSON, XML or form, as on the REST routes) into its JSON shape; `None` when
/// there is none (empty, or the literal `null` the vendor's client posts for no arguments).
pub async fn read_body(
    method: &Method,
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Option<Value>, ApiError> {
    let bytes = read_limited(body, headers, limit).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let content_type = headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let charset = content_type.map(Charset::of_content_type).transpose()?.flatten();
    let value = match content_type.map(essence).as_deref() {
        None | Some("") => read_json(&bytes, None).map_err(|_| untyped_not_json())?,
        Some("application/json" | "text/json") => read_json(&bytes, charset)?,
        Some("application/xml" | "text/xml") => read_xml(method, &bytes, charset)?,
        Some("application/x-www-form-urlencoded") => read_form(method, &bytes, charset.unwrap_or(Charset::Utf8))?,
        Some(_) => {
            return Err(ApiError::new(
                ErrorKind::UnsupportedMediaType,
                format!(
                    "Content-Type '{}' is not supported; send application/json, text/json, application/xml, text/xml \
                     or application/x-www-form-urlencoded",
                    content_type.unwrap_or_default().escape_debug()
                ),
            ));
        }
    };
    Ok((!value.is_null()).then_some(value))
}

fn read_xml(method: &Method, bytes: &[u8], charset: Option<Charset>) -> Result<Value, ApiError> {
    let charset = match charset {
        Some(charset) => charset,
        None => xml::declared_encoding(bytes).map_or(Ok(Charset::Utf8), |label| Charset::from_label(&label))?,
    };
    let text = charset.decode(bytes)?;
    match method.shape {
        Shape::Entity => xml::xml_to_value(&text, "TicketMessageEntity"),
        _ => xml::request_to_value(&text),
    }
}

/// A form: the entity's own binder for the entity shape; else one member per name, a repeated
/// name making a list.
fn read_form(method: &Method, bytes: &[u8], charset: Charset) -> Result<Value, ApiError> {
    if method.shape == Shape::Entity {
        return form::form_to_value(bytes, charset);
    }
    let text = charset.decode(bytes)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&text.replace('+', "%2B"))
        .map_err(|err| ApiError::invalid(format!("The form body is malformed: {err}")))?;
    Ok(Value::Object(members_of(pairs)))
}

/// Name/value pairs as object members: names lower-cased (a `[]` suffix dropped), a repeated name
/// making an array of its values.
fn members_of(pairs: Vec<(String, String)>) -> Map<String, Value> {
    let mut members = Map::new();
    for (key, value) in pairs {
        let key = key.trim_end_matches("[]").to_ascii_lowercase();
        let value = Value::String(value);
        match members.get_mut(&key) {
            Some(Value::Array(items)) => items.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                members.insert(key, value);
            }
        }
    }
    members
}

/// Binds the call's parameters, or a 400 naming the one at fault.
pub fn bind(method: &Method, query: &str, body: Option<Value>) -> Result<Args, ApiError> {
    match method.shape {
        Shape::Entity => bind_entity(method, body),
        Shape::None => match body {
            None | Some(Value::Object(_)) => Ok(Args::default()),
            Some(other) => Err(not_an_object(method, &other)),
        },
        Shape::Query | Shape::Request => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query.replace('+', "%2B"))
                .map_err(|err| ApiError::invalid(format!("The query string is malformed: {err}")))?;
            let mut members: HashMap<String, Value> = members_of(pairs).into_iter().collect();
            match body {
                None => {}
                Some(Value::Object(fields)) => {
                    members.extend(fields.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)));
                }
                Some(other) => return Err(not_an_object(method, &other)),
            }
            let mut args = Args::default();
            for param in method.params {
                let value = members.get(&param.name.to_ascii_lowercase()).filter(|v| !v.is_null());
                match value {
                    Some(value) => {
                        args.values.insert(param.name, convert(param, value)?);
                    }
                    None if param.required => return Err(missing(param)),
                    None => {}
                }
            }
            Ok(args)
        }
    }
}

fn bind_entity(method: &Method, body: Option<Value>) -> Result<Args, ApiError> {
    let Some(param) = method.params.first() else { return Ok(Args::default()) };
    match body {
        None => Err(ApiError::missing_entity()),
        Some(value @ Value::Object(_)) => {
            let mut args = Args::default();
            args.values.insert(param.name, Bound::Entity(value));
            Ok(args)
        }
        Some(other) => Err(ApiError::invalid(format!(
            "The request body must be a TicketMessageEntity object, not {}",
            kind_of(&other)
        ))),
    }
}

fn not_an_object(method: &Method, value: &Value) -> ApiError {
    let expected = method.request_type.unwrap_or("request");
    ApiError::invalid(format!(
        "The request body of {} must be a {expected} object, not {}",
        method.name,
        kind_of(value)
    ))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        Value::Object(_) => "an object",
    }
}

fn missing(param: &Param) -> ApiError {
    ApiError::invalid(format!("Parameter '{}' is required ({})", param.name, param.kind.name()))
}

fn wrong(param: &Param, value: &Value, expected: &str) -> ApiError {
    let shown = match value {
        Value::String(text) => text.chars().take(60).collect::<String>(),
        other => other.to_string().chars().take(60).collect(),
    };
    ApiError::invalid(format!(
        "Invalid value '{}' for parameter '{}': expected {expected}",
        shown.escape_debug(),
        param.name
    ))
}

fn convert(param: &Param, value: &Value) -> Result<Bound, ApiError> {
    Ok(match param.kind {
        Type::Int32 => Bound::Int(int32(value).ok_or_else(|| wrong(param, value, "a 32-bit integer"))?),
        Type::Bool => Bound::Bool(boolean(value).ok_or_else(|| wrong(param, value, "true or false"))?),
        Type::Text => Bound::Text(text(value).ok_or_else(|| wrong(param, value, "a string"))?),
        Type::Choice(names) => {
            let given = text(value).unwrap_or_default();
            let found = names.iter().find(|n| n.eq_ignore_ascii_case(given.trim()));
            Bound::Text(found.ok_or_else(|| wrong(param, value, &format!("one of {}", names.join(", "))))?.to_string())
        }
        Type::Int32List => {
            let items = list(param, value)?;
            let ids = items.iter().map(|item| int32(item).ok_or_else(|| wrong(param, item, "32-bit integers")));
            Bound::Ints(ids.collect::<Result<_, _>>()?)
        }
        Type::TextList => {
            let items = list(param, value)?;
            let texts = items.iter().map(|item| text(item).ok_or_else(|| wrong(param, item, "strings")));
            Bound::Texts(texts.collect::<Result<_, _>>()?)
        }
        Type::Any => Bound::Entity(value.clone()),
        Type::Entity | Type::Webhook => match value {
            Value::Object(_) => Bound::Entity(value.clone()),
            other => return Err(wrong(param, other, "a TicketMessageEntity object")),
        },
    })
}

/// A list's items: an array, or a comma-separated text (query strings, forms, XML text); at
/// most [`MAX_LIST_ITEMS`].
fn list(param: &Param, value: &Value) -> Result<Vec<Value>, ApiError> {
    let split = |text: &str| -> Vec<Value> {
        text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(|t| Value::String(t.to_owned())).collect()
    };
    let items: Vec<Value> = match value {
        // A repeated query or form name: each value may itself be comma-separated.
        Value::Array(items) => items
            .iter()
            .flat_map(|item| match item {
                Value::String(text) => split(text),
                other => vec![other.clone()],
            })
            .collect(),
        Value::String(text) => split(text),
        Value::Number(_) => vec![value.clone()],
        other => return Err(wrong(param, other, "an array")),
    };
    if items.len() > MAX_LIST_ITEMS {
        return Err(ApiError::invalid(format!(
            "Parameter '{}' holds {} items; at most {MAX_LIST_ITEMS} are accepted",
            param.name,
            items.len()
        )));
    }
    Ok(items)
}

fn int32(value: &Value) -> Option<i32> {
    let whole = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(text) => text.trim().parse::<i64>().ok(),
        _ => None,
    };
    whole.and_then(|n| i32::try_from(n).ok())
}

fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.contains('\0') => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::http::agents::table::find;

    fn method(name: &str) -> &'static Method {
        find(name).expect("in the table")
    }

    #[test]
    fn query_and_body_bind_case_insensitively_and_the_body_wins() {
        let args = bind(method("GetTicketMessageEntity"), "TICKETMESSAGEENTITYID=5", None).unwrap();
        assert_eq!(args.int32("ticketMessageEntityId"), 5);
        let body = json!({"ticketId": 2, "messageIds": [3, "4"], "unknown": {"x": 1}});
        let args = bind(method("GetTicketMessageEntities"), "TicketId=9", Some(body)).unwrap();
        assert_eq!((args.int32("TicketId"), args.ints("MessageIds")), (2, &[3, 4][..]));
        let args = bind(method("GetTicketMessageEntities"), "TicketId=9&MessageIds=1,2&messageids=3", None).unwrap();
        assert_eq!(args.ints("MessageIds"), [1, 2, 3]);
    }

    #[test]
    fn wrong_types_missing_parameters_and_long_lists_are_400s_naming_the_parameter() {
        let err = bind(method("GetTicketMessageEntity"), "ticketMessageEntityId=glops", None).unwrap_err();
        assert!(err.message.contains("'ticketMessageEntityId'") && err.message.contains("glops"), "{}", err.message);
        let err = bind(method("SetTicketMessageImportant"), "", Some(json!({"TicketMessageId": 1}))).unwrap_err();
        assert!(err.message.contains("'Important' is required"), "{}", err.message);
        let err =
            bind(method("SetTicketMessageImportant"), "", Some(json!({"TicketMessageId": 1, "Important": "maybe"})))
                .unwrap_err();
        assert!(err.message.contains("'Important'"), "{}", err.message);
        let many: Vec<i32> = (0..=MAX_LIST_ITEMS as i32).collect();
        let err =
            bind(method("GetTicketMessageEntities"), "", Some(json!({"TicketId": 1, "MessageIds": many}))).unwrap_err();
        assert!(err.message.contains("'MessageIds'"), "{}", err.message);
        for body in [json!([1, 2]), json!(5), json!("x")] {
            let err = bind(method("DeleteTicketMessageEntity"), "", Some(body)).unwrap_err();
            assert!(err.message.contains("DeleteTicketMessageEntityRequest"), "{}", err.message);
        }
        assert_eq!(bind(method("SaveTicketMessageEntity"), "", None).unwrap_err(), ApiError::missing_entity());
        assert!(bind(method("SaveTicketMessageEntity"), "", Some(json!([{}]))).is_err());
    }

    #[test]
    fn form_names_repeat_into_lists() {
        let members = members_of(vec![("To[]".into(), "a@x.no".into()), ("to".into(), "b@x.no".into())]);
        assert_eq!(members["to"], json!(["a@x.no", "b@x.no"]));
    }
}
