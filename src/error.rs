//! The one error type every request path returns; `http::error` renders it into the vendor's
//! error body.

use std::fmt;

/// What went wrong, which decides the status code and the vendor `ErrorType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is not acceptable as sent: a field, header or parameter is wrong (400).
    InvalidArgument,
    /// The body is not well-formed JSON (400).
    MalformedJson,
    /// PUT/POST without an entity in the body (400).
    MissingEntity,
    /// No credentials, or credentials that do not check out (401).
    Unauthorized,
    /// The caller is known but may not do this (403).
    Forbidden,
    /// The addressed entity or route does not exist (404).
    NotFound,
    /// The method is not offered on this route (405).
    MethodNotAllowed,
    /// A conditional header (`If-Match`, `If-Unmodified-Since`) does not hold (412).
    PreconditionFailed,
    /// The body is larger than the configured limit (413).
    PayloadTooLarge,
    /// A JSON Patch `test` operation failed (409).
    Conflict,
    /// The body's media type is not one ticketd reads (415).
    UnsupportedMediaType,
    /// Too many failed sign-in attempts or open streams; retry after this many seconds (429).
    TooManyRequests(u64),
    /// The request took longer than the configured limit (503).
    Timeout,
    /// The database cannot take the request now (restarting, failing over, read-only, or a
    /// commit whose outcome is unknown); retry after this many seconds (503).
    Unavailable(u64),
    /// The database has no room left for the write (507).
    InsufficientStorage,
    /// A method of the vendor's API that ticketd does not offer (501).
    NotImplemented,
    /// The server failed; details are logged, not returned (500).
    Internal,
}

/// An error bound for the client: a kind and a human-readable English message that names the
/// field, header or parameter at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    /// What really failed, for the server log only: `http::error` logs it when it renders the
    /// error and never puts it in the response.
    cause: Option<String>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), cause: None }
    }

    /// A 400 naming what is wrong.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// The vendor's documented 400 for a PUT or POST without an entity.
    pub fn missing_entity() -> Self {
        Self::new(ErrorKind::MissingEntity, "Bad request. Entity to save is not in request body.")
    }

    /// A 404 for a ticket message id.
    pub fn message_not_found(id: i64) -> Self {
        Self::new(ErrorKind::NotFound, format!("TicketMessage id {id} not found"))
    }

    /// A 500 whose cause travels with it to be logged where it is rendered, never shown to the
    /// client. Building one logs nothing: an error that is built and then handled is no event.
    pub fn internal(cause: impl fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(ErrorKind::Internal, "An internal error occurred; see the server log.")
        }
    }

    /// What really failed, when known; for logs only.
    pub fn cause(&self) -> Option<&str> {
        self.cause.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}
