//! Languages ticketd translates into, and how request headers name them: the first tag of
//! `SO-Language` (or else `Accept-Language`), q-values ignored, primary subtag only.

/// A language with a string catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Norwegian,
    Swedish,
    Danish,
    German,
    French,
    Dutch,
    Finnish,
}

/// Each language's ISO 639-1 code(s) and the vendor's two-letter code used in multi-language
/// values (`NO:"…";US:"…"`). English is `US` and Norwegian `NO` per the vendor's documentation;
/// the rest follow the vendor's country-style codes.
const CODES: &[(Language, &[&str], &str)] = &[
    (Language::English, &["en"], "US"),
    (Language::Norwegian, &["nb", "nn", "no"], "NO"),
    (Language::Swedish, &["sv"], "SE"),
    (Language::Danish, &["da"], "DA"),
    (Language::German, &["de"], "GE"),
    (Language::French, &["fr"], "FR"),
    (Language::Dutch, &["nl"], "NL"),
    (Language::Finnish, &["fi"], "FI"),
];

impl Language {
    pub const ALL: [Language; 8] = [
        Language::English,
        Language::Norwegian,
        Language::Swedish,
        Language::Danish,
        Language::German,
        Language::French,
        Language::Dutch,
        Language::Finnish,
    ];

    fn entry(self) -> &'static (Language, &'static [&'static str], &'static str) {
        CODES.iter().find(|(l, _, _)| *l == self).unwrap_or(&CODES[0])
    }

    /// The ISO 639-1 code (`Content-Language`).
    pub fn iso(self) -> &'static str {
        self.entry().1[0]
    }

    /// The vendor's code in multi-language values.
    pub fn vendor_code(self) -> &'static str {
        self.entry().2
    }

    /// The language of an ISO tag (`nb-NO`, `de-DE`, `EN`); `None` for unknown ones.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        CODES.iter().find(|(_, isos, _)| isos.contains(&primary.as_str())).map(|(l, _, _)| *l)
    }

    /// The language of a vendor code (`NO`, `us`).
    pub fn from_vendor_code(code: &str) -> Option<Self> {
        CODES.iter().find(|(_, _, v)| v.eq_ignore_ascii_case(code.trim())).map(|(l, _, _)| *l)
    }
}

/// The language a header value asks for: its first tag, q-values ignored; `*`, `x` or empty
/// mean "no translation", as does a language without a catalogue.
pub fn language_of_header(value: &str) -> Option<Language> {
    let first = value.split([',', ';']).next().unwrap_or_default().trim();
    match first {
        "" | "*" => None,
        x if x.eq_ignore_ascii_case("x") => None,
        tag => Language::from_tag(tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_pick_the_first_tag() {
        let cases = [
            ("fr,de,ru,zh", Some(Language::French)),
            ("en-us; en-gb", Some(Language::English)),
            ("nb-no", Some(Language::Norwegian)),
            ("nn", Some(Language::Norwegian)),
            ("de-DE", Some(Language::German)),
            ("sv;q=0.1, en", Some(Language::Swedish)),
            ("*", None),
            ("x", None),
            ("", None),
            ("ru", None),
        ];
        for (header, expected) in cases {
            assert_eq!(language_of_header(header), expected, "{header}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.iso()), Some(language));
            assert_eq!(Language::from_vendor_code(language.vendor_code()), Some(language));
        }
    }
}
