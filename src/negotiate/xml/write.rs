//! Writes a carrier (already serialised to a JSON value, in wire order) as REST XML: no default
//! namespace, `xmlns:i` for nil markers, arrays as `ArrayOf…` items, dictionaries as
//! `StringKeyValuePair`s, `FieldProperties` as `FieldProperty` key/value pairs.

use std::fmt::Write;

use quick_xml::escape::escape;
use serde_json::Value;

use super::{is_dictionary, list_item_name};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The XML document for a carrier value under the root element `root`.
pub fn value_to_xml(root: &str, value: &Value) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    match value {
        // A top-level list (`ArrayOfFieldInfoBase`) holds items named after its type.
        Value::Array(items) => {
            let item_name = root.strip_prefix("ArrayOf").unwrap_or("anyType");
            let _ = write!(out, "<{root} xmlns:i=\"{XSI}\">");
            for item in items {
                write_property(&mut out, item_name, item);
            }
            let _ = write!(out, "</{root}>");
        }
        // A top-level dictionary's keys are data, not element names.
        Value::Object(members) if root == "StringDictionary" => {
            let _ = write!(out, "<{root} xmlns:i=\"{XSI}\">");
            for (key, member) in members {
                let _ = write!(out, "<StringKeyValuePair><Key>{}</Key>", escape(key.as_str()));
                write_property(&mut out, "Value", member);
                out.push_str("</StringKeyValuePair>");
            }
            let _ = write!(out, "</{root}>");
        }
        Value::Object(members) => {
            let _ = write!(out, "<{root} xmlns:i=\"{XSI}\">");
            for (name, member) in members {
                write_property(&mut out, name, member);
            }
            let _ = write!(out, "</{root}>");
        }
        Value::Null => {
            let _ = write!(out, "<{root} xmlns:i=\"{XSI}\" i:nil=\"true\" />");
        }
        other => {
            let _ = write!(out, "<{root} xmlns:i=\"{XSI}\">");
            write_scalar(&mut out, other);
            let _ = write!(out, "</{root}>");
        }
    }
    out
}

fn write_property(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => {
            let _ = write!(out, "<{name} i:nil=\"true\" />");
        }
        Value::Array(items) if items.is_empty() => {
            let _ = write!(out, "<{name} />");
        }
        Value::Array(items) => {
            let item_name = list_item_name(name).unwrap_or("anyType");
            let _ = write!(out, "<{name}>");
            for item in items {
                write_property(out, item_name, item);
            }
            let _ = write!(out, "</{name}>");
        }
        Value::Object(members) if is_dictionary(name) || name == "FieldProperties" => {
            let item = if name == "FieldProperties" { "FieldProperty" } else { "StringKeyValuePair" };
            let _ = write!(out, "<{name}>");
            for (key, member) in members {
                let _ = write!(out, "<{item}><Key>{}</Key>", escape(key.as_str()));
                write_property(out, "Value", member);
                let _ = write!(out, "</{item}>");
            }
            let _ = write!(out, "</{name}>");
        }
        Value::Object(members) => {
            let _ = write!(out, "<{name}>");
            for (member_name, member) in members {
                write_property(out, member_name, member);
            }
            let _ = write!(out, "</{name}>");
        }
        scalar => {
            let _ = write!(out, "<{name}>");
            write_scalar(out, scalar);
            let _ = write!(out, "</{name}>");
        }
    }
}

fn write_scalar(out: &mut String, value: &Value) {
    match value {
        Value::String(text) => out.push_str(&escape(text.as_str())),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        _ => {}
    }
}
