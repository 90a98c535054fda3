//! End-to-end tests: real listeners, real SQLite files, a real PostgreSQL server.

mod helpers;
mod pg;

mod access;
mod attachments;
mod auth;
mod backup;
mod browser;
mod cli;
mod connections;
mod contract;
mod crash;
mod deploy;
mod errors;
mod fuzz_corpus;
mod hostile;
mod list;
mod locale;
mod negotiate;
mod notify;
mod notify_durability;
mod openapi;
mod outbox_store;
mod pending_uploads;
mod post;
mod proxy;
mod put;
mod resource;
mod send;
mod sessions;
mod shutdown;
mod sinks;
mod soak;
mod store_suite;
