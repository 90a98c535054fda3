//! `Authorization: Basic base64(login:password)` against the associates' argon2 hashes, with
//! successful verifications cached (see [`super::cache`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Authenticator, Failure, Principal, password, principal_of, unauthorized};
use crate::domain::Scope;
use crate::error::ApiError;

pub(super) async fn authenticate(auth: &Authenticator, encoded: &str) -> Result<Principal, Failure> {
    let (login, secret) = decode(encoded)?;
    verify(auth, &login, &secret).await
}

/// Checks a password; every failure is the same 401, so a client cannot tell an unknown login
/// from a wrong password.
pub(super) async fn verify(auth: &Authenticator, login: &str, secret: &str) -> Result<Principal, Failure> {
    let fail = || Failure {
        error: unauthorized("Unknown login or wrong password"),
        login: Some(login.to_owned()),
        counts: true,
    };
    auth.check_limit(Some(&format!("login:{}", login.to_lowercase())))?;
    let credentials = auth.store().credentials(login).await.map_err(ApiError::from)?;
    let Some(credentials) = credentials.filter(|c| !c.deleted) else {
        // Spend the same effort as a real check so timing does not reveal unknown logins.
        password::verify_dummy(secret.to_owned()).await;
        return Err(fail());
    };
    let cache = &auth.inner.cache;
    let stored = &credentials.password_hash;
    let verified = cache.hit(login, secret, stored)
        || password::verify_unless_known(secret.to_owned(), stored.clone(), || cache.hit(login, secret, stored)).await;
    if !verified {
        return Err(fail());
    }
    cache.remember(login, secret, &credentials.password_hash);
    Ok(principal_of(Some(credentials), Scope::ReadWrite)?)
}

/// Splits `base64(login:password)` on the first colon.
fn decode(encoded: &str) -> Result<(String, String), ApiError> {
    let bytes = STANDARD.decode(encoded).map_err(|_| unauthorized("The Basic credentials are not valid base64"))?;
    let text = String::from_utf8(bytes).map_err(|_| unauthorized("The Basic credentials are not valid UTF-8"))?;
    let (login, secret) = text
        .split_once(':')
        .ok_or_else(|| unauthorized("The Basic credentials have no ':' between login and password"))?;
    if login.is_empty() {
        return Err(unauthorized("The Basic credentials have an empty login"));
    }
    Ok((login.to_owned(), secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn splits_on_the_first_colon_only() {
        assert_eq!(decode("dGplMDpUamUw").unwrap(), ("tje0".into(), "Tje0".into()));
        // "a:b:c" → login "a", password "b:c"
        assert_eq!(decode("YTpiOmM=").unwrap(), ("a".into(), "b:c".into()));
    }

    #[test]
    fn malformed_credentials_are_refused() {
        for bad in ["", "!!!", "bm9jb2xvbg==", "OnBhc3M="] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
