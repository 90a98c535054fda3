//! What the resource's actions share: their extractors, how a message is answered with,
//! conditional requests, `$select`/`fk` and `embedImages` on a single message.

pub mod conditional;
pub mod embed;
pub mod extract;
pub mod reply;
pub mod select;

pub use conditional::Preconditions;
pub use extract::{LinkBase, MessageId, Notify};
pub use reply::MessageReply;
pub use select::GetOptions;
