//! The PostgreSQL store, for running several ticketd instances on one database.
//!
//! When the server goes away (restart, crash, failover) requests fail fast with
//! `StoreError::Unavailable`/`Busy` rather than hang: a pooled connection is checked before it
//! is handed out (dead ones are replaced), and waiting for one is bounded by
//! [`ACQUIRE_TIMEOUT`], below the default request timeout.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use self::pg::Pg;
use super::credentials_watch::CredentialsWatch;
use super::save;
use super::{Credentials, SaveContext, StoreError};
use crate::domain::{MessageDraft, TicketMessage};

mod batch;
mod edit;
mod failover;
mod hosts;
pub(super) mod pg;
mod side_impl;
mod store_impl;

/// How long a request waits for a pooled connection (which includes connecting to a server
/// that is coming back) before it is answered 503.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// One snapshot for all the reads that assemble a message.
const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
mod read;
mod writer;

/// How long start-up waits for a usable host (a database starting alongside ticketd).
const STARTUP_PATIENCE: Duration = Duration::from_secs(10);

/// The first usable host, trying again until `patience` has passed.
async fn first_usable_within(
    failover: &failover::Failover,
    patience: Duration,
) -> Result<(usize, sqlx::PgConnection), StoreError> {
    let give_up = tokio::time::Instant::now() + patience;
    loop {
        match failover.first_usable().await {
            Err(StoreError::Unavailable(_)) if tokio::time::Instant::now() < give_up => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            found => return found,
        }
    }
}

/// A ticketd store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The writer tasks every message save goes through (group commit).
    writes: writer::WriteQueue,
    /// The task that moves the pool to another host; stops with the last clone of the store.
    _host_watch: Option<Arc<HostWatch>>,
    /// Associate rows read, and credentials changes seen, for the authentication cache.
    credentials: Arc<CredentialsWatch>,
    /// The task listening for credentials changes; stops with the last clone of the store.
    _credentials_listener: Arc<HostWatch>,
    /// Whole messages read for requests (not those read inside a write).
    message_reads: Arc<super::edit::ReadCount>,
}

/// Aborts the host-watching task when dropped.
#[derive(Debug)]
struct HostWatch(tokio::task::JoinHandle<()>);

impl Drop for HostWatch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl PostgresStore {
    /// Connects to a `postgres://` URL (one host, or several in the libpq form
    /// `postgres://u@host1,host2/db?target_session_attrs=read-write`) and applies the schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let hosts = hosts::Hosts::parse(url)?;
        let several = hosts.options.len() > 1;
        let failover = Arc::new(failover::Failover::new(hosts));
        let (first, probe) = first_usable_within(&failover, STARTUP_PATIENCE).await?;
        let options: PgConnectOptions = failover.use_host(first);
        let pool = failover
            .guard_pool(PgPoolOptions::new())
            .max_connections(16)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(true)
            .connect_with(options)
            .await?;
        super::schema::POSTGRES.run(&pool).await?;
        let host_watch = if several {
            Some(Arc::new(HostWatch(tokio::spawn(failover.watch(pool.clone(), Some(probe))))))
        } else {
            // One host: nothing to watch; the pool replaces dead connections by itself.
            let _ = sqlx::Connection::close(probe).await;
            None
        };
        let credentials = Arc::new(CredentialsWatch::default());
        let listening = tokio::spawn(super::credentials_watch::listen(pool.clone(), credentials.clone()));
        let writes = writer::WriteQueue::start(&pool, writer::LANES);
        Ok(Self {
            pool,
            writes,
            _host_watch: host_watch,
            credentials,
            _credentials_listener: Arc::new(HostWatch(listening)),
            message_reads: Arc::default(),
        })
    }

    /// One connection to the first host of `url` that serves as the URL asks (for tools that
    /// need no pool, such as `ticketd doctor`).
    pub async fn first_connection(url: &str) -> Result<sqlx::PgConnection, StoreError> {
        let failover = failover::Failover::new(hosts::Hosts::parse(url)?);
        Ok(failover.first_usable().await?.1)
    }

    /// Runs a save in the writer's next batch, in a savepoint of its own: its result is returned
    /// once the batch has committed, and an error from `work` undoes only its own changes. `work`
    /// may run more than once (alone, when its batch failed as a whole), so it keeps its inputs.
    async fn in_write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> Fn(&'c mut sqlx::PgConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + Sync + 'static,
    {
        self.writes.run(None, work).await
    }

    /// [`Self::in_write`] for a save of the stored message `id`: saves of one message are
    /// committed in the order they were queued.
    async fn in_write_for<T, F>(&self, id: i32, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> Fn(&'c mut sqlx::PgConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + Sync + 'static,
    {
        self.writes.run(Some(id), work).await
    }

    /// Runs `read` in one read-only snapshot, opened and ended by a task of its own (see
    /// `store::owned`), so a dropped request cannot leave it open on a pooled connection.
    async fn in_snapshot<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sqlx::PgConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let pool = self.pool.clone();
        super::owned::run(async move {
            let mut tx = pool.begin_with(BEGIN_READ).await?;
            let outcome = read(&mut tx).await?;
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }

    async fn read_message(&self, id: i32) -> Result<Option<TicketMessage>, StoreError> {
        self.message_reads.add();
        let pool = self.pool.clone();
        // The snapshot is opened and ended by one task, whether or not the request waits.
        super::owned::run(async move {
            // A message without child rows is read without a transaction, two round trips fewer.
            let mut conn = pool.acquire().await?;
            if let read::Loaded::Message(message) = read::load_message(&mut conn, id, false).await? {
                return Ok(*message);
            }
            drop(conn);
            // Child rows must match the message row: one snapshot for all the reads.
            let mut tx = pool.begin_with(BEGIN_READ).await?;
            let loaded = read::load_message(&mut tx, id, true).await?;
            tx.commit().await?;
            match loaded {
                read::Loaded::Message(message) => Ok(*message),
                read::Loaded::HasChildren => Err(StoreError::Internal("child rows left unread".into())),
            }
        })
        .await
    }

    async fn read_credentials(&self, login: Option<&str>, id: i32) -> Result<Option<Credentials>, StoreError> {
        self.credentials.read();
        let mut conn = self.pool.acquire().await?;
        read::load_credentials(&mut conn, login, id).await
    }

    async fn read_credentials_version(&self) -> Result<i64, StoreError> {
        let version = sqlx::query_scalar(crate::store::message_rows::SELECT_CREDENTIALS_VERSION)
            .fetch_optional(&self.pool)
            .await?;
        Ok(version.unwrap_or(0))
    }

    async fn save_update(&self, id: i32, draft: MessageDraft, ctx: SaveContext) -> Result<(), StoreError> {
        let draft = Arc::new(draft);
        self.in_write_for(id, move |conn| {
            let draft = Arc::clone(&draft);
            Box::pin(async move { save::update(&mut Pg(conn), id, &draft, ctx).await.map(drop) })
        })
        .await
    }

    async fn save_create(&self, draft: MessageDraft, ctx: SaveContext) -> Result<i32, StoreError> {
        let draft = Arc::new(draft);
        self.in_write(move |conn| {
            let draft = Arc::clone(&draft);
            Box::pin(async move { save::create(&mut Pg(conn), &draft, ctx, super::now_ticks()).await })
        })
        .await
    }

    async fn save_create_once(
        &self,
        draft: MessageDraft,
        ctx: SaveContext,
        key: String,
        window: chrono::Duration,
    ) -> Result<(i32, bool), StoreError> {
        let remembered = key.clone();
        let (draft, key) = (Arc::new(draft), Arc::<str>::from(key));
        let created = self
            .in_write(move |conn| {
                let (draft, key) = (Arc::clone(&draft), Arc::clone(&key));
                Box::pin(async move { save::create_once(&mut Pg(conn), &draft, ctx, &key, window).await })
            })
            .await;
        match created {
            // A concurrent retry with the same key committed first: this create was rolled back,
            // so replay that one.
            Err(StoreError::Database(sqlx::Error::Database(db))) if db.is_unique_violation() => {
                let earlier: i32 = sqlx::query_scalar(crate::store::save_sql::FIND_KEY)
                    .bind(ctx.associate_id)
                    .bind(remembered)
                    .fetch_one(&self.pool)
                    .await?;
                Ok((earlier, false))
            }
            other => other,
        }
    }

    async fn save_delete(&self, id: i32) -> Result<bool, StoreError> {
        let ctx = super::acting_context();
        self.in_write_for(id, move |conn| Box::pin(async move { save::delete(&mut Pg(conn), id, ctx).await })).await
    }
}
