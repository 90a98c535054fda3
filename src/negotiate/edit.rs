//! What a write body asks of a stored message: the draft a whole entity makes, or the one the
//! stored message makes once a JSON Patch or JSON Merge Patch is applied to its wire form.

use serde_json::Value;

use super::BodyKind;
use super::patch::{apply_json_patch, apply_merge_patch};
use super::wire::{TicketMessageEntity, decode_message};
use crate::domain::{MessageDraft, TicketMessage};
use crate::error::ApiError;

/// The draft `value` (of `kind`) asks to save onto `stored`. A whole entity ignores what is
/// stored; a patch is applied to the stored message as a full `TicketMessageEntity`, so it sees
/// (and may `test`) every field the wire shows.
pub fn draft_onto(stored: &TicketMessage, kind: BodyKind, value: &Value) -> Result<MessageDraft, ApiError> {
    let mut document = match kind {
        BodyKind::Entity => return decode_message(value),
        BodyKind::JsonPatch | BodyKind::MergePatch => {
            serde_json::to_value(TicketMessageEntity::full(stored)).map_err(ApiError::internal)?
        }
    };
    if kind == BodyKind::JsonPatch {
        apply_json_patch(&mut document, value)?;
    } else {
        apply_merge_patch(&mut document, value)?;
    }
    decode_message(&document)
}
