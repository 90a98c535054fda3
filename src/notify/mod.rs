//! Notification dispatch: the handle request handlers use to wake the dispatcher, the
//! dispatcher that delivers outbox rows, and the e-mail, webhook and live-stream channels.

pub mod dispatcher;
pub mod email;
pub mod metrics;
pub mod redact;
pub mod ssrf;
pub mod vendor_payload;
pub mod webhook;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Notify, watch};

use crate::domain::notification::ChannelSet;

pub use dispatcher::{Channels, Dispatcher, DispatcherSettings};
pub use email::{Mailer, SmtpSettings};
pub use metrics::DeliveryMetrics;
pub use webhook::WebhookSender;

/// What request handlers share with the dispatcher and live streams: which channels are on, a
/// bell that wakes the dispatcher after a notifying save, a counter that moves whenever
/// live-stream notifications are committed here, and the shutdown signal.
#[derive(Clone)]
pub struct NotifyHandle {
    pub channels: ChannelSet,
    wake: Arc<Notify>,
    stream_delivered: Arc<watch::Sender<u64>>,
    closing: Arc<watch::Sender<bool>>,
    pub metrics: Arc<DeliveryMetrics>,
    /// Whether this server has a dispatcher and whether it runs (for the readiness check).
    pub dispatcher: Arc<DispatcherState>,
    /// How webhook targets are checked and tested when registered through the API.
    pub webhook_policy: WebhookPolicy,
    test_sender: Arc<std::sync::OnceLock<WebhookSender>>,
}

/// What registering a webhook through the API may reach.
#[derive(Debug, Clone, Copy)]
pub struct WebhookPolicy {
    /// Whether targets on loopback, private and other internal addresses are allowed.
    pub allow_private: bool,
    /// How long the registration's `test` event may take.
    pub timeout: std::time::Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        Self { allow_private: false, timeout: std::time::Duration::from_secs(10) }
    }
}

/// Whether a dispatcher was set up, and whether its loop is running.
#[derive(Debug, Default)]
pub struct DispatcherState {
    configured: AtomicBool,
    running: AtomicBool,
}

impl DispatcherState {
    /// `false` only when a dispatcher was set up and its loop is not (or no longer) running.
    pub fn healthy(&self) -> bool {
        !self.configured.load(Ordering::Acquire) || self.running.load(Ordering::Acquire)
    }

    pub(crate) fn configured(&self) {
        self.configured.store(true, Ordering::Release);
    }

    /// Marks the loop running until the guard goes (also when the loop panics).
    pub(crate) fn running(self: &Arc<Self>) -> RunningGuard {
        self.running.store(true, Ordering::Release);
        RunningGuard(self.clone())
    }
}

/// Clears [`DispatcherState`]'s running flag when dropped.
pub(crate) struct RunningGuard(Arc<DispatcherState>);

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

impl Default for NotifyHandle {
    fn default() -> Self {
        Self::new(ChannelSet::default())
    }
}

impl NotifyHandle {
    pub fn new(channels: ChannelSet) -> Self {
        Self {
            channels,
            wake: Arc::new(Notify::new()),
            stream_delivered: Arc::new(watch::channel(0).0),
            closing: Arc::new(watch::channel(false).0),
            metrics: Arc::new(DeliveryMetrics::default()),
            dispatcher: Arc::default(),
            webhook_policy: WebhookPolicy::default(),
            test_sender: Arc::default(),
        }
    }

    /// The same handle with `policy` for webhooks registered through the API.
    pub fn with_webhook_policy(mut self, policy: WebhookPolicy) -> Self {
        self.webhook_policy = policy;
        self.test_sender = Arc::default();
        self
    }

    /// The sender registration tests go through, built on first use.
    pub fn test_sender(&self) -> Result<WebhookSender, String> {
        if let Some(sender) = self.test_sender.get() {
            return Ok(sender.clone());
        }
        let policy = self.webhook_policy;
        let sender = WebhookSender::with_private_targets(policy.timeout, policy.allow_private)?;
        Ok(self.test_sender.get_or_init(|| sender).clone())
    }

    /// Tells the dispatcher that a save queued notifications.
    pub fn queued(&self) {
        self.wake.notify_one();
    }

    /// Resolves when a save queued notifications (or at once if one did since the last call).
    pub async fn wait_for_work(&self) {
        self.wake.notified().await;
    }

    /// Tells live-stream listeners that new notifications were committed.
    pub fn stream_delivered(&self) {
        self.stream_delivered.send_modify(|count| *count = count.wrapping_add(1));
    }

    /// A receiver that changes whenever live-stream notifications are committed here.
    pub fn stream_listener(&self) -> watch::Receiver<u64> {
        self.stream_delivered.subscribe()
    }

    /// Tells the dispatcher and open live streams that the server is shutting down.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// A receiver that turns true when the server shuts down.
    pub fn closing_listener(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }
}

/// Makes ring the TLS crypto provider of the process (SMTP over TLS and HTTPS webhooks).
pub fn install_crypto_provider() {
    // An error only means a provider is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Lower-case hexadecimal digits of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_dispatcher_is_healthy_only_while_its_loop_runs() {
        let state = Arc::new(DispatcherState::default());
        assert!(state.healthy(), "no dispatcher configured: nothing to wait for");
        state.configured();
        assert!(!state.healthy(), "configured but not started");
        let running = state.running();
        assert!(state.healthy());
        drop(running);
        assert!(!state.healthy(), "stopped (or panicked)");
    }
}
