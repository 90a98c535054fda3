//! The `--metrics-token` secret: compared in constant time and never printed.

use std::str::FromStr;

use crate::auth::secrets;

/// The bearer token `/metrics` requires when one is configured.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// Whether an `Authorization` header value is `Bearer` with this token. Digests are
    /// compared, so neither where the texts differ nor the token's length shows in the time.
    pub fn admits(&self, authorization: &[u8]) -> bool {
        let Ok(text) = std::str::from_utf8(authorization) else { return false };
        let text = text.trim();
        let (scheme, sent) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        scheme.eq_ignore_ascii_case("Bearer") && secrets::same(&secrets::digest(sent.trim()), &secrets::digest(&self.0))
    }
}

impl FromStr for MetricsToken {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let token = text.trim();
        if token.is_empty() {
            return Err("the metrics token must not be empty".into());
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("the metrics token must not contain spaces or control characters".into());
        }
        Ok(Self(token.to_owned()))
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_with_the_same_token_is_admitted() {
        let token: MetricsToken = "s3cret-token".parse().expect("a token");
        assert!(token.admits(b"Bearer s3cret-token"));
        assert!(token.admits(b"bearer  s3cret-token "));
        for refused in [
            &b"Bearer s3cret-tokeN"[..],
            b"Bearer s3cret",
            b"Bearer",
            b"Basic s3cret-token",
            b"s3cret-token",
            b"Bearer \xff",
        ] {
            assert!(!token.admits(refused), "{}", String::from_utf8_lossy(refused));
        }
    }

    #[test]
    fn the_token_is_never_printed_and_never_empty() {
        let token: MetricsToken = "s3cret-token".parse().expect("a token");
        assert!(!format!("{token:?}").contains("s3cret"));
        assert!("".parse::<MetricsToken>().is_err());
        assert!("  ".parse::<MetricsToken>().is_err());
        assert!("two words".parse::<MetricsToken>().is_err());
    }
}
