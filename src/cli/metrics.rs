//! Options of `ticketd serve` for `/metrics`: the bearer token it requires, and how long its
//! outbox counts are reused.

use std::time::Duration;

use clap::Args;

use super::defaults::{self, defaults};
use crate::app::MetricsOptions;
use crate::http::MetricsToken;

/// `/metrics` options; the token's `Debug` form is redacted.
#[derive(Debug, Clone, Args)]
pub struct MetricsArgs {
    /// Require `Authorization: Bearer TOKEN` on `/metrics` (open to anyone when unset).
    #[arg(long, env = "TICKETD_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<MetricsToken>,
    /// How long `/metrics` reuses its count of the outbox's rows (e.g. 5s); scrapes within it
    /// share one count.
    #[arg(long, env = "TICKETD_METRICS_CACHE", default_value = defaults::duration(defaults().metrics.metrics_cache), value_parser = super::delivery::parse_std_duration)]
    pub metrics_cache: Duration,
}

impl MetricsArgs {
    pub fn options(&self) -> MetricsOptions {
        MetricsOptions { metrics_token: self.metrics_token.clone(), metrics_cache: self.metrics_cache }
    }
}
