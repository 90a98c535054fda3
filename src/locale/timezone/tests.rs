use chrono::{NaiveDateTime, Offset};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::locale::parse_wire_datetime;

fn at(text: &str) -> NaiveDateTime {
    parse_wire_datetime(text).unwrap()
}

#[test]
fn codes_ids_and_iana_names_resolve() {
    assert_eq!(lookup("NO"), Some(Tz::Europe__Oslo));
    assert_eq!(lookup("261"), Some(Tz::Europe__Oslo));
    assert_eq!(lookup("us-ny"), Some(Tz::America__New_York));
    assert_eq!(lookup("460"), Some(Tz::America__New_York));
    assert_eq!(lookup("1"), Some(Tz::UTC));
    assert_eq!(lookup("140"), Some(Tz::Europe__Copenhagen));
    assert_eq!(lookup("425"), Some(Tz::America__Los_Angeles));
    assert_eq!(lookup("Europe/Oslo"), Some(Tz::Europe__Oslo));
    assert_eq!(lookup("america/new_york"), Some(Tz::America__New_York));
    assert_eq!(lookup("Mars/Olympus"), None);
    assert_eq!(lookup("999"), None);
    let zone = parse_header("US-NY, includeTZOffset").unwrap();
    assert!(zone.include_offset);
    assert_eq!(parse_header("Narnia").unwrap_err(), "Narnia");
}

#[test]
fn the_vendors_worked_example() {
    // Base zone NO; a client in US-NY sends 12:34:45 on Christmas Eve: stored 18:34:45.
    let utc = local_to_utc(at("2018-12-24T12:34:45"), Tz::America__New_York);
    let stored = utc_to_zone(utc, Tz::Europe__Oslo).naive_local();
    assert_eq!(stored, at("2018-12-24T18:34:45"));
    // And it goes back out as 12:34:45, or 07:34:45-05:00 for a stamp given as 12:34:45Z.
    let back = utc_to_zone(local_to_utc(stored, Tz::Europe__Oslo), Tz::America__New_York);
    assert_eq!(back.naive_local(), at("2018-12-24T12:34:45"));
    let from_z = utc_to_zone(at("2018-12-24T12:34:45Z"), Tz::America__New_York);
    assert_eq!(from_z.naive_local(), at("2018-12-24T07:34:45"));
    assert_eq!(format_offset(from_z.offset().fix().local_minus_utc()), "-05:00");
}

#[test]
fn gaps_move_forward_and_overlaps_take_the_earlier_instant() {
    // Oslo springs forward 2024-03-31 02:00 → 03:00 and falls back 2024-10-27 03:00 → 02:00.
    assert_eq!(local_to_utc(at("2024-03-31T02:30:00"), Tz::Europe__Oslo), at("2024-03-31T01:30:00"));
    assert_eq!(utc_to_zone(at("2024-03-31T01:30:00"), Tz::Europe__Oslo).naive_local(), at("2024-03-31T03:30:00"));
    assert_eq!(local_to_utc(at("2024-10-27T02:30:00"), Tz::Europe__Oslo), at("2024-10-27T00:30:00"));
    // New York springs forward 2024-03-10 02:00 → 03:00 and falls back 2024-11-03 02:00 → 01:00.
    assert_eq!(local_to_utc(at("2024-03-10T02:15:00"), Tz::America__New_York), at("2024-03-10T07:15:00"));
    assert_eq!(local_to_utc(at("2024-11-03T01:30:00"), Tz::America__New_York), at("2024-11-03T05:30:00"));
    // Either side of each transition converts plainly.
    assert_eq!(local_to_utc(at("2024-03-31T01:59:59"), Tz::Europe__Oslo), at("2024-03-31T00:59:59"));
    assert_eq!(local_to_utc(at("2024-03-31T03:00:00"), Tz::Europe__Oslo), at("2024-03-31T01:00:00"));
    assert_eq!(local_to_utc(at("2024-11-03T03:00:00"), Tz::America__New_York), at("2024-11-03T08:00:00"));
}

#[test]
fn offsets_are_formatted_with_a_colon() {
    assert_eq!(format_offset(3600), "+01:00");
    assert_eq!(format_offset(-18_000), "-05:00");
    assert_eq!(format_offset(19_800), "+05:30");
    assert_eq!(format_offset(0), "+00:00");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Out to a zone's wall clock and back in is the identity, except for the second hour of a
    /// fall-back overlap, which by the documented rule reads as the first.
    #[test]
    fn out_and_back_is_the_identity(zone_index in 0..ZONES.len(), seconds in 0i64..4_102_444_800) {
        let zone = ZONES[zone_index].zone;
        let utc = chrono::DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
        let local = utc_to_zone(utc, zone).naive_local();
        let back = local_to_utc(local, zone);
        if back != utc {
            let ambiguous = matches!(zone.from_local_datetime(&local), chrono::LocalResult::Ambiguous(..));
            prop_assert!(ambiguous && back < utc, "{zone}: {utc} -> {local} -> {back}");
        }
    }
}
