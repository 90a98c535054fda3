//! The `TicketMessageEntity` wire model: decoding lenient client input into a draft and
//! encoding stored messages in the vendor's property order.

mod carriers_out;
mod custom_field_out;
pub mod decode;
mod dictionary;
mod entity_out;
mod rights;
mod summary_out;

pub use custom_field_out::FieldInfoBase;
pub use decode::decode_message;
pub use entity_out::{AttachmentOut, TicketMessageEntity};
pub use summary_out::TicketMessageSummary;
