//! Who is calling: the [`Principal`] extractor and the schemes that establish it — Basic,
//! SoTicket, Bearer (JWT or API token), and browser sessions with an XSRF token — plus the
//! partner `SO-AppToken`. All schemes are tried here, in one place.

mod basic;
mod bearer;
pub mod cache;
pub mod issue;
pub mod jwt;
pub mod limiter;
pub mod password;
pub mod secrets;
mod session;
mod ticket;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

pub use session::{SESSION_COOKIE, XSRF_COOKIE, cookie};

use crate::domain::{Access, Scope};
use crate::error::{ApiError, ErrorKind};
use crate::store::{Credentials, SecretKind, Store};

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub associate_id: i32,
    pub login: String,
    pub access: Access,
    /// The partner application named by `SO-AppToken`, if any.
    pub app: Option<String>,
}

impl Principal {
    /// A 403 unless the caller may write.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.access.can_write() {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorKind::Forbidden,
                format!("'{}' may read ticket messages but not change them", self.login),
            ))
        }
    }
}

/// How authentication behaves; built from the command line.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub jwt: jwt::JwtSettings,
    /// Refuse SoTicket callers that send no valid `SO-AppToken`, as the vendor's Online service does.
    pub require_app_token: bool,
    /// How long a successful Basic verification is remembered.
    pub basic_cache_ttl: Duration,
    /// How often the store's credentials version is read; a password change, disable or role
    /// change made by any writer is seen within this time (see [`cache`]).
    pub credentials_check_interval: Duration,
    /// Failed sign-ins in one window past which a client is refused further tries at a login it
    /// got wrong (see [`limiter`]).
    pub failure_limit: u32,
    pub failure_window: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt: jwt::JwtSettings { associate_claim: "sub".into(), ..Default::default() },
            require_app_token: false,
            basic_cache_ttl: Duration::from_secs(300),
            credentials_check_interval: Duration::from_millis(500),
            failure_limit: 10,
            failure_window: Duration::from_secs(60),
        }
    }
}

struct Inner {
    store: Arc<dyn Store>,
    cache: cache::VerifiedCache,
    jwt: Option<jwt::JwtVerifier>,
    require_app_token: bool,
    limiter: limiter::FailureLimiter,
}

/// Checks credentials against the store.
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<Inner>,
}

/// Why authentication failed, and whether the attempt counts towards the failure limit.
struct Failure {
    error: ApiError,
    login: Option<String>,
    counts: bool,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        let counts = error.kind == ErrorKind::Unauthorized;
        Self { error, login: None, counts }
    }
}

impl Authenticator {
    pub fn new(store: Arc<dyn Store>, settings: &AuthSettings) -> Result<Self, String> {
        let inner = Inner {
            store,
            cache: cache::VerifiedCache::new(settings.basic_cache_ttl, settings.credentials_check_interval),
            jwt: jwt::JwtVerifier::from_settings(&settings.jwt)?,
            require_app_token: settings.require_app_token,
            limiter: limiter::FailureLimiter::new(settings.failure_limit, settings.failure_window),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// Authenticates a request from its headers; `client` is the caller's address, for the
    /// failure limits (only password attempts are ever refused by them, see [`limiter`]).
    pub async fn authenticate(&self, headers: &HeaderMap, client: Option<IpAddr>) -> Result<Principal, ApiError> {
        let app = self.partner_app(headers).await?;
        let attempt = match headers.get(AUTHORIZATION) {
            Some(value) => self.by_authorization(value.as_bytes(), app.is_some(), client).await,
            // Presenting nothing at all is not a failed attempt.
            None if session::cookie(headers, SESSION_COOKIE).is_none() => {
                return Err(unauthorized("No Authorization header was sent"));
            }
            None => session::authenticate(self, headers).await.map_err(Failure::from),
        };
        match attempt {
            Ok(mut principal) => {
                principal.app = app;
                Ok(principal)
            }
            Err(failure) => Err(self.failed(failure, client)),
        }
    }

    /// Verifies a login and password (Basic, and the session login form).
    pub async fn verify_password(
        &self,
        login: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<Principal, ApiError> {
        basic::verify(self, login, password, client).await.map_err(|failure| self.failed(failure, client))
    }

    /// Forgets every cached verification: the caller read an associate's stored row and found
    /// it disabled or in another role than authentication answered, so the cache is behind.
    pub fn forget_verified(&self) {
        self.inner.cache.forget();
    }

    /// Counts a failed attempt that counts, and gives its error.
    fn failed(&self, failure: Failure, client: Option<IpAddr>) -> ApiError {
        if failure.counts {
            self.inner.limiter.record_failure(client, failure.login.as_deref());
        }
        failure.error
    }

    /// A 429 when `client` may not have another unverified password for `login` checked now.
    fn check_limit(&self, client: Option<IpAddr>, login: &str) -> Result<(), ApiError> {
        match self.inner.limiter.blocked_for(client, login) {
            Some(seconds) => Err(ApiError::new(
                ErrorKind::TooManyRequests(seconds),
                format!("Too many failed sign-in attempts; try again in {seconds} s"),
            )),
            None => Ok(()),
        }
    }

    async fn by_authorization(&self, raw: &[u8], has_app: bool, client: Option<IpAddr>) -> Result<Principal, Failure> {
        let text = std::str::from_utf8(raw).map_err(|_| unauthorized("The Authorization header is not valid UTF-8"))?;
        let text = text.trim();
        let (scheme, credentials) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("Basic") {
            basic::authenticate(self, credentials, client).await
        } else if scheme.eq_ignore_ascii_case("SoTicket") {
            if self.inner.require_app_token && !has_app {
                return Err(unauthorized("SoTicket callers must also send a valid SO-AppToken header").into());
            }
            ticket::authenticate(self, credentials).await.map_err(Failure::from)
        } else if scheme.eq_ignore_ascii_case("Bearer") {
            bearer::authenticate(self, credentials).await.map_err(Failure::from)
        } else {
            Err(unauthorized(&format!(
                "The Authorization scheme '{}' is not supported; use Basic, SoTicket or Bearer",
                scheme.escape_debug()
            ))
            .into())
        }
    }

    /// The application `SO-AppToken` names; an unknown token is a 401.
    async fn partner_app(&self, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
        let Some(value) = headers.get("so-apptoken") else { return Ok(None) };
        let token = value.to_str().map_err(|_| unauthorized("The SO-AppToken header is not valid text"))?.trim();
        let found = self.store().find_secret(SecretKind::App, &secrets::digest(token)).await?;
        match found.filter(|app| !app.revoked) {
            Some(app) => {
                tracing::Span::current().record("app", app.name.as_str());
                Ok(Some(app.name))
            }
            None => Err(unauthorized("The SO-AppToken header names no registered application")),
        }
    }

    /// The principal for a stored secret's associate, refusing disabled associates.
    /// Served from the verified cache while no credentials changed.
    async fn principal_for(&self, associate_id: i32, scope: Scope) -> Result<Principal, ApiError> {
        let cache = &self.inner.cache;
        let generation = cache.refresh(self.store()).await;
        if let Some(known) = cache.by_id(associate_id) {
            return Ok(principal_from(known, scope));
        }
        let credentials = self.store().credentials_by_id(associate_id).await?.filter(|c| !c.deleted);
        if let Some(c) = &credentials {
            cache.remember_id(generation, cache::Known::from(c));
        }
        principal_of(credentials, scope)
    }
}

/// A principal from stored credentials; `None` or disabled is a 401.
fn principal_of(credentials: Option<Credentials>, scope: Scope) -> Result<Principal, ApiError> {
    match credentials.filter(|c| !c.deleted) {
        Some(c) => Ok(Principal {
            associate_id: c.associate_id,
            login: c.login,
            access: Access { role: c.role, scope },
            app: None,
        }),
        None => Err(unauthorized("The credentials are not valid")),
    }
}

/// A principal from cached credentials.
fn principal_from(known: cache::Known, scope: Scope) -> Principal {
    Principal {
        associate_id: known.associate_id,
        login: known.login,
        access: Access { role: known.role, scope },
        app: None,
    }
}

/// Whether a stored secret may still be used.
fn is_live(secret: &crate::store::StoredSecret) -> bool {
    !secret.revoked && secret.expires_at.is_none_or(|at| at > chrono::Utc::now().naive_utc())
}

/// A 401 that says what was wrong with the credentials (never whether a login exists).
pub(crate) fn unauthorized(why: &str) -> ApiError {
    ApiError::new(ErrorKind::Unauthorized, why)
}

/// The caller's address, when the server knows it: the socket peer, or the client a trusted
/// reverse proxy forwarded for (the HTTP layer resolves it once per request and stores it in
/// the request's extensions).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    fn of(parts: &Parts) -> Self {
        match parts.extensions.get::<ClientAddr>() {
            Some(resolved) => *resolved,
            None => Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())),
        }
    }
}

impl<S> FromRequestParts<S> for Principal
where
    S: Send + Sync,
    Authenticator: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let authenticator = Authenticator::from_ref(state);
        let ClientAddr(client) = ClientAddr::of(parts);
        let principal = authenticator.authenticate(&parts.headers, client).await?;
        tracing::Span::current().record("associate", principal.associate_id);
        crate::store::acting::note_associate(principal.associate_id);
        Ok(principal)
    }
}
