//! What every handler can reach: the store, the authenticator and the request limits.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;

use crate::auth::Principal;
use crate::auth::{AuthSettings, Authenticator};
use crate::locale::BaseZone;
use crate::negotiate::body::BodyLimit;
use crate::notify::NotifyHandle;
use crate::store::{SaveContext, Store};

/// Bounds on what one request may cost, and how long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body accepted, in bytes.
    pub body_bytes: usize,
    /// How long a request may take before it is answered with an error.
    pub request_timeout: Duration,
    /// How long a browser session (and the ticket its login issues) lasts.
    pub session_ttl: Duration,
    /// Whether session cookies carry `Secure` (set when serving behind HTTPS).
    pub secure_cookies: bool,
    /// The largest attachment upload accepted, in bytes.
    pub attachment_bytes: usize,
    /// How long a connection may carry no traffic before it is closed.
    pub idle_timeout: Duration,
    /// How often a quiet notification stream checks that its caller's credentials still hold.
    pub stream_recheck: Duration,
    /// Notification streams one associate may hold open at once.
    pub max_streams_per_associate: usize,
}

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub authenticator: Authenticator,
    pub limits: Limits,
    /// The zone stored dates (other than stamps) are in.
    pub base_zone: BaseZone,
    /// The channels notifications go out on, and the bell that wakes their dispatcher.
    pub notify: NotifyHandle,
    /// The reverse proxies whose forwarding headers are believed (see [`super::origin`]).
    pub proxies: Arc<super::origin::TrustedProxies>,
    /// Read-modify-write saves (PATCH) of one message take turns here rather than overtaking
    /// each other and retrying.
    pub edit_turns: Arc<EditTurns>,
    /// Shutdown's drain and the readiness check's cached verdict.
    pub lifecycle: Arc<super::lifecycle::Lifecycle>,
    /// Open notification streams per associate.
    pub stream_slots: Arc<super::notifications::slots::StreamSlots>,
    /// Who may read `/metrics`, and its cached outbox counts.
    pub metrics_endpoint: Arc<super::metrics::endpoint::MetricsEndpoint>,
}

/// Striped locks by message id: edits of one message queue; edits of others rarely meet.
#[derive(Debug)]
pub struct EditTurns([tokio::sync::Mutex<()>; 64]);

impl Default for EditTurns {
    fn default() -> Self {
        Self(std::array::from_fn(|_| tokio::sync::Mutex::new(())))
    }
}

impl EditTurns {
    /// Waits for the turn to edit message `id`; the turn lasts as long as the guard.
    pub async fn of(&self, id: i32) -> tokio::sync::MutexGuard<'_, ()> {
        self.0[id.unsigned_abs() as usize % self.0.len()].lock().await
    }
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, limits: Limits, auth: &AuthSettings) -> Result<Self, String> {
        Ok(Self {
            authenticator: Authenticator::new(store.clone(), auth)?,
            store,
            limits,
            base_zone: BaseZone::default(),
            notify: NotifyHandle::default(),
            edit_turns: Arc::default(),
            proxies: Arc::default(),
            lifecycle: Arc::default(),
            stream_slots: Arc::default(),
            metrics_endpoint: Arc::default(),
        })
    }

    /// The context of a save by `caller`, notifying over the configured channels when asked.
    pub fn save_context(&self, caller: &Principal, notify: bool) -> SaveContext {
        SaveContext {
            associate_id: caller.associate_id,
            notify,
            channels: self.notify.channels,
            expected_version: None,
            context: crate::store::acting::current().context,
        }
    }

    /// Wakes the dispatcher (every save may have queued webhook events) and, after a notifying
    /// save, this server's live streams.
    pub fn saved(&self, ctx: SaveContext) {
        self.notify.queued();
        if ctx.notify {
            self.notify.stream_delivered();
        }
    }
}

impl FromRef<AppState> for Authenticator {
    fn from_ref(state: &AppState) -> Self {
        state.authenticator.clone()
    }
}

impl FromRef<AppState> for BaseZone {
    fn from_ref(state: &AppState) -> Self {
        state.base_zone
    }
}

impl FromRef<AppState> for BodyLimit {
    fn from_ref(state: &AppState) -> Self {
        BodyLimit(state.limits.body_bytes)
    }
}
