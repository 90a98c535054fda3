//! Renders [`ApiError`] into the vendor's error body, once, for every request path.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{ApiError, ErrorKind};
use crate::negotiate::accept::error_format;
use crate::negotiate::response::encode;

/// The `WWW-Authenticate` challenges of every 401: the vendor's own first, then the other
/// schemes ticketd accepts.
pub const CHALLENGES: [&str; 3] = [
    "Basic realm=\"SuperOffice Username or Ticket\"",
    "SOTicket realm=\"SuperOffice\"",
    "Bearer realm=\"SuperOffice\"",
];

/// The vendor's documented 401 body is a short HTML help text; ticketd adds why this request
/// was refused before the closing tags.
const UNAUTHORIZED_HTML: &str = "<!DOCTYPE html><html><head><title>401 Unauthorized</title></head><body>\
<h1>Unauthorized</h1><p>This API needs credentials in the Authorization header:</p><ul>\
<li><code>Authorization: Basic base64(username:password)</code></li>\
<li><code>Authorization: SOTICKET 7T:ticket</code> (the ticket as it is, not encoded)</li>\
<li><code>Authorization: BEARER access-token</code></li></ul>";

/// The vendor's error body: always these four properties, in this order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody<'a> {
    error: bool,
    error_type: &'static str,
    error_message: &'a str,
    error_source: &'static str,
}

fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::InvalidArgument | ErrorKind::MalformedJson | ErrorKind::MissingEntity => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Timeout | ErrorKind::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::NotImplemented => StatusCode::NOT_IMPLEMENTED,
    }
}

/// The exception-like class name the vendor puts in `ErrorType`.
fn error_type_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidArgument | ErrorKind::MissingEntity => "ArgumentException",
        ErrorKind::MalformedJson => "JsonReaderException",
        ErrorKind::Unauthorized => "SoAuthenticationException",
        ErrorKind::Forbidden => "SoAccessDeniedException",
        ErrorKind::NotFound => "SoNotFoundException",
        ErrorKind::Conflict => "JsonPatchTestFailedException",
        ErrorKind::PreconditionFailed => "PreconditionFailedException",
        ErrorKind::MethodNotAllowed => "HttpMethodNotAllowedException",
        ErrorKind::PayloadTooLarge => "RequestEntityTooLargeException",
        ErrorKind::UnsupportedMediaType => "UnsupportedMediaTypeException",
        ErrorKind::TooManyRequests(_) => "TooManyRequestsException",
        ErrorKind::Timeout => "TimeoutException",
        ErrorKind::Unavailable(_) => "ServiceUnavailableException",
        ErrorKind::InsufficientStorage => "InsufficientStorageException",
        ErrorKind::Internal => "Exception",
        ErrorKind::NotImplemented => "NotImplementedException",
    }
}

fn error_source_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotFound | ErrorKind::Forbidden | ErrorKind::Internal => "SuperOffice.Services.Implementation",
        ErrorKind::Unauthorized => "SuperOffice.WebApi.Authentication",
        _ => "SuperOffice.WebApi",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.kind == ErrorKind::Unauthorized {
            return unauthorized_response(&self.message);
        }
        vendor_body(&self)
    }
}

/// The vendor's error body for `error`, even a 401 (which the API answers with the vendor's
/// HTML help instead); endpoints outside the API, such as `/metrics`, use it directly.
pub(crate) fn vendor_body(error: &ApiError) -> Response {
    // Logged here, once per 500 answered, with the cause the response leaves out.
    if error.kind == ErrorKind::Internal {
        tracing::error!(cause = error.cause().unwrap_or("unknown"), "internal error");
    }
    let body = ErrorBody {
        error: true,
        error_type: error_type_of(error.kind),
        error_message: &error.message,
        error_source: error_source_of(error.kind),
    };
    // The request's negotiated format, so an XML client gets an XML `ErrorInfo`.
    let format = error_format();
    let bytes = encode(format, "ErrorInfo", &body).unwrap_or_default();
    let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()))];
    let mut response = (status_of(error.kind), content_type, bytes).into_response();
    if let ErrorKind::TooManyRequests(seconds) | ErrorKind::Unavailable(seconds) = error.kind {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn unauthorized_response(why: &str) -> Response {
    tracing::debug!(why, "unauthenticated request");
    let reason: String = why
        .chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            other => other.to_string(),
        })
        .collect();
    let page = format!("{UNAUTHORIZED_HTML}<p>This request was refused: {reason}.</p></body></html>");
    let mut response = (StatusCode::UNAUTHORIZED, page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // A browser session's page handles the 401 itself; a `Basic` challenge would make the
    // browser open its own sign-in dialog over it.
    let from_browser = super::browser::from_browser();
    for challenge in CHALLENGES.into_iter().filter(|c| !(from_browser && c.starts_with("Basic "))) {
        headers.append(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    }
    response
}

/// Any path no route serves.
pub async fn no_route() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "No resource matches the request path")
}

/// A known path asked with a method it does not offer.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorKind::MethodNotAllowed, "The HTTP method is not supported on this resource")
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Collects what the subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
        }
    }

    #[tokio::test]
    async fn a_500_is_logged_once_with_its_cause_when_rendered_and_the_cause_stays_out_of_the_body() {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let error = ApiError::internal("the disk is on fire");
        assert_eq!(log.text(), "", "building the error logs nothing");
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let logged = log.text();
        assert_eq!(logged.matches("internal error").count(), 1, "{logged}");
        assert!(logged.contains("the disk is on fire"), "{logged}");

        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("disk"), "{body}");
        assert!(body.contains("An internal error occurred"), "{body}");
    }
}
