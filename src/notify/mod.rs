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
    webhook_activity: Arc<WebhookActivity>,
}

/// How long after the dispatcher last claimed webhook rows a save without `notify` still wakes
/// it. Waking it costs a claim query per save, which a server without webhook traffic should not
/// pay on every quiet save; when none was seen for this long, such a save's events wait for the
/// dispatcher's next poll (`DispatcherSettings::poll`, 1 s) instead.
const WEBHOOK_ACTIVITY_WINDOW: std::time::Duration = std::time::Duration::from_secs(10);

/// When webhook rows were last claimed: milliseconds since the handle was made, plus one (0:
/// never).
#[derive(Debug)]
struct WebhookActivity {
    epoch: std::time::Instant,
    last_seen: std::sync::atomic::AtomicU64,
}

impl Default for WebhookActivity {
    fn default() -> Self {
        Self { epoch: std::time::Instant::now(), last_seen: std::sync::atomic::AtomicU64::new(0) }
    }
}

impl WebhookActivity {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn seen(&self) {
        self.last_seen.store(self.now(), Ordering::Release);
    }

    fn recent(&self) -> bool {
        let last = self.last_seen.load(Ordering::Acquire);
        last != 0 && u128::from(self.now().saturating_sub(last)) < WEBHOOK_ACTIVITY_WINDOW.as_millis()
    }
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
            webhook_activity: Arc::default(),
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

    /// Tells the dispatcher that a save without `notify` may have queued webhook events: it is
    /// woken while webhook rows were claimed lately (or a webhook was registered here), else
    /// its next poll finds them.
    pub fn maybe_queued_webhook_events(&self) {
        if self.webhook_activity.recent() {
            self.wake.notify_one();
        }
    }

    /// Records that webhook rows are being queued, so quiet saves wake the dispatcher again.
    pub fn webhook_rows_seen(&self) {
        self.webhook_activity.seen();
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

#[cfg(test)]
mod webhook_activity_tests {
    use super::WebhookActivity;

    #[test]
    fn quiet_saves_wake_the_dispatcher_only_after_webhook_rows_were_seen() {
        let activity = WebhookActivity::default();
        assert!(!activity.recent(), "no webhook rows seen yet: quiet saves leave them to the poll");
        activity.seen();
        assert!(activity.recent(), "webhook rows claimed just now: quiet saves wake the dispatcher");
    }
}
