//! Conditional requests: a strong `ETag` from the stored row version and `Last-Modified` from the
//! last save on every single-message response; `If-Match` / `If-Unmodified-Since` on writes
//! (412 when stale, checked before any change) and `If-None-Match` / `If-Modified-Since` on GET
//! (304 when unchanged). An unparsable date is treated as absent.

use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{DateTime, NaiveDateTime, Timelike};

use crate::domain::TicketMessage;
use crate::error::{ApiError, ErrorKind};

/// The entity tag of a stored message's current version.
pub fn etag(message: &TicketMessage) -> String {
    format!("\"{}-{}\"", message.id, message.version)
}

/// `ETag` and `Last-Modified` for a message response.
pub fn annotate(headers: &mut HeaderMap, message: &TicketMessage) {
    if let Ok(value) = HeaderValue::from_str(&etag(message)) {
        headers.insert(header::ETAG, value);
    }
    let modified = message.updated_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(value) = HeaderValue::from_str(&modified) {
        headers.insert(header::LAST_MODIFIED, value);
    }
}

/// The conditional headers of a request.
#[derive(Debug, Default)]
pub struct Preconditions {
    if_match: Option<Vec<String>>,
    if_none_match: Option<Vec<String>>,
    if_unmodified_since: Option<NaiveDateTime>,
    if_modified_since: Option<NaiveDateTime>,
}

fn tags(headers: &HeaderMap, name: header::HeaderName) -> Option<Vec<String>> {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    (!values.is_empty()).then_some(values)
}

fn http_date(headers: &HeaderMap, name: header::HeaderName) -> Option<NaiveDateTime> {
    let text = headers.get(name)?.to_str().ok()?;
    DateTime::parse_from_rfc2822(text.trim()).ok().map(|d| d.naive_utc())
}

/// HTTP dates have whole seconds.
fn whole_seconds(at: &NaiveDateTime) -> NaiveDateTime {
    at.with_nanosecond(0).unwrap_or(*at)
}

impl Preconditions {
    pub fn of(headers: &HeaderMap) -> Self {
        Self {
            if_match: tags(headers, header::IF_MATCH),
            if_none_match: tags(headers, header::IF_NONE_MATCH),
            if_unmodified_since: http_date(headers, header::IF_UNMODIFIED_SINCE),
            if_modified_since: http_date(headers, header::IF_MODIFIED_SINCE),
        }
    }

    /// Whether a write must look at the stored message first.
    pub fn guard_writes(&self) -> bool {
        self.if_match.is_some() || self.if_unmodified_since.is_some()
    }

    /// 412 unless the write's conditions hold for `stored`; returns the version the write must
    /// still find when it saves (so a change in between is caught too).
    pub fn check_write(&self, stored: &TicketMessage) -> Result<Option<i64>, ApiError> {
        let stale = |what: &str| {
            ApiError::new(
                ErrorKind::PreconditionFailed,
                format!("{what} does not match the stored ticket message; nothing was changed"),
            )
        };
        if let Some(tags) = &self.if_match {
            let current = etag(stored);
            if !tags.iter().any(|t| t == "*" || *t == current) {
                return Err(stale("If-Match"));
            }
        }
        if let Some(since) = self.if_unmodified_since
            && whole_seconds(&stored.updated_at) > since
        {
            return Err(stale("If-Unmodified-Since"));
        }
        Ok(self.guard_writes().then_some(stored.version))
    }

    /// Whether a GET may answer 304.
    pub fn not_modified(&self, stored: &TicketMessage) -> bool {
        if let Some(tags) = &self.if_none_match {
            let current = etag(stored);
            return tags.iter().any(|t| t == "*" || t.trim_start_matches("W/") == current);
        }
        self.if_modified_since.is_some_and(|since| whole_seconds(&stored.updated_at) <= since)
    }
}
