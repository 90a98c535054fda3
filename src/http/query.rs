//! Query-string parameters the vendor passes as lists or as loosely typed values.

use axum::http::Uri;

use crate::error::ApiError;

/// A query string's parameters, with list parameters split on commas.
pub struct QueryList(Vec<(String, String)>);

impl QueryList {
    pub fn parse(uri: &Uri) -> Result<Self, ApiError> {
        Self::decode(uri.query().unwrap_or_default())
    }

    /// Like [`parse`](Self::parse), but a raw `+` stays a plus instead of becoming a space: the
    /// vendor's samples write `sms=+4711111111` unescaped, and e-mail addresses may hold `+`.
    pub fn parse_keeping_plus(uri: &Uri) -> Result<Self, ApiError> {
        Self::decode(&uri.query().unwrap_or_default().replace('+', "%2B"))
    }

    fn decode(query: &str) -> Result<Self, ApiError> {
        serde_urlencoded::from_str(query)
            .map(Self)
            .map_err(|err| ApiError::invalid(format!("The query string is malformed: {err}")))
    }

    /// The non-empty items of a list parameter (`a,b` and `x=a&x=b` alike), names in any case.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .flat_map(|(_, value)| value.split(','))
            .map(str::trim)
            .filter(|item| !item.is_empty())
    }

    pub fn last(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// `replyTemplateId` must be an int32 when given; templates are not applied (≤ 0 means none).
    pub fn reply_template_id(&self) -> Result<i32, ApiError> {
        match self.last("replyTemplateId").map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(0),
            Some(text) => text.parse().map_err(|_| {
                ApiError::invalid(format!(
                    "Invalid value '{}' for query parameter 'replyTemplateId'",
                    text.escape_debug()
                ))
            }),
        }
    }
}

/// A boolean query parameter (`true`/`false` in any case, `1`/`0`); `false` when absent.
pub fn flag(query: &QueryList, name: &str) -> Result<bool, ApiError> {
    match query.last(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(value) => match value.as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" | "" => Ok(false),
            _ => {
                Err(ApiError::invalid(format!("Invalid value '{}' for query parameter '{name}'", value.escape_debug())))
            }
        },
    }
}
