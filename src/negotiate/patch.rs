//! JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7396) with the vendor's rules: only `add`,
//! `replace`, `remove` and `test`; paths match property names without regard to case and may
//! omit the leading `/`; a failed `test` is a 409 and nothing is saved.

use json_patch::{Patch, PatchErrorKind, PatchOperation};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ErrorKind};

/// Applies a JSON Patch document to `doc` (a serialised entity), operation by operation.
pub fn apply_json_patch(doc: &mut Value, patch: &Value) -> Result<(), ApiError> {
    let Value::Array(operations) = patch else {
        return Err(ApiError::invalid("A JSON Patch body must be an array of operations"));
    };
    for (index, operation) in operations.iter().enumerate() {
        let op = field(operation, "op", index)?.to_ascii_lowercase();
        if op == "move" || op == "copy" {
            return Err(ApiError::invalid(format!(
                "JSON Patch operation {index}: '{op}' is not supported; use add, replace, remove or test"
            )));
        }
        if !matches!(op.as_str(), "add" | "replace" | "remove" | "test") {
            return Err(ApiError::invalid(format!("JSON Patch operation {index}: unknown op '{}'", op.escape_debug())));
        }
        let path = resolve_path(doc, field(operation, "path", index)?, index)?;
        let mut normalised = json!({ "op": op, "path": path });
        if op != "remove" {
            let value = member(operation, "value")
                .ok_or_else(|| ApiError::invalid(format!("JSON Patch operation {index} ('{op}') has no 'value'")))?;
            normalised["value"] = value.clone();
        }
        let parsed: PatchOperation = serde_json::from_value(normalised)
            .map_err(|err| ApiError::invalid(format!("JSON Patch operation {index} is malformed: {err}")))?;
        json_patch::patch(doc, &Patch(vec![parsed]).0).map_err(|err| match err.kind {
            PatchErrorKind::TestFailed => ApiError::new(
                ErrorKind::Conflict,
                format!("JSON Patch operation {index}: the test of '{path}' failed; nothing was saved"),
            ),
            _ => ApiError::invalid(format!("JSON Patch operation {index}: the path '{path}' does not exist")),
        })?;
    }
    Ok(())
}

/// Applies a JSON Merge Patch object to `doc`, matching member names without regard to case.
pub fn apply_merge_patch(doc: &mut Value, patch: &Value) -> Result<(), ApiError> {
    if !patch.is_object() {
        return Err(ApiError::invalid("A JSON Merge Patch body must be an object"));
    }
    let aligned = align_names(doc, patch);
    if let (Value::Object(target), Value::Object(changes)) = (&*doc, &aligned)
        && let Some(unknown) = changes.keys().find(|k| !target.contains_key(*k))
    {
        return Err(unknown_property(unknown));
    }
    json_patch::merge(doc, &aligned);
    Ok(())
}

/// Renames the patch's members to the spelling `doc` uses, recursively.
fn align_names(doc: &Value, patch: &Value) -> Value {
    let (Value::Object(target), Value::Object(changes)) = (doc, patch) else {
        return patch.clone();
    };
    let aligned: Map<String, Value> = changes
        .iter()
        .map(|(name, change)| {
            let existing =
                target.keys().find(|k| *k == name).or_else(|| target.keys().find(|k| k.eq_ignore_ascii_case(name)));
            match existing {
                Some(key) => (key.clone(), align_names(&target[key], change)),
                None => (name.clone(), change.clone()),
            }
        })
        .collect();
    Value::Object(aligned)
}

/// Rewrites a vendor path (`Body`, `/body`, `/MessageHeaders/0/value`) into an RFC 6901 pointer
/// spelt as `doc` spells its members. The first segment must name a property.
fn resolve_path(doc: &Value, path: &str, index: usize) -> Result<String, ApiError> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    if trimmed.is_empty() {
        return Err(ApiError::invalid(format!("JSON Patch operation {index}: the whole entity cannot be replaced")));
    }
    let mut resolved = String::new();
    let mut cursor = Some(doc);
    for (depth, raw) in trimmed.split('/').enumerate() {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        let actual = match cursor {
            Some(Value::Object(members)) => members
                .keys()
                .find(|k| **k == segment)
                .or_else(|| members.keys().find(|k| k.eq_ignore_ascii_case(&segment)))
                .cloned(),
            _ => None,
        };
        if depth == 0 && actual.is_none() {
            return Err(unknown_property(&segment));
        }
        let name = actual.unwrap_or(segment);
        cursor = match cursor {
            Some(Value::Object(members)) => members.get(&name),
            Some(Value::Array(items)) => name.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        resolved.push('/');
        resolved.push_str(&name.replace('~', "~0").replace('/', "~1"));
    }
    Ok(resolved)
}

fn field<'a>(operation: &'a Value, name: &str, index: usize) -> Result<&'a str, ApiError> {
    member(operation, name)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid(format!("JSON Patch operation {index} needs a string '{name}'")))
}

/// A member of an operation object, matched without regard to case.
fn member<'a>(operation: &'a Value, name: &str) -> Option<&'a Value> {
    operation.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

fn unknown_property(name: &str) -> ApiError {
    ApiError::invalid(format!("'{}' is not a property of TicketMessageEntity", name.escape_debug()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity() -> Value {
        json!({"EjMessageId": 5, "Body": "old", "Important": false, "Ticket": {"TicketId": 1},
               "MessageHeaders": [{"Name": "To", "Value": "a"}], "CustomFields": {}})
    }

    #[test]
    fn paths_ignore_case_and_the_leading_slash() {
        let mut doc = entity();
        let patch = json!([
            {"op": "test", "path": "important", "value": false},
            {"op": "replace", "path": "/BODY", "value": "new"},
            {"op": "add", "path": "/CustomFields/x_foo", "value": "bar"},
            {"op": "replace", "path": "messageheaders/0/value", "value": "b"},
            {"op": "add", "path": "/MessageHeaders/-", "value": {"Name": "Cc"}},
            {"op": "replace", "path": "/ticket/ticketid", "value": 2},
        ]);
        apply_json_patch(&mut doc, &patch).unwrap();
        assert_eq!(doc["Body"], "new");
        assert_eq!(doc["CustomFields"]["x_foo"], "bar");
        assert_eq!(doc["MessageHeaders"][0]["Value"], "b");
        assert_eq!(doc["MessageHeaders"][1]["Name"], "Cc");
        assert_eq!(doc["Ticket"]["TicketId"], 2);
    }

    #[test]
    fn vendor_rules_are_enforced() {
        let cases = [
            (json!([{"op": "move", "from": "/Body", "path": "/Author"}]), ErrorKind::InvalidArgument),
            (json!([{"op": "copy", "from": "/Body", "path": "/Author"}]), ErrorKind::InvalidArgument),
            (json!([{"op": "test", "path": "/Important", "value": true}]), ErrorKind::Conflict),
            (json!([{"op": "replace", "path": "/Nope", "value": 1}]), ErrorKind::InvalidArgument),
            (json!([{"op": "replace", "path": "/Body"}]), ErrorKind::InvalidArgument),
            (json!([{"op": "remove", "path": "/MessageHeaders/7"}]), ErrorKind::InvalidArgument),
            (json!([{"op": "frobnicate", "path": "/Body"}]), ErrorKind::InvalidArgument),
            (json!({"op": "add"}), ErrorKind::InvalidArgument),
        ];
        for (patch, kind) in cases {
            let mut doc = entity();
            assert_eq!(apply_json_patch(&mut doc, &patch).unwrap_err().kind, kind, "{patch}");
        }
    }

    #[test]
    fn merge_patch_matches_names_without_case() {
        let mut doc = entity();
        apply_merge_patch(&mut doc, &json!({"body": "merged", "customFields": {"x": "1"}, "TICKET": {"ticketId": 3}}))
            .unwrap();
        assert_eq!(doc["Body"], "merged");
        assert_eq!(doc["CustomFields"], json!({"x": "1"}));
        assert_eq!(doc["Ticket"], json!({"TicketId": 3}));
        assert!(apply_merge_patch(&mut entity(), &json!({"Nope": 1})).is_err());
        assert!(apply_merge_patch(&mut entity(), &json!([1])).is_err());
    }
}
