//! ticketd: a SuperOffice-compatible REST WebAPI server for ticket messages.
//!
//! A request flows `http` (routes, errors) → `auth` (who is calling) → `negotiate` (bodies and
//! formats) → `locale` (dates) → `service` (the operations and their checks) → `domain` (the
//! model) → `store` (SQLite or PostgreSQL) → `notify` (delivering the notifications a save
//! queued). See `docs/architecture.md`.

pub mod app;
pub mod auth;
pub mod cli;
pub mod domain;
pub mod error;
pub mod http;
pub mod locale;
pub mod negotiate;
pub mod notify;
pub mod service;
pub mod store;
