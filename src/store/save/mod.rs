//! The message save algorithm, written once for both backends: creating, updating, creating
//! once per idempotency key and deleting a message, with its child rows, uploads connected,
//! save record and outbox rows. It runs over [`SaveStatements`], an extension of the store's
//! statement runner (`store::db::Db`); SQLite implements it on `Lite` over the group-commit
//! writer's connection (`sqlite`), PostgreSQL on `Pg` over the save's connection (`postgres`).
//! The statements' text is in `store::save_sql` and `store::child_diff`.

mod children;
mod message;
mod postgres;
pub(crate) mod sqlite;
pub(crate) mod statements;
#[cfg(test)]
mod tests;

pub use children::ChildIds;
pub use message::{Updated, create, create_once, create_with_ids, delete, update, update_locked};
