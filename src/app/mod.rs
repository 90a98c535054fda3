//! The composition root: turns [`Settings`] into a running application (store, state, router,
//! listener, notification dispatcher, retention sweep) and stops it gracefully.

mod demo;
mod memory;
mod retention;
mod settings;
mod shutdown;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;

pub use demo::seed_demo_data;
pub use retention::RetentionSweep;
pub use settings::{
    AuthOptions, DatabaseUrl, DeliveryOptions, IDEMPOTENCY_WINDOW, MetricsOptions, Retention, RetentionOptions,
    Settings, StreamOptions,
};

use crate::http::connection::{ConnectionLimits, GuardedListener};
use crate::http::origin::TrustedProxies;
use crate::http::{AppState, Limits, router};
use crate::locale::BaseZone;
use crate::store::{Store, StoreError};

/// Why the application could not be built; the cause, when there is one, is the error's source.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot open the database")]
    Database(#[source] StoreError),
    #[error("cannot seed the demo data: {0}")]
    Demo(String),
    #[error("cannot listen on {address}")]
    Listen { address: SocketAddr, source: std::io::Error },
    /// A setting the server cannot start with (e.g. a JWT key, the SMTP URL).
    #[error("{0}")]
    Invalid(String),
}

/// A bound, not yet serving, application.
pub struct Application {
    listener: TcpListener,
    connections: ConnectionLimits,
    state: AppState,
    dispatcher: Option<crate::notify::Dispatcher>,
    retention: RetentionSweep,
    shutdown_timeout: Duration,
}

impl Application {
    /// Opens the database, seeds demo data when asked, and binds the listener.
    pub async fn build(settings: Settings) -> Result<Self, BuildError> {
        memory::fix_mmap_threshold(settings.malloc_mmap_threshold);
        let wal_limit = settings.sqlite_wal_limit_mb.saturating_mul(1024 * 1024);
        let store: Arc<dyn Store> =
            crate::store::connect_tuned(&settings.database_url.0, settings.sqlite_synchronous, wal_limit)
                .await
                .map_err(BuildError::Database)?;
        if settings.demo && store.is_empty().await.map_err(BuildError::Database)? {
            seed_demo_data(store.as_ref()).await.map_err(BuildError::Demo)?;
            tracing::info!("seeded demo data (login tje0, password Tje0)");
        }
        let address = settings.listen;
        let listener = TcpListener::bind(address).await.map_err(|source| BuildError::Listen { address, source })?;
        let state = app_state(&settings, store.clone())?;
        let retention = settings.retention.sweep(store.clone(), settings.pending_upload_ttl);
        let dispatcher = settings.delivery.dispatcher(store, state.notify.clone()).map_err(BuildError::Invalid)?;
        let connections = ConnectionLimits {
            max_connections: settings.max_connections,
            idle_timeout: settings.idle_timeout,
            read_timeout: settings.read_timeout,
        };
        Ok(Self { listener, connections, state, dispatcher, retention, shutdown_timeout: settings.shutdown_timeout })
    }

    /// The store the application uses.
    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves (and delivers notifications) until `shutdown` completes, then drains: see
    /// [`shutdown::drain`].
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), String> {
        let addr = self.local_addr().map_err(|err| err.to_string())?;
        tracing::info!("listening on http://{addr}");
        let notify = self.state.notify.clone();
        let drain = self.state.lifecycle.drain.clone();
        let delivering = self.dispatcher.map(|dispatcher| tokio::spawn(dispatcher.run(notify.closing_listener())));
        let sweeping = tokio::spawn(self.retention.run(notify.closing_listener()));
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        // `tap_io` only to reach axum's `ConnectInfo<SocketAddr>` for listeners of its own kind.
        let listener = GuardedListener::new(self.listener, self.connections).close_on(drain.listener()).tap_io(|_| ());
        let (close_connections, closed) = tokio::sync::oneshot::channel::<()>();
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = closed.await;
        });
        let mut serving = tokio::spawn(std::future::IntoFuture::into_future(serve));
        tokio::select! {
            () = shutdown => {}
            ended = &mut serving => {
                notify.close();
                return ended.map_err(|err| format!("server task failed: {err}"))?.map_err(|err| format!("server error: {err}"));
            }
        }
        let running = shutdown::Running { serving, close_connections, delivering };
        let stopped = shutdown::drain(running, &drain, &notify, self.shutdown_timeout).await;
        // The sweep stops once notifications close; a batch it was in rolls back.
        let _ = sweeping.await;
        stopped
    }
}

/// What every handler can reach, as `settings` describe it.
fn app_state(settings: &Settings, store: Arc<dyn Store>) -> Result<AppState, BuildError> {
    let auth = &settings.auth;
    let limits = Limits {
        body_bytes: settings.body_limit,
        request_timeout: Duration::from_secs(settings.request_timeout.max(1)),
        session_ttl: Duration::from_secs(auth.session_hours.max(1) * 3600),
        secure_cookies: auth.secure_cookies,
        attachment_bytes: settings.attachment_limit,
        idle_timeout: settings.idle_timeout,
        stream_recheck: settings.streams.stream_recheck.max(Duration::from_millis(10)),
        max_streams_per_associate: settings.streams.max_streams_per_associate,
    };
    let mut state = AppState::new(store, limits, &auth.settings()).map_err(BuildError::Invalid)?;
    state.base_zone = BaseZone(settings.base_timezone);
    state.proxies = Arc::new(TrustedProxies::new(auth.trusted_proxy.clone()));
    state.notify = settings.delivery.handle();
    state.metrics_endpoint = Arc::new(settings.metrics.endpoint());
    Ok(state.with_messages_rebuilt())
}
