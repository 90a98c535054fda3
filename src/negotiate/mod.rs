//! Content negotiation: reading request bodies by `Content-Type` and writing responses.

pub mod body;
pub mod response;
pub mod wire;

pub use body::EntityBody;
pub use response::entity_response;
