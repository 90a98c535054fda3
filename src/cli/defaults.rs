//! The defaults the command line shows and falls back to, written as text from
//! [`Settings::default`] so each default is set in one place.

use std::time::Duration;

use clap::builder::OsStr;

use crate::app::{Retention, Settings};
use crate::store::SqliteSync;

/// The application's defaults.
pub fn defaults() -> Settings {
    Settings::default()
}

/// A duration as the duration flags parse it, in the largest unit that divides it.
pub fn duration(value: Duration) -> OsStr {
    OsStr::from(duration_text(value))
}

/// A retention as `--…-retention` parses it.
pub fn retention(value: Retention) -> OsStr {
    OsStr::from(value.0.map_or_else(|| "never".to_owned(), duration_text))
}

/// A SQLite synchronous level as `--sqlite-synchronous` parses it.
pub fn sqlite_sync(value: SqliteSync) -> OsStr {
    OsStr::from(match value {
        SqliteSync::Full => "full",
        SqliteSync::Normal => "normal",
    })
}

fn duration_text(value: Duration) -> String {
    let seconds = value.as_secs();
    if value.subsec_nanos() != 0 || seconds == 0 {
        return format!("{}ms", value.as_millis());
    }
    let unit =
        [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")].into_iter().find(|(size, _)| seconds.is_multiple_of(*size));
    let (size, suffix) = unit.unwrap_or((1, "s"));
    format!("{}{suffix}", seconds / size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::delivery::parse_std_duration;

    #[test]
    fn shown_durations_parse_back_to_themselves() {
        for value in [
            Duration::from_millis(50),
            Duration::from_secs(5),
            Duration::from_secs(60),
            Duration::from_secs(90),
            Duration::from_secs(3600),
            Duration::from_secs(24 * 3600),
            Duration::from_secs(90 * 86_400),
        ] {
            assert_eq!(parse_std_duration(&duration_text(value)), Ok(value), "{}", duration_text(value));
        }
    }
}
