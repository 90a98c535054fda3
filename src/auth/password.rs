//! Password hashing with argon2id (PHC strings), run off the async worker threads because a
//! hash costs tens of milliseconds by design.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes a password into a PHC string with a fresh random salt.
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| format!("could not hash the password: {err}"))
}

/// Verifications run since start.
static VERIFIED: AtomicU64 = AtomicU64::new(0);

/// How many argon2 verifications have run since start (cache hits excluded).
pub fn verifications() -> u64 {
    VERIFIED.load(Ordering::Relaxed)
}

/// Each verification holds about 19 MiB and a core for tens of milliseconds, so only as many
/// run at once as there are cores: 32 clients signing in together would otherwise take over
/// half a gigabyte, and no verification finishes sooner for sharing a core.
fn verifying() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get())))
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
pub async fn verify(password: String, stored: String) -> bool {
    verify_unless_known(password, stored, || false).await
}

/// Like [`verify`], but once its turn comes, `known` is asked first: a client that waited
/// behind the same login's verification finds its result cached and is not hashed again.
pub async fn verify_unless_known(password: String, stored: String, known: impl FnOnce() -> bool) -> bool {
    let Ok(_turn) = verifying().acquire().await else { return false };
    if known() {
        return true;
    }
    VERIFIED.fetch_add(1, Ordering::Relaxed);
    tokio::task::spawn_blocking(move || verify_now(&password, &stored)).await.unwrap_or(false)
}

/// Burns one verification's worth of time for a login that does not exist.
pub async fn verify_dummy(password: String) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("ticketd-dummy-password").unwrap_or_default()).clone();
    let _ = verify(password, stored).await;
}

fn verify_now(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let stored = hash("Tje0").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("Tje0".into(), stored.clone()).await);
        assert!(!verify("tje0".into(), stored).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }
}
