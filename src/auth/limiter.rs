//! Slows down password guessing: after too many failed attempts from one client address, or
//! against one login, further attempts are refused with 429 until the window has passed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_KEYS: usize = 50_000;

/// Failure counts per key (`ip:…`, `login:…`) in fixed windows.
pub struct FailureLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl FailureLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, windows: Mutex::new(HashMap::new()) }
    }

    /// Seconds until `key` may try again, when it is over the limit.
    pub fn blocked_for(&self, key: &str) -> Option<u64> {
        let windows = self.windows.lock().ok()?;
        let (started, failures) = windows.get(key)?;
        let elapsed = started.elapsed();
        (*failures >= self.limit && elapsed < self.window).then(|| (self.window - elapsed).as_secs().max(1))
    }

    /// Counts one failed attempt for `key`.
    pub fn record_failure(&self, key: &str) {
        let Ok(mut windows) = self.windows.lock() else { return };
        if windows.len() >= MAX_KEYS {
            let window = self.window;
            windows.retain(|_, (started, _)| started.elapsed() < window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_within_the_window() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            limiter.record_failure("ip:1");
        }
        assert_eq!(limiter.blocked_for("ip:1"), None);
        limiter.record_failure("ip:1");
        assert!(limiter.blocked_for("ip:1").is_some_and(|s| s > 0 && s <= 60));
        assert_eq!(limiter.blocked_for("ip:2"), None);
        let short = FailureLimiter::new(1, Duration::ZERO);
        short.record_failure("k");
        assert_eq!(short.blocked_for("k"), None);
    }
}
