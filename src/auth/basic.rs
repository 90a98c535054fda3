//! `Authorization: Basic base64(login:password)` against the associates' argon2 hashes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Principal, password, unauthorized};
use crate::error::ApiError;
use crate::store::Store;

/// Decodes the credentials and checks the password; every failure is the same 401 to the
/// client, so it cannot tell an unknown login from a wrong password.
pub async fn authenticate(store: &dyn Store, encoded: &str) -> Result<Principal, ApiError> {
    let (login, secret) = decode(encoded)?;
    let credentials = store.credentials(&login).await?;
    let Some(credentials) = credentials.filter(|c| !c.deleted) else {
        // Spend the same effort as a real check so timing does not reveal unknown logins.
        password::verify_dummy(secret).await;
        return Err(unauthorized("Unknown login or wrong password"));
    };
    if password::verify(secret, credentials.password_hash).await {
        Ok(Principal {
            associate_id: credentials.associate_id,
            login: credentials.login,
        })
    } else {
        Err(unauthorized("Unknown login or wrong password"))
    }
}

/// Splits `base64(login:password)` on the first colon.
fn decode(encoded: &str) -> Result<(String, String), ApiError> {
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|_| unauthorized("The Basic credentials are not valid base64"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| unauthorized("The Basic credentials are not valid UTF-8"))?;
    let (login, secret) = text.split_once(':').ok_or_else(|| {
        unauthorized("The Basic credentials have no ':' between login and password")
    })?;
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
        assert_eq!(
            decode("dGplMDpUamUw").unwrap(),
            ("tje0".into(), "Tje0".into())
        );
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
