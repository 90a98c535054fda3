//! A list of attachment ids in a request body, by `Content-Type`: a JSON array (`[12, 13]`, or
//! one bare id), an XML `ArrayOfInt`, or a form (`attachmentIds=12&attachmentIds=13`, also
//! comma-separated). Every item must be a positive int32; the error names the one that is not.

use serde_json::Value;

use crate::error::{ApiError, ErrorKind};

/// The ids a body of `content_type` (its essence, lower-cased; empty when absent) lists.
pub fn attachment_ids(content_type: &str, bytes: &[u8]) -> Result<Vec<i32>, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::invalid("The request body is not UTF-8 text"))?;
    let items: Vec<Value> = match content_type {
        "" | "application/json" | "text/json" | "application/json-patch+json" | "application/merge-patch+json" => {
            match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
                Ok(Value::Array(items)) => items,
                Ok(scalar @ (Value::Number(_) | Value::String(_))) => vec![scalar],
                Ok(_) => return Err(not_a_list()),
                Err(err) => {
                    return Err(ApiError::new(
                        ErrorKind::MalformedJson,
                        format!("The request body is not valid JSON: {err}"),
                    ));
                }
            }
        }
        "application/xml" | "text/xml" => {
            crate::negotiate::xml::xml_list_items(text, "ArrayOfInt")?.into_iter().map(Value::String).collect()
        }
        "application/x-www-form-urlencoded" => serde_urlencoded::from_str::<Vec<(String, String)>>(text)
            .map_err(|err| ApiError::invalid(format!("The form body is malformed: {err}")))?
            .into_iter()
            .filter(|(key, _)| key.trim_end_matches("[]").eq_ignore_ascii_case("attachmentIds"))
            .flat_map(|(_, value)| {
                value.split(',').map(|item| Value::String(item.trim().to_owned())).collect::<Vec<_>>()
            })
            .collect(),
        other => {
            return Err(ApiError::new(
                ErrorKind::UnsupportedMediaType,
                format!(
                    "Content-Type '{}' is not supported for attachment ids; send a JSON array",
                    other.escape_debug()
                ),
            ));
        }
    };
    if items.is_empty() {
        return Err(not_a_list());
    }
    items.iter().map(attachment_id).collect()
}

fn attachment_id(item: &Value) -> Result<i32, ApiError> {
    let id = match item {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    id.and_then(|id| i32::try_from(id).ok()).filter(|id| *id > 0).ok_or_else(|| {
        ApiError::invalid(format!(
            "Invalid value '{item}' in 'attachmentIds': expected attachment ids (positive integers)"
        ))
    })
}

fn not_a_list() -> ApiError {
    ApiError::invalid("Invalid value for 'attachmentIds': expected a non-empty array of attachment ids, like [12, 13]")
}

#[cfg(test)]
mod tests {
    use super::attachment_ids;

    #[test]
    fn every_documented_form_lists_the_same_ids() {
        for (content_type, body) in [
            ("application/json", "[12, \"13\"]"),
            ("", "\u{feff}[12, 13]"),
            ("application/xml", "<ArrayOfInt><int>12</int><int>13</int></ArrayOfInt>"),
            ("application/x-www-form-urlencoded", "attachmentIds=12&attachmentIds[]=13"),
            ("application/x-www-form-urlencoded", "AttachmentIds=12,%2013"),
        ] {
            assert_eq!(attachment_ids(content_type, body.as_bytes()).expect(body), [12, 13], "{content_type}: {body}");
        }
        assert_eq!(attachment_ids("text/json", b"7").expect("one bare id"), [7]);
    }

    #[test]
    fn anything_else_is_refused_naming_what_is_wrong() {
        for (content_type, body, named) in [
            ("application/json", "[12, 0]", "'0'"),
            ("application/json", "[12, 2147483648]", "2147483648"),
            ("application/json", "[]", "non-empty array"),
            ("application/json", "{\"ids\": [1]}", "non-empty array"),
            ("application/json", "[1,", "not valid JSON"),
            ("text/plain", "1", "text/plain"),
        ] {
            let err = attachment_ids(content_type, body.as_bytes()).expect_err(body);
            assert!(err.message.contains(named), "{body}: {}", err.message);
        }
        let err = attachment_ids("application/json", &[b'[', 0xff, b']']).expect_err("not UTF-8");
        assert!(err.message.contains("UTF-8"), "{}", err.message);
    }
}
