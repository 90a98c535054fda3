//! The dispatcher: claims due outbox rows, delivers them over their channel, and settles each
//! as delivered, due again later (exponential backoff with jitter), or dead.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::watch;

use super::metrics::Outcome;
use super::{Mailer, NotifyHandle, WebhookSender};
use crate::domain::notification::{Channel, retry_delay};
use crate::domain::webhook::WebhookState;
use crate::store::outbox::{ClaimedDelivery, DeliveryResult, OutboxRow, WebhookTarget};
use crate::store::webhook::WebhookCall;
use crate::store::{Store, StoreError};

/// Why a delivery attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth another attempt later.
    Transient(String),
    /// Will never succeed: park the row.
    Permanent(String),
}

impl Failure {
    /// The same failure with credentials taken out of any URL its text names.
    pub fn redacted(self) -> Self {
        match self {
            Self::Transient(why) => Self::Transient(super::redact::text(&why)),
            Self::Permanent(why) => Self::Permanent(super::redact::text(&why)),
        }
    }
}

/// How the dispatcher paces itself.
#[derive(Debug, Clone)]
pub struct DispatcherSettings {
    /// Attempts before a row is parked as dead.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles with each further one.
    pub retry_base: Duration,
    /// The longest wait between attempts.
    pub retry_cap: Duration,
    /// How long a claim lasts; a crashed worker's rows are free again after it.
    pub lease: Duration,
    /// Rows claimed at once.
    pub batch: u32,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// How often to look for due rows when nothing wakes the dispatcher (retries, other instances).
    pub poll: Duration,
    /// Consecutive failed attempts after which a webhook turns `TooManyErrors`.
    pub webhook_error_limit: u32,
}

impl Default for DispatcherSettings {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            retry_base: Duration::from_secs(5),
            retry_cap: Duration::from_secs(3600),
            lease: Duration::from_secs(120),
            batch: 32,
            concurrency: 8,
            poll: Duration::from_secs(1),
            webhook_error_limit: 9,
        }
    }
}

/// The ways out the dispatcher may use.
pub struct Channels {
    /// SMTP, when configured.
    pub mailer: Option<Mailer>,
    pub webhooks: WebhookSender,
    /// The HTTP SMS gateway (URL and signing secret), when configured.
    pub sms_gateway: Option<WebhookTarget>,
}

/// Delivers the outbox of one store.
pub struct Dispatcher {
    store: Arc<dyn Store>,
    settings: DispatcherSettings,
    handle: NotifyHandle,
    mailer: Option<Mailer>,
    webhooks: WebhookSender,
    sms_gateway: Option<WebhookTarget>,
    worker: String,
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Store>,
        settings: DispatcherSettings,
        handle: NotifyHandle,
        channels: Channels,
    ) -> Result<Self, String> {
        let mut nonce = [0u8; 4];
        getrandom::fill(&mut nonce).map_err(|err| format!("no randomness available: {err}"))?;
        let worker = format!("ticketd-{}-{}", std::process::id(), super::hex(&nonce));
        let Channels { mailer, webhooks, sms_gateway } = channels;
        handle.dispatcher.configured();
        Ok(Self { store, settings, handle, mailer, webhooks, sms_gateway, worker })
    }

    /// Delivers until `stop` turns true, then releases whatever it still holds.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let _running = self.handle.dispatcher.running();
        if !self.store.shares_outbox() {
            // With SQLite this is the only dispatcher: claims in the table are a crashed run's.
            match self.store.release_claims(None).await {
                Ok(0) => {}
                Ok(freed) => tracing::info!(freed, "outbox: freed claims left by an earlier run"),
                Err(err) => tracing::warn!(error = %err, "outbox: cannot free earlier claims"),
            }
        }
        tracing::info!(worker = %self.worker, "outbox dispatcher started");
        while !*stop.borrow() {
            let delivered =
                match self.store.claim_deliveries(&self.worker, self.settings.batch, self.settings.lease).await {
                    Ok(batch) if batch.is_empty() => 0,
                    Ok(batch) => {
                        if batch.iter().any(|claimed| claimed.row.channel == Channel::Webhook) {
                            self.handle.webhook_rows_seen();
                        }
                        self.deliver_batch(batch, &stop).await
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "outbox: cannot claim deliveries");
                        0
                    }
                };
            if delivered > 0 {
                continue;
            }
            tokio::select! {
                () = self.handle.wait_for_work() => {}
                () = tokio::time::sleep(self.settings.poll) => {}
                _ = stop.changed() => {}
            }
        }
        match self.store.release_claims(Some(&self.worker)).await {
            Ok(freed) => tracing::info!(freed, "outbox dispatcher stopped"),
            Err(err) => tracing::warn!(error = %err, "outbox: cannot release claims at shutdown"),
        }
    }

    /// Delivers a claimed batch, a few at a time; how many rows it handled. Once `stop` turns
    /// true no further delivery starts: those rows stay claimed until `run` releases them.
    async fn deliver_batch(&self, batch: Vec<ClaimedDelivery>, stop: &watch::Receiver<bool>) -> usize {
        let count = batch.len();
        futures_util::stream::iter(batch)
            .for_each_concurrent(self.settings.concurrency.max(1), |delivery| async move {
                if !*stop.borrow() {
                    self.deliver_one(delivery).await;
                }
            })
            .await;
        count
    }

    async fn deliver_one(&self, delivery: ClaimedDelivery) {
        let row = &delivery.row;
        let attempt = match row.channel {
            // Stream rows are delivered by their commit and never queued; nothing to send.
            Channel::Stream => Ok(()),
            Channel::Email => match (&self.mailer, &delivery.recipient) {
                (Some(mailer), Some(recipient)) => mailer.send(row, recipient).await,
                (None, _) => Err(Failure::Transient("e-mail is not configured (--smtp-url)".into())),
                (_, None) => Err(Failure::Permanent("the recipient has no e-mail address any more".into())),
            },
            Channel::Webhook => self.deliver_webhook(row, delivery.webhook.as_ref()).await,
            Channel::Send => match &self.mailer {
                Some(mailer) => mailer.send_outgoing(row, self.store.as_ref()).await,
                None => Err(Failure::Transient("e-mail is not configured (--smtp-url)".into())),
            },
            Channel::Sms => match &self.sms_gateway {
                Some(gateway) => self.webhooks.send_sms(row, gateway).await,
                None => Err(Failure::Transient("no SMS gateway is configured (--sms-gateway-url)".into())),
            },
        };
        // Errors go to the log and to `last_error`; neither may hold a URL's credentials.
        let attempt = attempt.map_err(Failure::redacted);
        let (result, outcome) = self.settle(row.attempts, attempt);
        if let DeliveryResult::Retry { error, .. } | DeliveryResult::Dead { error } = &result {
            tracing::warn!(delivery = %row.delivery_id, channel = row.channel.name(), attempts = row.attempts, %error, "outbox: delivery failed");
        }
        match self.record(row.id, &result).await {
            Ok(()) => self.handle.metrics.count(row.channel, outcome),
            // The claim runs out and the row is tried again; the delivery id stays the same.
            Err(err) => tracing::warn!(delivery = %row.delivery_id, error = %err, "outbox: cannot record a delivery"),
        }
    }

    /// Posts a webhook row to its (still active) webhook and counts the call on the webhook.
    async fn deliver_webhook(&self, row: &OutboxRow, target: Option<&WebhookTarget>) -> Result<(), Failure> {
        let gone = || Failure::Permanent("the webhook was removed or is no longer active".into());
        let id = target.ok_or_else(gone)?.id;
        let hook = match self.store.webhook(id).await {
            Ok(Some(hook)) if hook.state == WebhookState::Active => hook,
            Ok(Some(hook)) => return Err(Failure::Permanent(format!("webhook {id} is {}", hook.state.name()))),
            Ok(None) => return Err(gone()),
            Err(err) => return Err(Failure::Transient(format!("cannot read webhook {id}: {err}"))),
        };
        let attempt = self.webhooks.send(row, &hook).await.map_err(Failure::redacted);
        let call = match &attempt {
            Ok(()) => WebhookCall::Succeeded,
            Err(Failure::Transient(why) | Failure::Permanent(why)) => WebhookCall::Failed(why.clone()),
        };
        match self.store.record_webhook_call(id, &call, self.settings.webhook_error_limit).await {
            // The failing event is parked with the stop, not tried again once the webhook resumes.
            Ok(true) => {
                tracing::warn!(webhook = id, "webhook stopped after too many consecutive errors");
                self.handle.queued();
                if let WebhookCall::Failed(why) = call {
                    return Err(Failure::Permanent(format!("webhook {id} stopped (TooManyErrors): {why}")));
                }
            }
            Ok(false) => {}
            Err(err) => tracing::warn!(webhook = id, error = %err, "cannot count a webhook call"),
        }
        attempt
    }

    /// Records an attempt's outcome. While the database is briefly gone (a restart, a failover)
    /// it tries again for up to half the lease, so that a delivery already made is not made a
    /// second time when its claim runs out. A retry after a commit of unknown outcome is
    /// harmless: the row is no longer claimed by this worker, so it changes nothing.
    async fn record(&self, id: i64, result: &DeliveryResult) -> Result<(), StoreError> {
        let give_up = tokio::time::Instant::now() + self.settings.lease / 2;
        let mut wait = Duration::from_millis(100);
        loop {
            match self.store.finish_delivery(id, &self.worker, result).await {
                Err(StoreError::Busy | StoreError::Unavailable(_) | StoreError::CommitUnknown)
                    if tokio::time::Instant::now() + wait < give_up =>
                {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(2));
                }
                other => return other,
            }
        }
    }

    /// What to record for an attempt, given how many attempts (this one included) were made.
    fn settle(&self, attempts: i32, attempt: Result<(), Failure>) -> (DeliveryResult, Outcome) {
        let attempts = u32::try_from(attempts).unwrap_or(0);
        match attempt {
            Ok(()) => (DeliveryResult::Delivered, Outcome::Delivered),
            Err(Failure::Permanent(error)) => (DeliveryResult::Dead { error }, Outcome::Dead),
            Err(Failure::Transient(error)) if attempts >= self.settings.max_attempts => {
                (DeliveryResult::Dead { error: format!("gave up after {attempts} attempts: {error}") }, Outcome::Dead)
            }
            Err(Failure::Transient(error)) => {
                let delay = retry_delay(attempts, self.settings.retry_base, self.settings.retry_cap, jitter());
                let now = chrono::Utc::now().naive_utc();
                let at = chrono::Duration::from_std(delay)
                    .ok()
                    .and_then(|delay| now.checked_add_signed(delay))
                    .unwrap_or(now + chrono::Duration::hours(1));
                (DeliveryResult::Retry { error, at }, Outcome::Retried)
            }
        }
    }
}

/// A uniformly random fraction in [0, 1); 0.5 when no randomness is available.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}
