//! Locale of a request: how dates are read and written on the wire (and, later, language,
//! culture and time-zone conversion).

pub mod datetime;

pub use datetime::{format_wire_datetime, parse_wire_datetime};
