//! Points in time as the vendor's model holds them, shared by the message and its carriers.

use chrono::NaiveDateTime;

/// A point in time in the installation's base zone (UTC), to 100 ns precision.
pub type Timestamp = NaiveDateTime;

/// The vendor's "no date": `0001-01-01T00:00:00`.
pub const NO_DATE: Timestamp = match chrono::NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(date) => date.and_time(chrono::NaiveTime::MIN),
    None => NaiveDateTime::MIN,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_date_is_year_one() {
        assert_eq!(NO_DATE.to_string(), "0001-01-01 00:00:00");
    }
}
