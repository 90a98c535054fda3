//! Conditional requests: a strong `ETag` from the stored row version and `Last-Modified` from the
//! last save on every single-message response; `If-Match` / `If-Unmodified-Since` on writes
//! (412 when stale, checked before any change) and `If-None-Match` / `If-Modified-Since` on GET
//! (304 when unchanged). An unparsable date is treated as absent.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{DateTime, NaiveDateTime};

use crate::domain::TicketMessage;
use crate::service::ticket_message::whole_seconds;
use crate::service::{VersionMatch, WriteCondition};

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

/// The version a strong tag of [`etag`]'s form names for message `id`, compared as the exact
/// text [`etag`] would give (so `"7-03"` or a weak tag names none).
fn version_of(tag: &str, id: i32) -> Option<i64> {
    let (tag_id, version) = tag.strip_prefix('"')?.strip_suffix('"')?.split_once('-')?;
    let version: i64 = version.parse().ok()?;
    (tag_id.parse::<i32>().ok()? == id && tag == format!("\"{id}-{version}\"")).then_some(version)
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

    /// The write condition `If-Match` / `If-Unmodified-Since` state for message `id`. A tag that
    /// is not one this server gives message `id` matches no version.
    pub fn write_condition(&self, id: i32) -> WriteCondition {
        let version = self.if_match.as_ref().map(|tags| {
            if tags.iter().any(|tag| tag == "*") {
                VersionMatch::Any
            } else {
                VersionMatch::OneOf(tags.iter().filter_map(|tag| version_of(tag, id)).collect())
            }
        });
        WriteCondition { version, unmodified_since: self.if_unmodified_since }
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

impl<S: Send + Sync> FromRequestParts<S> for Preconditions {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::Preconditions;
    use crate::service::{VersionMatch, WriteCondition};

    fn condition(if_match: &str) -> WriteCondition {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_str(if_match).expect("header"));
        Preconditions::of(&headers).write_condition(7)
    }

    #[test]
    fn if_match_names_the_versions_of_this_message_only() {
        assert_eq!(condition("\"7-3\"").version, Some(VersionMatch::OneOf(vec![3])));
        assert_eq!(condition("\"7-3\", \"7-5\"").version, Some(VersionMatch::OneOf(vec![3, 5])));
        assert_eq!(condition("\"7-3\", *").version, Some(VersionMatch::Any));
        // Another message's tag, a weak tag, a padded version or no tag at all match nothing.
        for other in ["\"8-3\"", "W/\"7-3\"", "\"7-03\"", "7-3", "\"x\""] {
            assert_eq!(condition(other).version, Some(VersionMatch::OneOf(Vec::new())), "{other}");
        }
    }

    #[test]
    fn no_conditional_header_is_no_condition() {
        assert_eq!(Preconditions::of(&HeaderMap::new()).write_condition(7), WriteCondition::default());
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_UNMODIFIED_SINCE, HeaderValue::from_static("not a date"));
        assert!(!Preconditions::of(&headers).write_condition(7).is_set(), "an unparsable date is treated as absent");
    }
}
