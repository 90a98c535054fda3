//! Password hashing with argon2id (PHC strings), run off the async worker threads because a
//! hash costs tens of milliseconds by design.

use std::sync::OnceLock;

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

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
pub async fn verify(password: String, stored: String) -> bool {
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
