//! Slows down password guessing without locking anyone out: failed attempts are counted per
//! (client address, login), per address and per login, and only a client that has already got a
//! login wrong is refused (429) further unverified tries at it — see
//! `docs/authentication.md#sign-in-limits-under-attack`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_KEYS: usize = 50_000;

/// What a counter is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(Option<IpAddr>, String),
    Address(Option<IpAddr>),
    Login(String),
}

/// Failure counts in fixed windows.
pub struct FailureLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<Key, (Instant, u32)>>,
}

impl FailureLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, windows: Mutex::new(HashMap::new()) }
    }

    /// Seconds until `client` may have another unverified password for `login` checked, when it
    /// may not now.
    ///
    /// A client is refused only for a login it has itself got wrong in the current window, and
    /// only once that pair, the client's address or the login is over the limit. A client that
    /// has not failed on a login is always checked, so failures elsewhere never keep a correct
    /// password out; an attacker gets at most `limit` guesses per window at a login from one
    /// address, and one per address once the login or the address is busy failing.
    pub fn blocked_for(&self, client: Option<IpAddr>, login: &str) -> Option<u64> {
        let login = login.to_lowercase();
        let windows = self.windows.lock().ok()?;
        let live =
            |key: &Key| windows.get(key).filter(|(started, _)| started.elapsed() < self.window).map(|(s, n)| (*s, *n));
        let (started, pair_failures) = live(&Key::Pair(client, login.clone()))?;
        let over = |key: Key| live(&key).is_some_and(|(_, n)| n >= self.limit);
        let busy = pair_failures >= self.limit || over(Key::Address(client)) || over(Key::Login(login));
        busy.then(|| self.window.saturating_sub(started.elapsed()).as_secs().max(1))
    }

    /// Counts one failed attempt by `client`, against `login` when the credentials named one.
    pub fn record_failure(&self, client: Option<IpAddr>, login: Option<&str>) {
        let Ok(mut windows) = self.windows.lock() else { return };
        if windows.len() >= MAX_KEYS {
            let window = self.window;
            windows.retain(|_, (started, _)| started.elapsed() < window);
        }
        let mut keys = vec![Key::Address(client)];
        if let Some(login) = login.map(str::to_lowercase) {
            keys.push(Key::Pair(client, login.clone()));
            keys.push(Key::Login(login));
        }
        for key in keys {
            let entry = windows.entry(key).or_insert((Instant::now(), 0));
            if entry.0.elapsed() >= self.window {
                *entry = (Instant::now(), 0);
            }
            entry.1 = entry.1.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)));
    const TWO: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2)));

    #[test]
    fn a_pair_is_refused_after_the_limit_within_the_window() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            limiter.record_failure(ONE, Some("Jose"));
        }
        assert_eq!(limiter.blocked_for(ONE, "jose"), None);
        limiter.record_failure(ONE, Some("jose"));
        assert!(limiter.blocked_for(ONE, "JOSE").is_some_and(|s| s > 0 && s <= 60));
        let short = FailureLimiter::new(1, Duration::ZERO);
        short.record_failure(ONE, Some("k"));
        assert_eq!(short.blocked_for(ONE, "k"), None);
    }

    #[test]
    fn failures_elsewhere_never_refuse_a_client_that_has_not_failed_on_the_login() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        for _ in 0..10 {
            limiter.record_failure(ONE, Some("jose"));
            limiter.record_failure(ONE, None);
        }
        assert_eq!(limiter.blocked_for(TWO, "jose"), None, "another address");
        assert_eq!(limiter.blocked_for(ONE, "tje0"), None, "another login from the busy address");
    }

    #[test]
    fn a_busy_login_or_address_leaves_one_guess_per_address() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            limiter.record_failure(ONE, Some("jose"));
        }
        limiter.record_failure(TWO, Some("jose"));
        assert!(limiter.blocked_for(TWO, "jose").is_some(), "the login is busy failing");
        for login in ["a", "b", "c"] {
            limiter.record_failure(TWO, Some(login));
        }
        assert!(limiter.blocked_for(TWO, "a").is_some(), "the address is busy failing");
        assert_eq!(limiter.blocked_for(TWO, "d"), None);
    }
}
