//! Content negotiation: reading request bodies by `Content-Type` (JSON, XML, forms, patches)
//! and writing responses in the format `Accept` asks for.

pub mod accept;
pub mod body;
pub mod charset;
pub mod content;
pub mod form;
pub mod fuzz;
pub mod odata;
pub mod patch;
pub mod response;
pub mod wire;
pub mod xml;

#[cfg(test)]
mod roundtrip_tests;

pub use accept::ResponseFormat;
pub use body::{BodyKind, EntityBody};
pub use response::entity_response;
