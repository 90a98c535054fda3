//! Options of `ticketd serve` for `/metrics`: the bearer token it requires, and how long its
//! outbox counts are reused.

use std::time::Duration;

use clap::Args;

use crate::http::{MetricsEndpoint, MetricsToken};

/// `/metrics` options; the token's `Debug` form is redacted.
#[derive(Debug, Clone, Args)]
pub struct MetricsArgs {
    /// Require `Authorization: Bearer TOKEN` on `/metrics` (open to anyone when unset).
    #[arg(long, env = "TICKETD_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<MetricsToken>,
    /// How long `/metrics` reuses its count of the outbox's rows (e.g. 5s); scrapes within it
    /// share one count.
    #[arg(long, env = "TICKETD_METRICS_CACHE", default_value = "5s", value_parser = super::delivery::parse_std_duration)]
    pub metrics_cache: Duration,
}

impl Default for MetricsArgs {
    /// The command line's defaults.
    fn default() -> Self {
        Self { metrics_token: None, metrics_cache: Duration::from_secs(5) }
    }
}

impl MetricsArgs {
    pub fn endpoint(&self) -> MetricsEndpoint {
        MetricsEndpoint::new(self.metrics_token.clone(), self.metrics_cache)
    }
}
