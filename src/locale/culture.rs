//! `SO-Culture`: number and date formatting for values ticketd returns as preformatted text.
//! JSON and XML numbers and dates are always culture-neutral; only display strings use this.

use chrono::{Datelike, NaiveDateTime, Timelike};

use super::language::Language;

/// A number with the culture's decimal and thousands separators (`1 234,5` in Norwegian).
pub fn format_number(value: f64, decimals: usize, culture: Language) -> String {
    let (thousands, decimal) = match culture {
        Language::English => (",", "."),
        Language::German | Language::Dutch | Language::Danish => (".", ","),
        Language::Norwegian | Language::Swedish | Language::Finnish | Language::French => ("\u{a0}", ","),
    };
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push_str(thousands);
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 { "-" } else { "" };
    if fraction.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}{decimal}{fraction}") }
}

/// A date and time in the culture's short form.
pub fn format_date_time(at: &NaiveDateTime, culture: Language) -> String {
    let (d, m, y, h, min) = (at.day(), at.month(), at.year(), at.hour(), at.minute());
    match culture {
        Language::English => {
            let (hour12, half) = if h == 0 {
                (12, "AM")
            } else if h < 12 {
                (h, "AM")
            } else if h == 12 {
                (12, "PM")
            } else {
                (h - 12, "PM")
            };
            format!("{m}/{d}/{y} {hour12}:{min:02} {half}")
        }
        Language::Swedish => format!("{y}-{m:02}-{d:02} {h:02}:{min:02}"),
        Language::Dutch => format!("{d}-{m}-{y} {h:02}:{min:02}"),
        Language::French => format!("{d:02}/{m:02}/{y} {h:02}:{min:02}"),
        Language::Norwegian | Language::Danish | Language::German | Language::Finnish => {
            format!("{d:02}.{m:02}.{y} {h:02}:{min:02}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::parse_wire_datetime;

    #[test]
    fn numbers_and_dates_follow_the_culture() {
        assert_eq!(format_number(1234.5, 1, Language::English), "1,234.5");
        assert_eq!(format_number(1234567.891, 2, Language::German), "1.234.567,89");
        assert_eq!(format_number(-1234.0, 0, Language::Norwegian), "-1\u{a0}234");
        let at = parse_wire_datetime("2019-09-23T12:34:45").unwrap();
        assert_eq!(format_date_time(&at, Language::English), "9/23/2019 12:34 PM");
        assert_eq!(format_date_time(&at, Language::Swedish), "2019-09-23 12:34");
        assert_eq!(format_date_time(&at, Language::Norwegian), "23.09.2019 12:34");
    }
}
