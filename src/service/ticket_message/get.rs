//! Reading: one stored message within the caller's reach, its foreign keys, and the new unsaved
//! message a client starts from.

use super::TicketMessages;
use crate::auth::Principal;
use crate::domain::{FieldMap, MessageCategory, MessageContent, MessageType, SecurityLevel, TicketMessage};
use crate::error::ApiError;
use crate::service::reach::{require_message, require_message_id};

impl TicketMessages {
    /// Message `id`: 404 when there is none, 403 when its ticket is outside the caller's reach.
    pub async fn get(&self, caller: &Principal, id: i32) -> Result<TicketMessage, ApiError> {
        let stored = self.load(id).await?;
        require_message(&self.reach_of(caller).await?, &stored)?;
        Ok(stored)
    }

    /// The foreign keys outside systems attached to message `id` (empty when none): 404 when
    /// there is no such message, 403 when its ticket is outside the caller's reach.
    pub async fn foreign_keys(&self, caller: &Principal, id: i32) -> Result<FieldMap, ApiError> {
        require_message_id(self.store.as_ref(), &self.reach_of(caller).await?, id).await?;
        self.store.foreign_keys(id).await?.ok_or_else(|| ApiError::message_not_found(id.into()))
    }

    /// A new, unsaved message with the server's defaults and the caller as its creator; nothing
    /// is stored.
    pub async fn default_message(&self, caller: &Principal) -> Result<TicketMessage, ApiError> {
        let creator = self.store.associate(caller.associate_id).await?;
        let now = chrono::Utc::now().naive_utc();
        Ok(TicketMessage {
            id: 0,
            ticket: None,
            content: MessageContent {
                created_at: now,
                author: creator.as_ref().map(|a| a.full_name.clone()).unwrap_or_default(),
                slevel: SecurityLevel::Internal,
                message_type: MessageType::Html,
                category: MessageCategory::Message,
                ..MessageContent::default()
            },
            created_by: creator,
            person: None,
            version: 0,
            updated_at: now,
        })
    }
}
