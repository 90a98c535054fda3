//! End-to-end tests: real listeners, real SQLite files, a real PostgreSQL server.

mod helpers;
mod pg;

mod auth;
mod cli;
mod errors;
mod fuzz_corpus;
mod list;
mod locale;
mod negotiate;
mod post;
mod put;
mod resource;
mod store_suite;
