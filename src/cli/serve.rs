//! `ticketd serve`: binds the listener, serves until SIGINT/SIGTERM, then lets in-flight
//! requests finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::net::TcpListener;

use super::DatabaseArgs;
use crate::http::{AppState, Limits, router};
use crate::store::Store;

/// Options of `ticketd serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the real one is logged).
    #[arg(long, env = "TICKETD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Seed demo associates, persons, tickets and messages when the database is empty.
    #[arg(long, env = "TICKETD_DEMO")]
    pub demo: bool,
    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "TICKETD_BODY_LIMIT", default_value_t = 2 * 1024 * 1024)]
    pub body_limit: usize,
    /// Seconds a request may take before it is answered with an error.
    #[arg(long, env = "TICKETD_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
}

/// A bound, not yet serving, server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Opens the database, seeds demo data when asked, and binds the listener.
    pub async fn build(args: &ServeArgs) -> Result<Self, String> {
        let store: Arc<dyn Store> = crate::store::connect(&args.database.database_url)
            .await
            .map_err(|err| format!("cannot open the database: {err}"))?;
        if args.demo && store.is_empty().await.map_err(|err| err.to_string())? {
            super::seed_demo_data(store.as_ref()).await?;
            tracing::info!("seeded demo data (login tje0, password Tje0)");
        }
        let listener = TcpListener::bind(args.listen)
            .await
            .map_err(|err| format!("cannot listen on {}: {err}", args.listen))?;
        let limits = Limits {
            body_bytes: args.body_limit,
            request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        };
        Ok(Self {
            listener,
            state: AppState::new(store, limits),
        })
    }

    /// The store the server uses.
    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, String> {
        self.listener.local_addr().map_err(|err| err.to_string())
    }

    /// Serves until `shutdown` completes, then drains in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), String> {
        let addr = self.local_addr()?;
        tracing::info!("listening on http://{addr}");
        axum::serve(self.listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|err| format!("server error: {err}"))
    }
}

pub async fn run(args: ServeArgs) -> Result<(), String> {
    Server::build(&args)
        .await?
        .run_until(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
