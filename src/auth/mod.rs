//! Who is calling: the [`Principal`] extractor and the schemes that establish it.
//!
//! Every protected handler takes a `Principal`; the schemes are tried here, in one place, so a
//! new scheme slots in without touching handlers.

mod basic;
pub mod password;

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::{ApiError, ErrorKind};
use crate::store::Store;

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub associate_id: i32,
    pub login: String,
}

/// Checks credentials against the store.
#[derive(Clone)]
pub struct Authenticator {
    store: Arc<dyn Store>,
}

impl Authenticator {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Authenticates the `Authorization` header's value.
    pub async fn authenticate(&self, authorization: Option<&[u8]>) -> Result<Principal, ApiError> {
        let Some(raw) = authorization else {
            return Err(unauthorized("No Authorization header was sent"));
        };
        let text = std::str::from_utf8(raw)
            .map_err(|_| unauthorized("The Authorization header is not valid UTF-8"))?;
        let (scheme, credentials) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
        if scheme.eq_ignore_ascii_case("Basic") {
            basic::authenticate(self.store.as_ref(), credentials.trim()).await
        } else {
            Err(unauthorized(&format!(
                "The Authorization scheme '{}' is not supported; use Basic",
                scheme.escape_debug()
            )))
        }
    }
}

/// A 401 that says what was wrong with the credentials.
pub(crate) fn unauthorized(why: &str) -> ApiError {
    ApiError::new(ErrorKind::Unauthorized, why)
}

impl<S> FromRequestParts<S> for Principal
where
    S: Send + Sync,
    Authenticator: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let authenticator = Authenticator::from_ref(state);
        let header = parts.headers.get(AUTHORIZATION).map(|v| v.as_bytes());
        let principal = authenticator.authenticate(header).await?;
        tracing::Span::current().record("associate", principal.associate_id);
        Ok(principal)
    }
}
