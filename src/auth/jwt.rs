//! Bearer JWTs validated against configured keys: an HS256 secret, an RS256/ES256 public key
//! (PEM), or a JWKS file. The algorithm is pinned by the key, never taken from the token, and
//! `exp`, `nbf`, `iss` and `aud` are checked.

use jsonwebtoken::jwk::{JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

/// How JWTs are checked; built once from the command line.
#[derive(Debug, Clone, Default)]
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
        match &self.issuer {
            Some(issuer) => validation.set_issuer(&[issuer]),
            None => validation.iss = None,
        }
        match &self.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
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
