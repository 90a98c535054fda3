use axum::http::HeaderMap;
use chrono_tz::Tz;

use super::*;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, value.parse().unwrap());
    }
    map
}

fn locale(pairs: &[(&'static str, &str)]) -> Locale {
    Locale::of_headers(&headers(pairs), Tz::Europe__Oslo)
}

#[test]
fn so_language_overrides_accept_language_entirely() {
    assert_eq!(locale(&[("accept-language", "de-DE,en")]).language, Some(Language::German));
    assert_eq!(locale(&[("accept-language", "de"), ("so-language", "sv")]).language, Some(Language::Swedish));
    assert_eq!(locale(&[("accept-language", "de"), ("so-language", "*")]).language, None);
    assert_eq!(locale(&[("accept-language", "de"), ("so-language", "x")]).language, None);
    assert_eq!(locale(&[("accept-language", "*")]).language, None);
}

#[test]
fn culture_defaults_to_the_language_and_needs_one() {
    assert_eq!(locale(&[("so-language", "nb-no")]).culture, Some(Language::Norwegian));
    assert_eq!(locale(&[("so-language", "nb-no"), ("so-culture", "sv")]).culture, Some(Language::Swedish));
    assert_eq!(locale(&[("so-culture", "sv")]).culture, None);
}

#[test]
fn labels_are_translated_only_with_a_language() {
    let multi = r#"NO:"Leverandør";US:"Supplier""#;
    assert_eq!(locale(&[]).label(multi), multi);
    assert_eq!(locale(&[("accept-language", "nb")]).label(multi), "Leverandør");
    assert_eq!(locale(&[("accept-language", "fi")]).label("[SR_PRIORITY_HIGH]"), "Korkea");
    for language in Language::ALL {
        let translated = locale(&[("so-language", language.iso())]).label("[SR_STATUS_OPEN]");
        assert!(!translated.starts_with("[SR_"), "{language:?}");
    }
}

#[test]
fn dates_convert_from_the_base_zone_and_stamps_stay_utc() {
    let stored = parse_wire_datetime("2018-12-24T18:34:45").unwrap();
    assert_eq!(locale(&[]).date(&stored), "2018-12-24T18:34:45");
    assert_eq!(locale(&[("so-timezone", "US-NY")]).date(&stored), "2018-12-24T12:34:45");
    assert_eq!(locale(&[("so-timezone", "US-NY, includeTZOffset")]).date(&stored), "2018-12-24T12:34:45-05:00");
    assert_eq!(locale(&[("so-timezone", "NO,includeTZOffset")]).date(&stored), "2018-12-24T18:34:45+01:00");
    let summer = parse_wire_datetime("2024-07-01T12:00:00").unwrap();
    assert_eq!(locale(&[("so-timezone", "460, includeTZOffset")]).date(&summer), "2024-07-01T06:00:00-04:00");
    assert_eq!(
        locale(&[("so-timezone", "US-NY, includeTZOffset")]).date(&crate::domain::NO_DATE),
        "0001-01-01T00:00:00"
    );
    let stamp = parse_wire_datetime("2018-12-24T12:34:45").unwrap();
    assert_eq!(locale(&[("so-timezone", "US-NY")]).stamp(&stamp), "2018-12-24T12:34:45");
    assert_eq!(locale(&[("so-timezone", "US-NY, includeTZOffset")]).stamp(&stamp), "2018-12-24T12:34:45Z");
}

#[test]
fn an_unknown_zone_is_ignored_and_reported() {
    let unknown = locale(&[("so-timezone", "Atlantis")]);
    assert_eq!(unknown.zone, None);
    let mut out = HeaderMap::new();
    unknown.annotate(&mut out);
    assert!(out["warning"].to_str().unwrap().contains("Atlantis"));
    let mut out = HeaderMap::new();
    locale(&[("accept-language", "da")]).annotate(&mut out);
    assert_eq!(out["content-language"], "da");
}

proptest::proptest! {
    /// Every parser of client text in this module returns, whatever the text: none slices
    /// client text by byte position.
    #[test]
    fn no_client_text_makes_a_locale_parser_panic(text in "\\PC{0,40}") {
        let _ = parse_wire_datetime(&text);
        let _ = language::language_of_header(&text);
        let _ = Language::from_tag(&text);
        let _ = Language::from_vendor_code(&text);
        let _ = multilang::parse(&text);
        let _ = multilang::pick(&text, Language::Norwegian);
        let _ = resources::translate_references(&text, Language::German);
        let _ = timezone::lookup(&text);
        let _ = timezone::parse_header(&text);
    }

    #[test]
    fn no_near_miss_multi_language_value_or_reference_panics(
        text in "([A-Zé]{1,3}:\"[^\"]{0,4}\"{1,2};? ?){0,3}(\\[SR_[A-Zé_]{0,6}\\]?)?"
    ) {
        let _ = multilang::parse(&text);
        let _ = multilang::pick(&text, Language::English);
        let _ = resources::translate_references(&text, Language::Swedish);
    }
}
