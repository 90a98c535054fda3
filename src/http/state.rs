//! What every handler can reach: the store, the ticket-message operations, the authenticator
//! and the request limits.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;

use crate::auth::{AuthSettings, Authenticator};
use crate::locale::BaseZone;
use crate::negotiate::body::BodyLimit;
use crate::notify::NotifyHandle;
use crate::service::TicketMessages;
use crate::store::Store;

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
    /// The ticket-message operations every face calls, over the same store and notify handle
    /// (rebuild it with [`AppState::with_messages_rebuilt`] after changing either).
    pub messages: TicketMessages,
    /// Shutdown's drain and the readiness check's cached verdict.
    pub lifecycle: Arc<super::lifecycle::Lifecycle>,
    /// Open notification streams per associate.
    pub stream_slots: Arc<super::notifications::slots::StreamSlots>,
    /// Who may read `/metrics`, and its cached outbox counts.
    pub metrics_endpoint: Arc<super::metrics::endpoint::MetricsEndpoint>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, limits: Limits, auth: &AuthSettings) -> Result<Self, String> {
        let notify = NotifyHandle::default();
        Ok(Self {
            authenticator: Authenticator::new(store.clone(), auth)?,
            store: store.clone(),
            limits,
            base_zone: BaseZone::default(),
            notify: notify.clone(),
            messages: TicketMessages::new(store, notify, BaseZone::default()),
            proxies: Arc::default(),
            lifecycle: Arc::default(),
            stream_slots: Arc::default(),
            metrics_endpoint: Arc::default(),
        })
    }

    /// The state with its ticket-message operations over its current store, notify handle and
    /// base zone: call once those are set.
    pub fn with_messages_rebuilt(mut self) -> Self {
        self.messages = TicketMessages::new(self.store.clone(), self.notify.clone(), self.base_zone);
        self
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
