//! Entry points for the fuzz targets in `fuzz/` and the corpus replay test: each feeds untrusted
//! bytes through one decoder and must return, never panic.

use serde_json::Value;

use super::accept::from_accept;
use super::charset::Charset;
use super::form::form_to_value;
use super::patch::{apply_json_patch, apply_merge_patch};
use super::wire::{TicketMessageEntity, decode_message};
use super::xml::xml_to_value;
use crate::domain::sample::sample_message;

/// A JSON entity body.
pub fn json_body(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let _ = decode_message(&value);
    }
}

/// An XML entity body.
pub fn xml_body(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(value) = xml_to_value(text, "TicketMessageEntity")
    {
        let _ = decode_message(&value);
    }
}

/// A form body, read as UTF-8 and as ISO-8859-1.
pub fn form_body(data: &[u8]) {
    for charset in [Charset::Utf8, Charset::Latin1] {
        if let Ok(value) = form_to_value(data, charset) {
            let _ = decode_message(&value);
        }
    }
}

/// A JSON Patch or Merge Patch document applied to a fully populated entity.
pub fn patch_body(data: &[u8]) {
    let Ok(patch) = serde_json::from_slice::<Value>(data) else { return };
    let Ok(entity) = serde_json::to_value(TicketMessageEntity::full(&sample_message())) else { return };
    let mut document = entity.clone();
    if apply_json_patch(&mut document, &patch).is_ok() {
        let _ = decode_message(&document);
    }
    let mut document = entity;
    if apply_merge_patch(&mut document, &patch).is_ok() {
        let _ = decode_message(&document);
    }
}

/// An `Accept` header value.
pub fn accept_header(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = from_accept(text);
    }
}
