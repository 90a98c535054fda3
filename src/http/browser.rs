//! Which requests come from a browser session, so their 401s leave out the `Basic` challenge:
//! a browser answers that challenge with its own sign-in dialog (a hang, headless) instead of
//! handing the 401 to the page's script.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::{SESSION_COOKIE, cookie};

tokio::task_local! {
    static FROM_BROWSER: bool;
}

/// A request carrying the session cookie, an `X-XSRF-TOKEN` header or
/// `X-Requested-With: XMLHttpRequest` was sent by a page's script, not by an API client.
pub fn is_browser_request(headers: &HeaderMap) -> bool {
    cookie(headers, SESSION_COOKIE).is_some()
        || headers.contains_key("x-xsrf-token")
        || headers
            .get_all("x-requested-with")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.trim().eq_ignore_ascii_case("XMLHttpRequest"))
}

/// Notes for the rest of the request whether it came from a browser, for the 401 rendering.
pub async fn mark_browser_requests(request: Request, next: Next) -> Response {
    let from_browser = is_browser_request(request.headers());
    FROM_BROWSER.scope(from_browser, next.run(request)).await
}

/// Whether the current request came from a browser session (false outside a request).
pub fn from_browser() -> bool {
    FROM_BROWSER.try_with(|b| *b).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn session_cookie_xsrf_header_or_xhr_marker_make_a_browser_request() {
        let browser = [
            headers(&[("cookie", "a=b; ticketd_session=s1")]),
            headers(&[("x-xsrf-token", "stale")]),
            headers(&[("x-requested-with", "XMLHttpRequest")]),
            headers(&[("x-requested-with", " xmlhttprequest ")]),
        ];
        for case in &browser {
            assert!(is_browser_request(case), "{case:?}");
        }
        let api = [
            headers(&[]),
            headers(&[("authorization", "Basic dGplMDp3cm9uZw==")]),
            headers(&[("cookie", "theme=dark; other_session=s")]),
            headers(&[("x-requested-with", "com.example.app")]),
        ];
        for case in &api {
            assert!(!is_browser_request(case), "{case:?}");
        }
    }
}
