//! Finding messages by their parts: which messages a set of header rows belongs to, for the
//! Agents API's `DeleteMessageHeaders`, which names headers rather than a message.

use async_trait::async_trait;

use super::StoreError;

#[async_trait]
pub trait MessagePartsStore: Send + Sync {
    /// The messages holding any of these header ids, ascending; ids that name no header are
    /// left out.
    async fn header_messages(&self, header_ids: &[i32]) -> Result<Vec<i32>, StoreError>;
}
