//! Remembers successful Basic verifications so a client that sends Basic on every request pays
//! one argon2 verification per TTL, not one per request.
//!
//! Entries are keyed by an HMAC (with a per-process random key) of the login and password, so
//! the cache never holds a password or anything that could be brute-forced offline. A hit
//! counts only while the stored hash is the one that was verified: a password change misses.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const MAX_ENTRIES: usize = 10_000;

struct Entry {
    password_hash: String,
    verified_at: Instant,
}

/// Successful verifications, for a short time.
pub struct VerifiedCache {
    key: [u8; 32],
    ttl: Duration,
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

impl VerifiedCache {
    pub fn new(ttl: Duration) -> Self {
        let mut key = [0u8; 32];
        // Without randomness the key stays zero; entries are still never a password.
        let _ = getrandom::fill(&mut key);
        Self { key, ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn key_of(&self, login: &str, password: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(login.to_lowercase().as_bytes());
        mac.update(&[0]);
        mac.update(password.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Whether this login and password were verified against `password_hash` within the TTL.
    pub fn hit(&self, login: &str, password: &str, password_hash: &str) -> bool {
        let key = self.key_of(login, password);
        let Ok(entries) = self.entries.lock() else { return false };
        entries.get(&key).is_some_and(|e| {
            e.verified_at.elapsed() < self.ttl && super::secrets::same(&e.password_hash, password_hash)
        })
    }

    /// Remembers a successful verification.
    pub fn remember(&self, login: &str, password: &str, password_hash: &str) {
        let key = self.key_of(login, password);
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, e| e.verified_at.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, Entry { password_hash: password_hash.to_owned(), verified_at: Instant::now() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_need_the_same_password_hash_and_a_fresh_entry() {
        let cache = VerifiedCache::new(Duration::from_secs(60));
        cache.remember("Tje0", "Tje0", "$argon2id$one");
        assert!(cache.hit("tje0", "Tje0", "$argon2id$one"));
        assert!(!cache.hit("tje0", "tje0", "$argon2id$one"), "another password");
        assert!(!cache.hit("tje0", "Tje0", "$argon2id$two"), "the password was changed");
        let expired = VerifiedCache::new(Duration::ZERO);
        expired.remember("a", "b", "h");
        assert!(!expired.hit("a", "b", "h"));
    }
}
