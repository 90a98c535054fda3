//! The store's SQL text and the mapping of its rows to the domain, one file per area, written
//! once: both backends run these statements as written (`$N` parameters) through their
//! runners (`store::db`), and map rows through [`Columns`](super::columns::Columns).

pub mod attachment;
pub mod auth;
pub mod list;
pub mod metadata;
pub mod outbox;
pub mod retention;
pub mod ticket_reach;
pub mod webhook;
