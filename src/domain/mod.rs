//! The ticket-message model: what a message is, what a save asks for, and the carriers it refers to.
//! Nothing here performs I/O or knows about HTTP or SQL.

pub mod carriers;
pub mod custom_field;
pub mod enums;
pub mod list;
pub mod message;
pub mod notification;
pub mod outgoing;
pub mod rights;
pub mod sample;
pub mod ticket_reach;
pub mod timestamp;
pub mod webhook;

pub use carriers::{Associate, Person, Ticket};
pub use custom_field::CustomFieldInfo;
pub use enums::{
    BadgeType, CustomFieldType, MessageCategory, MessageHeaderStdItem, MessageHeaderStdItemCol, MessageType,
    SecurityLevel, TicketBaseStatus, TicketOrigin, TicketReadStatus, UserType, VendorEnum,
};
pub use message::{
    AttachmentInfo, FieldMap, MessageContent, MessageDraft, MessageHeader, MessageRefs, SaveAlso, TicketMessage,
};
pub use rights::{Access, Role, Scope};
pub use ticket_reach::{TicketAccess, TicketReach, TicketScope};
pub use timestamp::{NO_DATE, Timestamp};
