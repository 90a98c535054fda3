//! What an update asks to save onto a stored message: a whole message, or a body in the wire
//! format (an entity, a JSON Patch, a JSON Merge Patch) made into one only once the checks on
//! the stored message have passed.

use serde_json::Value;

use crate::domain::{MessageDraft, TicketMessage};
use crate::error::ApiError;
use crate::negotiate::edit::draft_onto;
use crate::negotiate::{BodyKind, EntityBody};

/// The change an update makes.
#[derive(Debug, Clone)]
pub enum Edit {
    /// A whole message, already decoded: replaces the stored one's writable content.
    Replace(Box<MessageDraft>),
    /// A wire body: decoded (a patch: applied to the stored message) after the stored message is
    /// read and checked, so a bad body on a message out of reach is a 403, not a 400.
    Wire { kind: BodyKind, value: Value },
}

impl Edit {
    /// The draft this edit saves onto `stored`.
    pub fn draft_onto(&self, stored: &TicketMessage) -> Result<MessageDraft, ApiError> {
        match self {
            Self::Replace(draft) => Ok(draft.as_ref().clone()),
            Self::Wire { kind, value } => draft_onto(stored, *kind, value),
        }
    }
}

impl From<MessageDraft> for Edit {
    fn from(draft: MessageDraft) -> Self {
        Self::Replace(Box::new(draft))
    }
}

impl From<EntityBody> for Edit {
    fn from(body: EntityBody) -> Self {
        Self::Wire { kind: body.kind, value: body.value }
    }
}
