//! The state `/metrics` keeps between scrapes: who may read it and the cached outbox counts.
//! Held in the application state; knows nothing of the handler.

use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use super::outbox_cache::OutboxCountsCache;
use super::token::MetricsToken;

/// Who may read `/metrics`, and the outbox counts it shares between scrapes.
pub struct MetricsEndpoint {
    token: Option<MetricsToken>,
    pub(super) outbox: OutboxCountsCache,
}

impl Default for MetricsEndpoint {
    fn default() -> Self {
        Self::new(None, Duration::from_secs(5))
    }
}

impl MetricsEndpoint {
    /// Open to anyone without a token; outbox counts reused for `outbox_ttl`.
    pub fn new(token: Option<MetricsToken>, outbox_ttl: Duration) -> Self {
        Self { token, outbox: OutboxCountsCache::new(outbox_ttl) }
    }

    /// Why the request may not read the metrics, if it may not: a token is configured and the
    /// request does not carry it.
    pub(super) fn refusal(&self, headers: &HeaderMap) -> Option<&'static str> {
        let token = self.token.as_ref()?;
        match headers.get(AUTHORIZATION) {
            Some(sent) if token.admits(sent.as_bytes()) => None,
            Some(_) => Some("The Authorization header does not carry the metrics token"),
            None => Some("The metrics need an Authorization header: Bearer and the metrics token"),
        }
    }
}
