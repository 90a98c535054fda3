//! `Authorization: Basic base64(login:password)` against the associates' argon2 hashes, with
//! successful verifications cached until the credentials change (see [`super::cache`]).

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::cache::Known;
use super::{Authenticator, Failure, Principal, password, principal_from, principal_of, unauthorized};
use crate::domain::Scope;
use crate::error::ApiError;

pub(super) async fn authenticate(
    auth: &Authenticator,
    encoded: &str,
    client: Option<IpAddr>,
) -> Result<Principal, Failure> {
    let (login, secret) = decode(encoded)?;
    verify(auth, &login, &secret, client).await
}

/// Checks a password; every failure is the same 401, so a client cannot tell an unknown login
/// from a wrong password. Credentials already in the verified cache pass whatever the failure
/// limits say, without reading the associate row; others are refused with 429 before any
/// hashing when `client` is over them.
pub(super) async fn verify(
    auth: &Authenticator,
    login: &str,
    secret: &str,
    client: Option<IpAddr>,
) -> Result<Principal, Failure> {
    let fail = || Failure {
        error: unauthorized("Unknown login or wrong password"),
        login: Some(login.to_owned()),
        counts: true,
    };
    let cache = &auth.inner.cache;
    let generation = cache.refresh(auth.store()).await;
    if let Some(known) = cache.by_password(login, secret) {
        return Ok(principal_from(known, Scope::ReadWrite));
    }
    auth.check_limit(client, login)?;
    let credentials = auth.store().credentials(login).await.map_err(ApiError::from)?.filter(|c| !c.deleted);
    let Some(credentials) = credentials else {
        // Spend the same effort as a real check so timing does not reveal unknown logins.
        password::verify_dummy(secret.to_owned()).await;
        return Err(fail());
    };
    let stored = credentials.password_hash.clone();
    // A client that waited behind the same login's verification finds it cached.
    let verified =
        password::verify_unless_known(secret.to_owned(), stored, || cache.by_password(login, secret).is_some()).await;
    if !verified {
        return Err(fail());
    }
    cache.remember_password(generation, login, secret, Known::from(&credentials));
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
