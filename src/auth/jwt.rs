//! Bearer JWTs validated against configured keys: an HS256 secret, an RS256/ES256 public key
//! (PEM), or a JWKS file. The algorithm is pinned by the key, never taken from the token, and
//! `exp`, `nbf`, `iss` and `aud` are checked; a configured issuer or audience must be present
//! in the token, not merely correct when present.

use jsonwebtoken::jwk::{JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

/// The shortest HS256 secret accepted: as many bytes as the SHA-256 output (RFC 7518 §3.2).
pub const MIN_HS256_SECRET_BYTES: usize = 32;

/// How JWTs are checked; built once from the command line.
#[derive(Clone, Default)]
pub struct JwtSettings {
    pub hs256_secret: Option<String>,
    /// Path of a PEM file with an RSA or EC (P-256) public key.
    pub public_key: Option<String>,
    /// Path of a JWKS file.
    pub jwks: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// The claim that holds the associate's login.
    pub associate_claim: String,
}

impl std::fmt::Debug for JwtSettings {
    /// Leaves out the HS256 secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSettings")
            .field("hs256_secret", &self.hs256_secret.as_ref().map(|_| "<redacted>"))
            .field("public_key", &self.public_key)
            .field("jwks", &self.jwks)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("associate_claim", &self.associate_claim)
            .finish()
    }
}

struct Key {
    id: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

/// Verifies JWTs with the configured keys.
pub struct JwtVerifier {
    keys: Vec<Key>,
    issuer: Option<String>,
    audience: Option<String>,
    claim: String,
}

impl JwtVerifier {
    /// The verifier for `settings`, or `None` when no key is configured.
    pub fn from_settings(settings: &JwtSettings) -> Result<Option<Self>, String> {
        let mut keys = Vec::new();
        if let Some(secret) = settings.hs256_secret.as_deref().filter(|s| !s.is_empty()) {
            if secret.len() < MIN_HS256_SECRET_BYTES {
                return Err(format!(
                    "--jwt-hs256-secret (TICKETD_JWT_HS256_SECRET) is {} bytes; it must be at least \
                     {MIN_HS256_SECRET_BYTES} bytes (e.g. `openssl rand -base64 48`)",
                    secret.len()
                ));
            }
            let key = DecodingKey::from_secret(secret.as_bytes()).map_err(|e| format!("JWT secret: {e}"))?;
            keys.push(Key { id: None, algorithm: Algorithm::HS256, key });
        }
        if let Some(path) = &settings.public_key {
            let pem = std::fs::read(path).map_err(|e| format!("cannot read the JWT public key {path}: {e}"))?;
            keys.push(key_from_pem(&pem).map_err(|e| format!("JWT public key {path}: {e}"))?);
        }
        if let Some(path) = &settings.jwks {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the JWKS file {path}: {e}"))?;
            keys.extend(keys_from_jwks(&text).map_err(|e| format!("JWKS file {path}: {e}"))?);
        }
        if keys.is_empty() {
            return Ok(None);
        }
        let claim =
            if settings.associate_claim.is_empty() { "sub".to_owned() } else { settings.associate_claim.clone() };
        Ok(Some(Self { keys, issuer: settings.issuer.clone(), audience: settings.audience.clone(), claim }))
    }

    /// The associate login a valid token names, or why it is not valid.
    pub fn login_of(&self, token: &str) -> Result<String, String> {
        let header = decode_header(token).map_err(|e| format!("malformed JWT: {e}"))?;
        let candidates = self
            .keys
            .iter()
            .filter(|k| k.algorithm == header.alg)
            .filter(|k| header.kid.is_none() || k.id.is_none() || k.id == header.kid);
        let mut last_error = format!("no configured key accepts a {:?} token", header.alg);
        for candidate in candidates {
            match decode::<Value>(token, &candidate.key, &self.validation(candidate.algorithm)) {
                Ok(data) => {
                    return data
                        .claims
                        .get(&self.claim)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| format!("the JWT has no string claim '{}'", self.claim));
                }
                Err(err) => last_error = format!("JWT rejected: {err}"),
            }
        }
        Err(last_error)
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.validate_nbf = true;
        validation.leeway = 30;
        // jsonwebtoken checks `iss` and `aud` only when the token carries them; a configured
        // value must also be present, or a token from the same key without them would pass.
        let mut required = vec!["exp"];
        match &self.issuer {
            Some(issuer) => {
                validation.set_issuer(&[issuer]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }
}

fn key_from_pem(pem: &[u8]) -> Result<Key, String> {
    if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
        return Ok(Key { id: None, algorithm: Algorithm::RS256, key });
    }
    DecodingKey::from_ec_pem(pem)
        .map(|key| Key { id: None, algorithm: Algorithm::ES256, key })
        .map_err(|e| format!("neither an RSA nor an EC public key: {e}"))
}

fn keys_from_jwks(text: &str) -> Result<Vec<Key>, String> {
    let set: JwkSet = serde_json::from_str(text).map_err(|e| e.to_string())?;
    set.keys
        .iter()
        .map(|jwk| {
            let algorithm = match jwk.common.key_algorithm {
                Some(KeyAlgorithm::RS256) => Algorithm::RS256,
                Some(KeyAlgorithm::ES256) => Algorithm::ES256,
                Some(KeyAlgorithm::HS256) => Algorithm::HS256,
                other => {
                    return Err(format!(
                        "key {:?}: algorithm {other:?} is not supported (use RS256, ES256 or HS256)",
                        jwk.common.key_id
                    ));
                }
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
            Ok(Key { id: jwk.common.key_id.clone(), algorithm, key })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(secret: &str) -> JwtSettings {
        JwtSettings { hs256_secret: Some(secret.into()), associate_claim: "sub".into(), ..Default::default() }
    }

    #[test]
    fn short_hs256_secrets_are_refused_naming_the_option() {
        let Err(err) = JwtVerifier::from_settings(&settings("too-short-a-secret")) else { panic!("accepted") };
        assert!(err.contains("--jwt-hs256-secret") && err.contains("TICKETD_JWT_HS256_SECRET"), "{err}");
        assert!(err.contains("32"), "{err}");
        assert!(JwtVerifier::from_settings(&settings(&"x".repeat(32))).is_ok_and(|v| v.is_some()));
    }

    #[test]
    fn debug_output_leaves_out_the_secret() {
        let secret = "a-very-secret-value-that-must-not-leak";
        let jwt = settings(secret);
        let auth = crate::auth::AuthSettings { jwt: jwt.clone(), ..Default::default() };
        for text in [format!("{jwt:?}"), format!("{auth:?}"), format!("{auth:#?}")] {
            assert!(!text.contains(secret), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
    }
}
