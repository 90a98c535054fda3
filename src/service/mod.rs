//! The application layer: the operations on ticket messages with every check they carry (rights,
//! ticket reach, write conditions), callable by any face of the server — the REST resource, the
//! Agents API — without HTTP. It takes plain inputs and returns domain values or `ApiError`.

pub mod reach;
pub mod ticket_message;

pub use ticket_message::{Created, Edit, ListPage, MailRequest, TicketMessages, VersionMatch, WriteCondition};
