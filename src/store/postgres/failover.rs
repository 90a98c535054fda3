//! Which PostgreSQL host the pool connects to, and how it gets off a dead or demoted one.
//!
//! The pool always connects to one host (its connect options). With several hosts, a small task
//! holds one connection of its own to that host and asks it every second whether it still serves
//! (and, for `read-write`, still writes). When it does not, the task tries the hosts in the URL's
//! order and points the pool at the first that qualifies; pooled connections opened before the
//! switch are dropped when next acquired. The task stays on a host as long as it serves, so an
//! old primary that comes back is not used again while the new one works.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions as _, PgConnection, PgPool};
use tokio::sync::Notify;

use super::hosts::{Hosts, SessionAttrs};
use crate::store::StoreError;

/// How often the task checks the host in use.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How long one host may take to accept a connection or answer the check.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The hosts and which one the pool uses.
#[derive(Debug)]
pub struct Failover {
    hosts: Hosts,
    current: AtomicUsize,
    /// When the pool was last pointed at another host.
    switched_at: Mutex<Instant>,
    /// Wakes the task early: a new pooled connection found its host read-only.
    recheck: Notify,
}

impl Failover {
    pub fn new(hosts: Hosts) -> Self {
        Self { hosts, current: AtomicUsize::new(0), switched_at: Mutex::new(Instant::now()), recheck: Notify::new() }
    }

    /// The first host, in URL order, that serves as asked, with a connection to it.
    pub async fn first_usable(&self) -> Result<(usize, PgConnection), StoreError> {
        let mut why = Vec::new();
        for (index, options) in self.hosts.options.iter().enumerate() {
            match self.try_host(options).await {
                Ok(conn) => return Ok((index, conn)),
                Err(err) => why.push(format!("{}: {err}", self.hosts.names[index])),
            }
        }
        Err(StoreError::Unavailable(format!("no database host can be used ({})", why.join("; "))))
    }

    /// The connect options of host `index`, now the one in use.
    pub fn use_host(&self, index: usize) -> PgConnectOptions {
        self.current.store(index, Ordering::Relaxed);
        if let Ok(mut at) = self.switched_at.lock() {
            *at = Instant::now();
        }
        self.hosts.options[index].clone()
    }

    /// Adds the checks every pooled connection gets: a new one must be on a host that writes
    /// (when asked), an idle one must not predate the last switch of host.
    pub fn guard_pool(self: &std::sync::Arc<Self>, options: PgPoolOptions) -> PgPoolOptions {
        let on_connect = self.clone();
        let on_acquire = self.clone();
        options
            .after_connect(move |conn, _| {
                let failover = on_connect.clone();
                Box::pin(async move {
                    if failover.hosts.attrs == SessionAttrs::ReadWrite && !writable(conn).await? {
                        failover.recheck.notify_one();
                        return Err(sqlx::Error::Configuration("the database host is read-only (a standby)".into()));
                    }
                    Ok(())
                })
            })
            .before_acquire(move |_, meta| {
                let since_switch = on_acquire.switched_at.lock().map(|at| at.elapsed()).unwrap_or_default();
                Box::pin(async move { Ok(meta.age <= since_switch) })
            })
    }

    /// Keeps the pool on a usable host; runs until aborted.
    pub async fn watch(self: std::sync::Arc<Self>, pool: PgPool, mut conn: Option<PgConnection>) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(CHECK_EVERY) => {}
                () = self.recheck.notified() => {}
            }
            if let Some(open) = conn.as_mut()
                && self.still_usable(open).await
            {
                continue;
            }
            conn = None;
            match self.first_usable().await {
                Ok((index, open)) => {
                    if index != self.current.load(Ordering::Relaxed) {
                        tracing::warn!(host = %self.hosts.names[index], "PostgreSQL: switching to another host");
                        pool.set_connect_options(self.use_host(index));
                    }
                    conn = Some(open);
                }
                Err(err) => tracing::warn!(error = %err, "PostgreSQL: waiting for a usable host"),
            }
        }
    }

    async fn try_host(&self, options: &PgConnectOptions) -> Result<PgConnection, String> {
        let mut conn = match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(err)) => return Err(err.to_string()),
            Err(_) => return Err("no answer in time".into()),
        };
        if self.still_usable(&mut conn).await { Ok(conn) } else { Err("it does not take writes (a standby)".into()) }
    }

    async fn still_usable(&self, conn: &mut PgConnection) -> bool {
        let check = async {
            match self.hosts.attrs {
                SessionAttrs::ReadWrite => writable(conn).await,
                SessionAttrs::Any => sqlx::query("SELECT 1").execute(&mut *conn).await.map(|_| true),
            }
        };
        matches!(tokio::time::timeout(CONNECT_TIMEOUT, check).await, Ok(Ok(true)))
    }
}

/// Whether the session can write: false on a standby or a read-only server (libpq's test).
async fn writable(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    let read_only: String = sqlx::query_scalar("SHOW transaction_read_only").fetch_one(&mut *conn).await?;
    Ok(read_only == "off")
}
