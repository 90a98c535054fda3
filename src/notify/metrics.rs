//! Delivery counters per channel, and their rendering (with the outbox's row counts) in the
//! Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::domain::notification::Channel;
use crate::store::outbox::OutboxCount;

/// What the dispatcher of this process did, per channel.
#[derive(Debug, Default)]
pub struct DeliveryMetrics {
    delivered: [AtomicU64; 5],
    retried: [AtomicU64; 5],
    dead: [AtomicU64; 5],
}

/// How one delivery attempt ended, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Retried,
    Dead,
}

fn slot(channel: Channel) -> usize {
    usize::try_from(channel.code()).unwrap_or(0)
}

impl DeliveryMetrics {
    pub fn count(&self, channel: Channel, outcome: Outcome) {
        let counters = match outcome {
            Outcome::Delivered => &self.delivered,
            Outcome::Retried => &self.retried,
            Outcome::Dead => &self.dead,
        };
        counters[slot(channel)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self, channel: Channel, outcome: Outcome) -> u64 {
        let counters = match outcome {
            Outcome::Delivered => &self.delivered,
            Outcome::Retried => &self.retried,
            Outcome::Dead => &self.dead,
        };
        counters[slot(channel)].load(Ordering::Relaxed)
    }

    /// The counters, then the outbox's rows per channel and status (which every instance on
    /// the database sees alike: `pending` is what is queued).
    pub fn render(&self, rows: &[OutboxCount]) -> String {
        let mut out = String::new();
        out.push_str("# HELP ticketd_notifications_total Delivery attempts by this process, by channel and outcome.\n");
        out.push_str("# TYPE ticketd_notifications_total counter\n");
        for channel in Channel::ALL {
            for (outcome, name) in
                [(Outcome::Delivered, "delivered"), (Outcome::Retried, "retried"), (Outcome::Dead, "dead")]
            {
                let _ = writeln!(
                    out,
                    "ticketd_notifications_total{{channel=\"{}\",outcome=\"{name}\"}} {}",
                    channel.name(),
                    self.get(channel, outcome)
                );
            }
        }
        out.push_str("# HELP ticketd_outbox_rows Outbox rows in the database, by channel and status.\n");
        out.push_str("# TYPE ticketd_outbox_rows gauge\n");
        for channel in Channel::ALL {
            for status in crate::domain::notification::DeliveryStatus::ALL {
                let rows = rows.iter().find(|c| c.channel == channel && c.status == status).map_or(0, |c| c.rows);
                let _ = writeln!(
                    out,
                    "ticketd_outbox_rows{{channel=\"{}\",status=\"{}\"}} {rows}",
                    channel.name(),
                    status.name()
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notification::DeliveryStatus;

    #[test]
    fn counters_and_rows_render_as_prometheus_text() {
        let metrics = DeliveryMetrics::default();
        metrics.count(Channel::Webhook, Outcome::Retried);
        metrics.count(Channel::Webhook, Outcome::Retried);
        metrics.count(Channel::Email, Outcome::Delivered);
        let text =
            metrics.render(&[OutboxCount { channel: Channel::Stream, status: DeliveryStatus::Pending, rows: 7 }]);
        assert!(text.contains("ticketd_notifications_total{channel=\"webhook\",outcome=\"retried\"} 2\n"));
        assert!(text.contains("ticketd_notifications_total{channel=\"email\",outcome=\"delivered\"} 1\n"));
        assert!(text.contains("ticketd_outbox_rows{channel=\"stream\",status=\"pending\"} 7\n"));
        assert!(text.contains("ticketd_outbox_rows{channel=\"email\",status=\"dead\"} 0\n"));
    }
}
