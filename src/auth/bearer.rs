//! `Authorization: Bearer …`: a JWT (three dot-separated parts) checked by [`super::jwt`], or an
//! opaque API token issued by `ticketd token issue`, stored only as a hash.

use super::{Authenticator, Principal, cache, is_live, principal_from, principal_of, secrets, unauthorized};
use crate::domain::Scope;
use crate::error::ApiError;
use crate::store::SecretKind;

/// The prefix of opaque API tokens.
pub const TOKEN_PREFIX: &str = "8A:";

pub(super) async fn authenticate(auth: &Authenticator, token: &str) -> Result<Principal, ApiError> {
    if token.is_empty() {
        return Err(unauthorized("The Bearer header carries no token"));
    }
    if token.split('.').count() == 3 {
        let verifier =
            auth.inner.jwt.as_ref().ok_or_else(|| unauthorized("JWT bearer tokens are not accepted by this server"))?;
        let login =
            verifier.login_of(token).map_err(|why| unauthorized(&format!("The bearer token is not valid: {why}")))?;
        return principal_by_login(auth, &login).await;
    }
    let stored = auth.store().find_secret(SecretKind::ApiToken, &secrets::digest(token)).await?;
    match stored.filter(is_live) {
        Some(secret) => auth.principal_for(secret.associate_id.unwrap_or(0), secret.scope).await,
        None => Err(unauthorized("The bearer token is unknown, expired or revoked")),
    }
}

/// The principal of a verified JWT's login, served from the verified-credentials cache while no
/// credentials changed, so a client sending its token on every request reads its associate row
/// once.
async fn principal_by_login(auth: &Authenticator, login: &str) -> Result<Principal, ApiError> {
    let cache = &auth.inner.cache;
    let generation = cache.refresh(auth.store()).await;
    if let Some(known) = cache.by_login(login) {
        return Ok(principal_from(known, Scope::ReadWrite));
    }
    let credentials = auth.store().credentials(login).await?.filter(|c| !c.deleted);
    if let Some(c) = &credentials {
        cache.remember_login(generation, login, cache::Known::from(c));
    }
    principal_of(credentials, Scope::ReadWrite)
}
