//! Content negotiation: reading request bodies by `Content-Type` (JSON, XML, forms, patches)
//! and writing responses in the format `Accept` asks for.

pub mod accept;
pub mod body;
pub mod charset;
pub mod content;
pub mod edit;
pub mod form;
// Not part of the library's API: public only because `fuzz/` (a crate of its own) and the corpus
// replay in `tests/api/fuzz_corpus.rs` call it from outside the crate.
#[doc(hidden)]
pub mod fuzz;
pub mod id_list;
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
