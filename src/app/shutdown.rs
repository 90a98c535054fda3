//! Graceful shutdown of `ticketd serve`: stop accepting, let the requests being answered
//! finish (answering late arrivals on kept-alive connections with `Connection: close`), close
//! the remaining connections, and let the dispatcher release its claims, all within
//! `--shutdown-timeout`.

use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};

use crate::http::drain::Drain;
use crate::notify::NotifyHandle;

/// What is still running when the shutdown signal arrives.
pub struct Running {
    /// The HTTP server (axum's serve loop).
    pub serving: JoinHandle<std::io::Result<()>>,
    /// Tells the serve loop to close idle connections and wait for the busy ones.
    pub close_connections: oneshot::Sender<()>,
    /// The notification dispatcher, when this instance has one.
    pub delivering: Option<JoinHandle<()>>,
}

/// Drains and stops everything in `running`, giving up on stragglers after `limit`.
pub async fn drain(running: Running, drain: &Drain, notify: &NotifyHandle, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    tracing::info!(timeout = ?limit, "shutting down: no new connections; finishing in-flight requests");
    // The listener closes, readiness turns 503 and every response from now on closes its
    // connection; live streams end and the dispatcher starts no new delivery.
    drain.start();
    notify.close();
    if timeout_at(deadline, drain.idle()).await.is_err() {
        tracing::warn!("requests still running at the shutdown timeout; closing their connections");
    }
    // Idle kept-alive connections close now; a connection still mid-request finishes it first.
    let _ = running.close_connections.send(());
    let Running { mut serving, delivering, .. } = running;
    let served = match timeout_at(deadline, &mut serving).await {
        Ok(Ok(result)) => result.map_err(|err| format!("server error: {err}")),
        Ok(Err(err)) => Err(format!("server task failed: {err}")),
        Err(_) => {
            tracing::warn!("connections still open at the shutdown timeout are cut");
            serving.abort();
            Ok(())
        }
    };
    if let Some(mut task) = delivering
        && timeout_at(deadline, &mut task).await.is_err()
    {
        tracing::warn!("the dispatcher did not stop in time; its claims expire with their lease");
        task.abort();
    }
    served
}
