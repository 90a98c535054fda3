//! The vendor's date-time text form: `yyyy-MM-ddTHH:mm:ss[.fffffff]`, no offset on output;
//! ISO 8601 with or without fraction, `Z`, `±HH:MM`, `±HHMM` or no offset on input.

use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// Formats a stamp as the vendor does: fractional seconds only when non-zero, trailing zeros
/// trimmed, at most seven digits (100 ns), and no offset.
pub fn format_wire_datetime(stamp: &NaiveDateTime) -> String {
    let mut text = String::with_capacity(27);
    let _ = write!(
        text,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        stamp.year(),
        stamp.month(),
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second()
    );
    let ticks = stamp.nanosecond() % 1_000_000_000 / 100;
    if ticks != 0 {
        let digits = format!("{ticks:07}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text
}

/// Parses a wire date-time. A stamp with an offset is converted to UTC; one without is taken
/// as it is (the installation's base zone). Fractions beyond seven digits are truncated.
pub fn parse_wire_datetime(text: &str) -> Result<NaiveDateTime, String> {
    let text = text.trim();
    // Client text: split only with char-boundary-safe methods, never by byte index.
    let (date_part, rest) = text.split_once(['T', 't', ' ']).unwrap_or((text, ""));
    let date = parse_date(date_part).ok_or_else(|| format!("'{text}' is not a valid date"))?;
    if rest.is_empty() {
        return Ok(date.and_time(NaiveTime::MIN));
    }
    let (time_part, offset_minutes) =
        split_offset(rest).ok_or_else(|| format!("'{text}' has an invalid time zone offset"))?;
    let time = parse_time(time_part).ok_or_else(|| format!("'{text}' is not a valid time"))?;
    let local = date.and_time(time);
    local.checked_sub_signed(Duration::minutes(offset_minutes)).ok_or_else(|| format!("'{text}' is out of range"))
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.splitn(3, '-');
    let year: i32 = parse_digits(parts.next()?, 4, 4)?;
    let month: u32 = parse_digits(parts.next()?, 1, 2)?;
    let day: u32 = parse_digits(parts.next()?, 1, 2)?;
    if year < 1 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Splits `HH:mm:ss.fff+02:00` into the time and the offset in minutes east of UTC.
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(time) = text.strip_suffix(['Z', 'z']) {
        return Some((time, 0));
    }
    let Some((time, offset)) = text.rsplit_once(['+', '-']) else {
        return Some((text, 0));
    };
    let sign = if text.get(time.len()..).is_some_and(|sign| sign.starts_with('-')) { -1 } else { 1 };
    let (hours, minutes) = match offset.split_once(':') {
        Some((h, m)) => (h, m),
        // `get` is `None` off a char boundary, so non-ASCII text is refused rather than split.
        None if offset.len() == 4 => (offset.get(..2)?, offset.get(2..)?),
        None if offset.len() == 2 => (offset, "00"),
        None => return None,
    };
    let hours: i64 = parse_digits(hours, 2, 2)?;
    let minutes: i64 = parse_digits(minutes, 2, 2)?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some((time, sign * (hours * 60 + minutes)))
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let (clock, fraction) = match text.split_once(['.', ',']) {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (text, None),
    };
    let mut parts = clock.split(':');
    let hour: u32 = parse_digits(parts.next()?, 1, 2)?;
    let minute: u32 = parse_digits(parts.next()?, 2, 2)?;
    let second: u32 = match parts.next() {
        Some(s) => parse_digits(s, 2, 2)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let nanos = match fraction {
        Some(digits) => fraction_to_nanos(digits)?,
        None => 0,
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// Reads up to seven fractional digits as nanoseconds; further digits are dropped.
fn fraction_to_nanos(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All ASCII digits (checked above), so every byte index is a char boundary.
    let kept = digits.get(..digits.len().min(7))?;
    let value: u32 = kept.parse().ok()?;
    Some(value * 10u32.pow(9 - kept.len() as u32))
}

fn parse_digits<T: std::str::FromStr>(text: &str, min: usize, max: usize) -> Option<T> {
    let valid = (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    if valid { text.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> String {
        format_wire_datetime(&parse_wire_datetime(text).expect(text))
    }

    #[test]
    fn offsets_are_converted_to_utc_and_dropped() {
        assert_eq!(round("2015-09-27T17:37:39.36531+02:00"), "2015-09-27T15:37:39.36531");
        assert_eq!(round("2018-12-24T12:34:45Z"), "2018-12-24T12:34:45");
        assert_eq!(round("2018-12-24T07:34:45-0500"), "2018-12-24T12:34:45");
        assert_eq!(round("2018-12-24T07:34:45-05"), "2018-12-24T12:34:45");
    }

    #[test]
    fn fractions_keep_seven_digits_and_trim_zeros() {
        assert_eq!(round("2012-01-27T17:37:39.3734017"), "2012-01-27T17:37:39.3734017");
        assert_eq!(round("2012-01-27T17:37:39.123456789"), "2012-01-27T17:37:39.1234567");
        assert_eq!(round("2012-01-27T17:37:39.500"), "2012-01-27T17:37:39.5");
        assert_eq!(round("2020-04-22T15:51:25.000"), "2020-04-22T15:51:25");
    }

    #[test]
    fn date_only_and_extremes() {
        assert_eq!(round("2009-1-1"), "2009-01-01T00:00:00");
        assert_eq!(round("0001-01-01T00:00:00"), "0001-01-01T00:00:00");
        assert_eq!(round("9999-12-31T23:59:59.9999999"), "9999-12-31T23:59:59.9999999");
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [
            "",
            "yesterday",
            "2015-13-01",
            "2015-02-30T00:00",
            "2015-01-01T25:00",
            "2015-01-01T10:00+2:00",
            "2015-01-01T10:00:00.",
            "0000-01-01",
            "2015-01-01T10:00:00+99:00",
            "2024-01-01T10:00:00+0é:00",
            "2024-01-01T10:00:00+0é0",
            "2024-01-01T10:00:00-é00",
            "2024-01-01T10:00:00.1é",
            "2024-01-01é10:00:00",
        ] {
            assert!(parse_wire_datetime(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn no_text_makes_the_parser_panic(text in "\\PC{0,40}") {
            let _ = parse_wire_datetime(&text);
        }

        #[test]
        fn no_near_miss_stamp_makes_the_parser_panic(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9é:.,+Z-]{0,16}"
        ) {
            let _ = parse_wire_datetime(&text);
        }

        #[test]
        fn no_offset_with_a_multi_byte_character_makes_the_parser_panic(
            text in "2024-01-01T10:00(:00)?(\\.[0-9é]{1,3})?[+-][0-9]{1,2}[é€ß][0-9:]{0,3}"
        ) {
            proptest::prop_assert!(parse_wire_datetime(&text).is_err());
        }
    }
}
