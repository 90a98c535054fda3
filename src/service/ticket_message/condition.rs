//! A write's condition on the stored message, as the client stated it (a face resolves it from
//! its own terms: REST from `If-Match` / `If-Unmodified-Since`). An update checks it on the
//! message the store read inside the write, so the save lands only on the version checked.

use chrono::{NaiveDateTime, Timelike};

use crate::domain::TicketMessage;
use crate::error::{ApiError, ErrorKind};

/// The versions a conditional write accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionMatch {
    /// Any version of an existing message (`If-Match: *`).
    Any,
    /// One of these versions (no version at all when empty: the write always fails).
    OneOf(Vec<i64>),
}

/// What must still hold of the stored message for a write to happen; the default asks nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteCondition {
    /// The versions the stored message may be at (`If-Match`).
    pub version: Option<VersionMatch>,
    /// The stored message must not have changed after this instant (UTC; compared in whole
    /// seconds, as HTTP dates have them) (`If-Unmodified-Since`).
    pub unmodified_since: Option<NaiveDateTime>,
}

impl WriteCondition {
    /// A write that must find the stored message at `version`.
    pub fn at_version(version: i64) -> Self {
        Self { version: Some(VersionMatch::OneOf(vec![version])), unmodified_since: None }
    }

    /// Whether the write depends on the stored message at all.
    pub fn is_set(&self) -> bool {
        self.version.is_some() || self.unmodified_since.is_some()
    }

    /// 412 unless the condition holds for `stored`; returns the version the write must still
    /// find when it saves (so a change in between is caught too).
    pub fn check(&self, stored: &TicketMessage) -> Result<Option<i64>, ApiError> {
        let stale = |what: &str| {
            ApiError::new(
                ErrorKind::PreconditionFailed,
                format!("{what} does not match the stored ticket message; nothing was changed"),
            )
        };
        if let Some(VersionMatch::OneOf(versions)) = &self.version
            && !versions.contains(&stored.version)
        {
            return Err(stale("If-Match"));
        }
        if let Some(since) = self.unmodified_since
            && whole_seconds(&stored.updated_at) > since
        {
            return Err(stale("If-Unmodified-Since"));
        }
        Ok(self.is_set().then_some(stored.version))
    }
}

/// `at` without its fraction of a second: HTTP dates have whole seconds.
pub fn whole_seconds(at: &NaiveDateTime) -> NaiveDateTime {
    at.with_nanosecond(0).unwrap_or(*at)
}
