//! Persistence: the [`Store`] trait and its SQLite and PostgreSQL implementations.
//!
//! One driver per backend: SQLite runs on rusqlite (reads in place on reader connections,
//! every write a job of its group-commit writer thread), PostgreSQL on sqlx. Both run the same
//! SQL text (`sql`, `message_rows`, `save_sql`), and the operations are written once over the
//! statement runner [`db::Db`] (`ops`), the message save in `save` over the statements each
//! backend runs; each backend says only where an operation runs.

pub mod acting;
pub mod attachment;
mod child_diff;
mod classify;
mod columns;
mod credentials_watch;
mod db;
mod debug;
pub mod edit;
pub mod message_parts;
mod message_rows;
mod ops;
pub mod outbox;
mod owned;
mod postgres;
mod queued_save;
pub mod retention;
mod save;
mod save_sql;
pub mod schema;
mod sql;
mod sqlite;
pub mod ticket_reach;
pub mod webhook;
mod whole_message;

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::{MessageDraft, Role, Scope, SecurityLevel, TicketBaseStatus, TicketMessage, Timestamp, UserType};

pub use attachment::AttachmentStore;
pub use edit::{EditFailure, EditRefusal, EditStore, MessageEdit};
pub use message_parts::MessagePartsStore;
pub use outbox::NotificationStore;
pub use postgres::PostgresStore;
pub use retention::{RetentionKind, RetentionStore};
pub use sqlite::{SqliteStore, database_path as sqlite_path};
pub use ticket_reach::TicketReachStore;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The addressed row does not exist.
    #[error("not found")]
    NotFound,
    /// A save names a related row that does not exist (`field` is the wire path of the id).
    #[error("{field} {id} does not exist")]
    UnknownReference { field: &'static str, id: i32 },
    /// The row changed since the version the caller based its change on.
    #[error("the entity has changed")]
    Stale,
    /// A unique value is taken (e.g. an associate login).
    #[error("{0} is already taken")]
    Conflict(String),
    /// Every connection stayed busy, or the database asked to retry (locks, serialization).
    #[error("the database is busy")]
    Busy,
    /// The database cannot be reached or cannot serve now (restart, failover, I/O failure).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The connection was lost while committing: the save may or may not have been stored.
    #[error("the connection was lost during commit; the outcome is unknown")]
    CommitUnknown,
    /// The disk (or the database's quota) is full.
    #[error("the database is out of space")]
    StorageFull,
    /// The database file or its directory cannot be written.
    #[error("the database is read-only")]
    ReadOnly,
    /// The database file is damaged or not a database.
    #[error("the database is corrupt: {0}")]
    Corrupt(String),
    /// The store was given settings it cannot use (an unsupported database URL).
    #[error("{0}")]
    Configuration(String),
    /// A fault inside ticketd's own store code (a broken invariant, a stopped writer).
    #[error("{0}")]
    Internal(String),
    /// PostgreSQL (through sqlx) failed in a way that has no meaning of its own for the caller.
    #[error(transparent)]
    Database(sqlx::Error),
    /// SQLite (through rusqlite) failed likewise.
    #[error(transparent)]
    Sqlite(rusqlite::Error),
    /// Applying the schema failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// What the authentication layer needs to know about a login.
#[derive(Clone)]
pub struct Credentials {
    pub associate_id: i32,
    pub login: String,
    pub password_hash: String,
    pub deleted: bool,
    pub role: Role,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("associate_id", &self.associate_id)
            .field("login", &self.login)
            .field("password_hash", &"<redacted>")
            .field("deleted", &self.deleted)
            .field("role", &self.role)
            .finish()
    }
}

/// What kind of secret an [`auth_secrets`](NewSecret) row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// A SoTicket session ticket (`7T:…`).
    Ticket,
    /// An opaque Bearer API token.
    ApiToken,
    /// A browser session (cookie plus XSRF token).
    Session,
    /// A partner application's `SO-AppToken`.
    App,
}

impl SecretKind {
    pub fn code(self) -> i32 {
        match self {
            Self::Ticket => 0,
            Self::ApiToken => 1,
            Self::Session => 2,
            Self::App => 3,
        }
    }
}

/// A secret to remember, by its hash only.
#[derive(Clone)]
pub struct NewSecret {
    pub hash: String,
    pub kind: SecretKind,
    pub associate_id: Option<i32>,
    /// The application's name (apps) or a label.
    pub name: String,
    pub scope: Scope,
    pub xsrf_token: String,
    pub expires_at: Option<Timestamp>,
}

/// A remembered secret, found by its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub associate_id: Option<i32>,
    pub name: String,
    pub scope: Scope,
    pub xsrf_token: String,
    pub expires_at: Option<Timestamp>,
    pub revoked: bool,
}

/// A change to an existing associate.
#[derive(Clone)]
pub enum AssociateChange {
    PasswordHash(String),
    Disabled(bool),
    Role(Role),
}

/// A new associate (a user who can sign in).
#[derive(Clone, Default)]
pub struct NewAssociate {
    pub login: String,
    pub password_hash: String,
    pub full_name: String,
    pub email: String,
    pub person_id: Option<i32>,
    pub user_type: UserType,
    pub role: Role,
    /// The language notifications to the associate are written in (ISO code; empty: English).
    pub language: String,
}

/// A new contact person.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub firstname: String,
    pub middle_name: String,
    pub lastname: String,
    pub title: String,
    pub email: String,
    pub direct_phone: String,
    pub contact_id: i32,
    pub contact_name: String,
}

/// A new ticket.
#[derive(Debug, Clone, Default)]
pub struct NewTicket {
    pub title: String,
    pub created_by: i32,
    pub owned_by: i32,
    pub person_id: Option<i32>,
    pub category_name: String,
    pub priority_name: String,
    pub slevel: SecurityLevel,
    pub base_status: TicketBaseStatus,
    pub language: String,
    /// Wall-clock dates in the base zone; `NO_DATE` when not set.
    pub deadline: Option<Timestamp>,
    pub activate: Option<Timestamp>,
    pub alert_timeout: Option<Timestamp>,
    pub status_display: String,
    pub type_name: String,
}

/// A record that a message was saved, and whether the caller asked for notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveEvent {
    pub message_id: i32,
    /// `ticketmessage.created` or `ticketmessage.changed`.
    pub event: String,
    pub notify: bool,
    pub associate_id: i32,
}

/// Who saves, whether they asked for notification (and over which channels), and which
/// version they based the save on.
#[derive(Debug, Clone, Copy, Default)]
pub struct SaveContext {
    pub associate_id: i32,
    pub notify: bool,
    pub channels: crate::domain::notification::ChannelSet,
    /// When set, the save happens only if the stored version is still this one (else `Stale`).
    pub expected_version: Option<i64>,
    /// The tenant segment the save came through (webhook events' `ContextIdentifier`).
    pub context: crate::domain::webhook::ContextId,
    /// The server writing its demo data: no webhook hears of it.
    pub seeding: bool,
}

/// The save context of a delete, which has none of its own: the acting caller and tenant.
fn acting_context() -> SaveContext {
    let acting = acting::current();
    SaveContext { associate_id: acting.associate_id, context: acting.context, ..SaveContext::default() }
}

/// The persistence operations ticketd needs. Every write is one transaction.
#[async_trait]
pub trait Store:
    NotificationStore
    + AttachmentStore
    + TicketReachStore
    + RetentionStore
    + MessagePartsStore
    + EditStore
    + webhook::WebhookStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Checks that the database takes writes (a write transaction that changes nothing, rolled
    /// back) and returns the migrations of this build it has not applied (`0009 ticket access`).
    async fn write_probe(&self) -> Result<Vec<String>, StoreError>;
    /// Transactions run by a group-committing writer and the saves they carried, when the
    /// backend has one.
    fn group_commits(&self) -> Option<(u64, u64)> {
        None
    }
    /// Why saves are failing for want of space or write access, while that is recent and no
    /// save has succeeded since; `None` when saves are written (or the backend does not tell).
    fn write_fault(&self) -> Option<String> {
        None
    }
    /// Whether no associate exists yet (a fresh database).
    async fn is_empty(&self) -> Result<bool, StoreError>;
    /// A message with its relations, or `None`.
    async fn message(&self, id: i32) -> Result<Option<TicketMessage>, StoreError>;
    /// Replaces a message's writable content and child rows; `NotFound` if it does not exist.
    async fn update_message(&self, id: i32, draft: &MessageDraft, ctx: SaveContext) -> Result<(), StoreError>;
    /// Creates a message unless this caller already created one with `key` within `window`;
    /// returns the message id and whether it was created now.
    async fn create_message_once(
        &self,
        draft: &MessageDraft,
        ctx: SaveContext,
        key: &str,
        window: chrono::Duration,
    ) -> Result<(i32, bool), StoreError>;
    /// Every custom field definition, by rank then name.
    async fn custom_fields(&self) -> Result<Vec<crate::domain::CustomFieldInfo>, StoreError>;
    /// Adds or replaces a custom field definition.
    async fn put_custom_field(&self, field: &crate::domain::CustomFieldInfo) -> Result<(), StoreError>;
    /// A message's foreign keys, or `None` when the message does not exist.
    async fn foreign_keys(&self, message_id: i32) -> Result<Option<crate::domain::FieldMap>, StoreError>;
    /// Sets one foreign key of a message; `NotFound` when the message does not exist.
    async fn set_foreign_key(&self, message_id: i32, key: &str, value: &str) -> Result<(), StoreError>;
    /// Up to `limit` rows of a list query (from its `skip`), in its order, over the messages of
    /// the tickets `reach` permits (every message when `None`). The reach is part of the same
    /// statement, so pages hold only reachable rows.
    async fn list_messages(
        &self,
        query: &crate::domain::list::ListQuery,
        limit: u32,
        reach: Option<&crate::domain::TicketReach>,
    ) -> Result<Vec<crate::domain::list::ListRow>, StoreError>;
    /// Deletes a message and its child rows; `false` when it did not exist.
    async fn delete_message(&self, id: i32) -> Result<bool, StoreError>;
    /// The `Associate` carrier of an associate.
    async fn associate(&self, id: i32) -> Result<Option<crate::domain::Associate>, StoreError>;
    /// Creates a message with a new id and returns the id.
    async fn create_message(&self, draft: &MessageDraft, ctx: SaveContext) -> Result<i32, StoreError>;
    /// The save events of a message, oldest first.
    async fn save_events(&self, message_id: i32) -> Result<Vec<SaveEvent>, StoreError>;
    /// The credentials for a login (matched without regard to case).
    async fn credentials(&self, login: &str) -> Result<Option<Credentials>, StoreError>;
    /// The credentials of an associate by id.
    async fn credentials_by_id(&self, associate_id: i32) -> Result<Option<Credentials>, StoreError>;
    /// A counter that moves whenever any associate's password, disabled state, role or login
    /// changes, whoever changes it (kept by triggers on the associates table).
    async fn credentials_version(&self) -> Result<i64, StoreError>;
    /// How many associate rows were read by [`credentials`](Self::credentials) and
    /// [`credentials_by_id`](Self::credentials_by_id) since start.
    fn credential_reads(&self) -> u64 {
        0
    }
    /// A counter that moves when this store changed credentials, or learned that another
    /// writer did (PostgreSQL notifications), or lost the means to learn it.
    fn credentials_epoch(&self) -> u64 {
        0
    }
    /// Changes a login's password, role or disabled state; `false` when there is no such login.
    /// A new password or disabling also revokes the associate's sessions and tickets.
    async fn change_associate(&self, login: &str, change: &AssociateChange) -> Result<bool, StoreError>;
    /// Remembers a secret by its hash.
    async fn insert_secret(&self, secret: &NewSecret) -> Result<(), StoreError>;
    /// Finds a secret of a kind by its hash.
    async fn find_secret(&self, kind: SecretKind, hash: &str) -> Result<Option<StoredSecret>, StoreError>;
    /// Revokes secrets of a kind by hash, or by name when `hash` is `None`; how many were revoked.
    async fn revoke_secret(&self, kind: SecretKind, hash: Option<&str>, name: &str) -> Result<u64, StoreError>;
    async fn add_associate(&self, associate: &NewAssociate) -> Result<i32, StoreError>;
    async fn add_person(&self, person: &NewPerson) -> Result<i32, StoreError>;
    async fn add_ticket(&self, ticket: &NewTicket) -> Result<i32, StoreError>;
}

/// When SQLite syncs its write-ahead log to disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SqliteSync {
    /// At every commit: an acknowledged save survives power loss.
    #[default]
    Full,
    /// At checkpoints: an acknowledged save survives a crash of ticketd, but the last commits
    /// before a power loss may roll back (the database stays consistent).
    Normal,
}

impl std::str::FromStr for SqliteSync {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "full" => Ok(Self::Full),
            "normal" => Ok(Self::Normal),
            _ => Err(format!("'{text}' is not a SQLite synchronous level; use full or normal")),
        }
    }
}

/// Opens the store a `DATABASE_URL` names (`sqlite:` or `postgres:`) and applies the schema.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    connect_with(url, SqliteSync::default()).await
}

/// Like [`connect`], with SQLite syncing at the given level.
pub async fn connect_with(url: &str, sync: SqliteSync) -> Result<Arc<dyn Store>, StoreError> {
    connect_tuned(url, sync, DEFAULT_SQLITE_WAL_LIMIT).await
}

/// The size SQLite's write-ahead log is truncated at, unless configured otherwise.
pub const DEFAULT_SQLITE_WAL_LIMIT: u64 = 16 * 1024 * 1024;

/// Like [`connect_with`], SQLite's write-ahead log truncated once past `wal_limit` bytes.
pub async fn connect_tuned(url: &str, sync: SqliteSync, wal_limit: u64) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect_tuned(url, sync, wal_limit).await?))
    } else {
        Err(StoreError::Configuration(format!("unsupported database URL '{url}': use sqlite:PATH or postgres://…")))
    }
}

/// Converts a stamp to the stored form: .NET ticks (100 ns since 0001-01-01).
pub fn to_ticks(stamp: &crate::domain::Timestamp) -> i64 {
    let since = *stamp - crate::domain::NO_DATE;
    since
        .num_microseconds()
        .map_or(i64::MAX, |micros| micros * 10 + i64::from(stamp.and_utc().timestamp_subsec_nanos() % 1000 / 100))
}

/// The current time as stored ticks.
pub fn now_ticks() -> i64 {
    to_ticks(&chrono::Utc::now().naive_utc())
}

/// Converts stored ticks back to a stamp; out-of-range values read as "no date".
pub fn from_ticks(ticks: i64) -> crate::domain::Timestamp {
    let micros = chrono::Duration::microseconds(ticks / 10);
    let nanos = chrono::Duration::nanoseconds(ticks % 10 * 100);
    crate::domain::NO_DATE.checked_add_signed(micros + nanos).unwrap_or(crate::domain::NO_DATE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::parse_wire_datetime;

    #[test]
    fn ticks_round_trip_to_100ns() {
        for text in ["0001-01-01T00:00:00", "2015-09-27T15:37:39.3653187", "9999-12-31T23:59:59.9999999"] {
            let stamp = parse_wire_datetime(text).unwrap();
            assert_eq!(from_ticks(to_ticks(&stamp)), stamp, "{text}");
        }
        assert_eq!(to_ticks(&crate::domain::NO_DATE), 0);
    }
}
