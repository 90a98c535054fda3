//! Who is calling, in which format they want the answer and in which locale: the three things
//! nearly every handler needs, read as one extractor in that order (so a missing login is a 401
//! before anything else is looked at).

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::auth::{Authenticator, Principal};
use crate::error::ApiError;
use crate::locale::{BaseZone, Locale};
use crate::negotiate::ResponseFormat;

/// The caller, the answer's format and the request's locale.
pub struct RequestContext {
    pub caller: Principal,
    pub format: ResponseFormat,
    pub locale: Locale,
}

impl<S> FromRequestParts<S> for RequestContext
where
    S: Send + Sync,
    Authenticator: FromRef<S>,
    BaseZone: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Principal::from_request_parts(parts, state).await?;
        let Ok(format) = ResponseFormat::from_request_parts(parts, state).await;
        let Ok(locale) = Locale::from_request_parts(parts, state).await;
        Ok(Self { caller, format, locale })
    }
}
