//! Options of `ticketd serve` for live notification streams: how often an open stream checks
//! its caller again, and how many one associate may hold.

use std::time::Duration;

use clap::Args;

use super::defaults::{self, defaults};
use crate::app::StreamOptions;

/// Live notification stream options.
#[derive(Debug, Clone, Args)]
pub struct StreamArgs {
    /// How often a quiet notification stream checks that the caller's credentials still hold
    /// (e.g. 30s); a stream of a revoked ticket or token or a disabled associate is closed.
    #[arg(long, env = "TICKETD_STREAM_RECHECK", default_value = defaults::duration(defaults().streams.stream_recheck), value_parser = super::delivery::parse_std_duration)]
    pub stream_recheck: Duration,
    /// Notification streams one associate may hold open at once; one more gets 429.
    #[arg(long, env = "TICKETD_MAX_STREAMS_PER_ASSOCIATE", default_value_t = defaults().streams.max_streams_per_associate)]
    pub max_streams_per_associate: usize,
}

impl StreamArgs {
    pub fn options(&self) -> StreamOptions {
        StreamOptions { stream_recheck: self.stream_recheck, max_streams_per_associate: self.max_streams_per_associate }
    }
}
