//! The locale of a request — language, culture and time zone from `SO-Language`,
//! `Accept-Language`, `SO-Culture` and `SO-TimeZone` — and everything that depends on it: date
//! text, translated labels, multi-language values and string resources.

pub mod culture;
pub mod datetime;
pub mod language;
pub mod multilang;
pub mod resources;
pub mod timezone;

use std::borrow::Cow;
use std::convert::Infallible;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use chrono::{NaiveDateTime, Offset};
use chrono_tz::Tz;

pub use datetime::{format_wire_datetime, parse_wire_datetime};
pub use language::Language;
use timezone::RequestZone;

use crate::domain::NO_DATE;

/// The installation's base time zone: the zone stored dates (other than stamps) are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseZone(pub Tz);

impl Default for BaseZone {
    fn default() -> Self {
        Self(Tz::UTC)
    }
}

/// How one request wants text and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale {
    /// The language labels are translated into; `None` leaves them as stored.
    pub language: Option<Language>,
    /// The culture preformatted numbers and dates use (defaults to the language).
    pub culture: Option<Language>,
    /// The zone dates are converted to; `None` leaves them in the base zone.
    pub zone: Option<RequestZone>,
    pub base: Tz,
    /// Set when `SO-TimeZone` named a zone ticketd does not know (the header was ignored).
    pub unknown_zone: Option<String>,
}

impl Locale {
    /// No translation, no conversion, base zone UTC.
    pub const NEUTRAL: Locale = Locale { language: None, culture: None, zone: None, base: Tz::UTC, unknown_zone: None };

    /// Reads the locale headers of a request.
    pub fn of_headers(headers: &HeaderMap, base: Tz) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        // SO-Language, when present, replaces Accept-Language entirely.
        let language = match text("so-language") {
            Some(value) => language::language_of_header(value),
            None => text("accept-language").and_then(language::language_of_header),
        };
        // SO-Culture defaults to the language and is ignored without one.
        let culture = language.map(|own| text("so-culture").and_then(language::language_of_header).unwrap_or(own));
        let (zone, unknown_zone) = match text("so-timezone").map(timezone::parse_header) {
            Some(Ok(zone)) => (Some(zone), None),
            Some(Err(name)) => (None, Some(name)),
            None => (None, None),
        };
        Self { language, culture, zone, base, unknown_zone }
    }

    /// A label-like text in the request's language: multi-language values picked and `[SR_…]`
    /// references replaced. User content must never go through here.
    pub fn label<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.language {
            None => Cow::Borrowed(text),
            Some(language) => {
                let picked = multilang::pick(text, language);
                Cow::Owned(resources::translate_references(&picked, language))
            }
        }
    }

    /// A stored date (base-zone wall clock) as the request wants it: in its zone, with an
    /// offset when `includeTZOffset` asked for one. "No date" is never converted.
    pub fn date(&self, stored: &NaiveDateTime) -> String {
        let Some(request) = self.zone.filter(|_| *stored != NO_DATE) else {
            return format_wire_datetime(stored);
        };
        let there = timezone::utc_to_zone(timezone::local_to_utc(*stored, self.base), request.zone);
        let mut text = format_wire_datetime(&there.naive_local());
        if request.include_offset {
            text.push_str(&timezone::format_offset(there.offset().fix().local_minus_utc()));
        }
        text
    }

    /// A creation or change stamp: always UTC, marked `Z` when `includeTZOffset` asked for offsets.
    pub fn stamp(&self, utc: &NaiveDateTime) -> String {
        let mut text = format_wire_datetime(utc);
        if self.zone.is_some_and(|z| z.include_offset) && *utc != NO_DATE {
            text.push('Z');
        }
        text
    }

    /// Adds `Content-Language` (when translating) and a `Warning` (when `SO-TimeZone` was ignored).
    pub fn annotate(&self, headers: &mut HeaderMap) {
        if let Some(language) = self.language {
            headers.insert("content-language", HeaderValue::from_static(language.iso()));
        }
        if let Some(name) = &self.unknown_zone {
            let warning =
                format!("299 ticketd \"Unknown SO-TimeZone '{}'; dates are in the base zone\"", name.escape_debug());
            if let Ok(value) = HeaderValue::from_str(&warning) {
                headers.insert("warning", value);
            }
        }
    }
}

impl<S> FromRequestParts<S> for Locale
where
    S: Send + Sync,
    BaseZone: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of_headers(&parts.headers, BaseZone::from_ref(state).0))
    }
}

#[cfg(test)]
mod tests;
