//! The store's operations, each written once over the statement runner [`Db`](super::db::Db)
//! with the statements of `store::sql`: what a write changes and in which order, what a read
//! assembles. A backend decides only where an operation runs (SQLite: a reader connection or
//! a job of the group-commit writer; PostgreSQL: a pooled connection or a transaction).

pub mod attachment;
pub mod auth;
pub mod list;
pub mod metadata;
pub mod outbox;
pub mod retention;
pub mod ticket_reach;
pub mod webhook;
