//! Remembers verified credentials so that a client authenticating on every request costs
//! neither an argon2 verification nor a read of its associate row, until the credentials change.
//!
//! Entries hold what a [`Principal`](super::Principal) needs (associate id, login, role) and are
//! found by an HMAC (with a per-process random key) of the login and password for Basic, by
//! associate id for the secret schemes, or by login (lowercased, as the store matches it) for
//! JWT bearers, whose signature was checked already, so the cache never holds a password or
//! anything that could be brute-forced offline.
//!
//! Any writer can change credentials (this server, `ticketd associate ...` in another process,
//! another server on the same database), so the cache watches the store's credentials version,
//! a counter triggers on the associates table move on every such change: it is read at most once
//! per `check_every`, and when it has moved every entry is dropped. A change is therefore seen
//! within `check_every` of its commit. Sooner where the store can tell: its epoch moves at once
//! for changes made through it, and on PostgreSQL when a notification from the trigger arrives
//! (or the listening connection is lost); every entry is dropped then too. An entry filled from a row read before a change the cache
//! has since seen is not kept (the generation it was read under is gone).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::domain::Role;
use crate::store::{Credentials, Store};

const MAX_ENTRIES: usize = 10_000;

/// Who verified credentials belong to, as stored when they were verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub associate_id: i32,
    pub login: String,
    pub role: Role,
}

impl From<&Credentials> for Known {
    fn from(c: &Credentials) -> Self {
        Self { associate_id: c.associate_id, login: c.login.clone(), role: c.role }
    }
}

struct Entry {
    known: Known,
    cached_at: Instant,
}

#[derive(Default)]
struct Entries {
    by_password: HashMap<[u8; 32], Entry>,
    by_id: HashMap<i32, Entry>,
    by_login: HashMap<String, Entry>,
    /// Moves whenever entries are dropped for a credentials change.
    generation: u64,
    /// The store's credentials version the entries agree with, and when it was read.
    version: Option<i64>,
    /// The store's in-process epoch the entries agree with.
    epoch: u64,
    checked_at: Option<Instant>,
}

impl Entries {
    fn drop_all(&mut self) {
        self.by_password.clear();
        self.by_id.clear();
        self.by_login.clear();
        self.generation += 1;
    }
}

/// Verified credentials, for at most `ttl` each and until any credentials change.
pub struct VerifiedCache {
    key: [u8; 32],
    ttl: Duration,
    check_every: Duration,
    entries: Mutex<Entries>,
    /// One version read at a time; the others wait for its answer rather than ask again.
    checking: tokio::sync::Mutex<()>,
}

/// The cache's generation when a request started looking; entries it fills count only if no
/// credentials change was seen since.
#[derive(Debug, Clone, Copy)]
pub struct Generation(u64);

impl VerifiedCache {
    pub fn new(ttl: Duration, check_every: Duration) -> Self {
        let mut key = [0u8; 32];
        // Without randomness the key stays zero; entries are still never a password.
        let _ = getrandom::fill(&mut key);
        Self { key, ttl, check_every, entries: Mutex::new(Entries::default()), checking: tokio::sync::Mutex::new(()) }
    }

    fn key_of(&self, login: &str, password: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(login.to_lowercase().as_bytes());
        mac.update(&[0]);
        mac.update(password.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn is_due(&self) -> bool {
        let Ok(entries) = self.entries.lock() else { return true };
        entries.checked_at.is_none_or(|at| at.elapsed() >= self.check_every)
    }

    /// Brings the cache up to date with the store's credentials version when it was last read
    /// `check_every` ago or more, and returns the generation to fill entries under. When the
    /// version cannot be read, every entry is dropped and the next request asks again.
    pub async fn refresh(&self, store: &dyn Store) -> Generation {
        let epoch = store.credentials_epoch();
        if let Ok(mut entries) = self.entries.lock()
            && entries.epoch != epoch
        {
            entries.drop_all();
            entries.epoch = epoch;
        }
        if self.is_due() {
            let _turn = self.checking.lock().await;
            if self.is_due() {
                let version = store.credentials_version().await;
                if let Ok(mut entries) = self.entries.lock() {
                    match version {
                        Ok(version) => {
                            if entries.version != Some(version) {
                                entries.drop_all();
                                entries.version = Some(version);
                            }
                            entries.checked_at = Some(Instant::now());
                        }
                        Err(_) => {
                            entries.drop_all();
                            entries.version = None;
                            entries.checked_at = None;
                        }
                    }
                }
            }
        }
        Generation(self.entries.lock().map_or(u64::MAX, |e| e.generation))
    }

    /// Drops every entry, for a caller that read an associate row differing from what the
    /// cache answered (a change not yet seen by the version check).
    pub fn forget(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.drop_all();
        }
    }

    fn fresh(&self, entry: Option<&Entry>) -> Option<Known> {
        entry.filter(|e| e.cached_at.elapsed() < self.ttl).map(|e| e.known.clone())
    }

    /// Whom this login and password were verified for, if they were and nothing changed since.
    pub fn by_password(&self, login: &str, password: &str) -> Option<Known> {
        let key = self.key_of(login, password);
        let entries = self.entries.lock().ok()?;
        self.fresh(entries.by_password.get(&key))
    }

    /// The credentials of an associate, if read and nothing changed since.
    pub fn by_id(&self, associate_id: i32) -> Option<Known> {
        let entries = self.entries.lock().ok()?;
        self.fresh(entries.by_id.get(&associate_id))
    }

    /// The enabled credentials of a login (without regard to case), if read and nothing
    /// changed since.
    pub fn by_login(&self, login: &str) -> Option<Known> {
        let entries = self.entries.lock().ok()?;
        self.fresh(entries.by_login.get(&login.to_lowercase()))
    }

    /// Remembers a login's enabled credentials read under `generation`.
    pub fn remember_login(&self, generation: Generation, login: &str, known: Known) {
        self.insert(generation, |entries| &mut entries.by_login, login.to_lowercase(), known);
    }

    /// Remembers a successful password verification made under `generation`.
    pub fn remember_password(&self, generation: Generation, login: &str, password: &str, known: Known) {
        let key = self.key_of(login, password);
        self.insert(generation, |entries| &mut entries.by_password, key, known);
    }

    /// Remembers an associate's enabled credentials read under `generation`.
    pub fn remember_id(&self, generation: Generation, known: Known) {
        self.insert(generation, |entries| &mut entries.by_id, known.associate_id, known);
    }

    fn insert<K: std::hash::Hash + Eq>(
        &self,
        generation: Generation,
        map: impl FnOnce(&mut Entries) -> &mut HashMap<K, Entry>,
        key: K,
        known: Known,
    ) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.generation != generation.0 {
            // Read before a change this cache has seen since: it may be the old row.
            return;
        }
        let ttl = self.ttl;
        let map = map(&mut entries);
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, e| e.cached_at.elapsed() < ttl);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, Entry { known, cached_at: Instant::now() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tje0() -> Known {
        Known { associate_id: 1, login: "tje0".into(), role: Role::Admin }
    }

    #[test]
    fn hits_need_the_same_password_and_a_fresh_entry() {
        let cache = VerifiedCache::new(Duration::from_secs(60), Duration::from_secs(60));
        let generation = Generation(0);
        cache.remember_password(generation, "Tje0", "Tje0", tje0());
        assert_eq!(cache.by_password("tje0", "Tje0"), Some(tje0()));
        assert_eq!(cache.by_password("tje0", "tje0"), None, "another password");
        let expired = VerifiedCache::new(Duration::ZERO, Duration::from_secs(60));
        expired.remember_password(generation, "a", "b", tje0());
        assert_eq!(expired.by_password("a", "b"), None);
    }

    #[test]
    fn rows_read_before_a_seen_change_are_not_kept() {
        let cache = VerifiedCache::new(Duration::from_secs(60), Duration::from_secs(60));
        let before = Generation(0);
        cache.entries.lock().unwrap().drop_all();
        cache.remember_password(before, "tje0", "Tje0", tje0());
        cache.remember_id(before, tje0());
        cache.remember_login(before, "tje0", tje0());
        assert_eq!(cache.by_password("tje0", "Tje0"), None);
        assert_eq!(cache.by_id(1), None);
        assert_eq!(cache.by_login("tje0"), None);
        cache.remember_login(Generation(1), "Tje0", tje0());
        assert_eq!(cache.by_login("TJE0"), Some(tje0()), "found without regard to case");
        cache.remember_id(Generation(1), tje0());
        assert_eq!(cache.by_id(1), Some(tje0()));
    }
}
