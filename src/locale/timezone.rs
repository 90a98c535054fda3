//! Time zones: the vendor's `SO-TimeZone` codes (and the numeric ids its documentation gives),
//! plain IANA names, and conversion between the installation's base zone and a request's zone.
//!
//! Local times that do not exist (the spring-forward gap) are read with the offset in force just
//! before the gap, so they land as far past the gap as they were into it (02:30 on the day Oslo
//! springs forward is 03:30 CEST). Local times that occur twice (the fall-back overlap) are read
//! as the earlier of the two.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// A vendor time-zone code, its numeric id where the vendor documents one, a name and the IANA zone.
pub struct ZoneCode {
    pub code: &'static str,
    pub id: Option<u32>,
    pub name: &'static str,
    pub zone: Tz,
}

const fn zone(code: &'static str, id: Option<u32>, name: &'static str, zone: Tz) -> ZoneCode {
    ZoneCode { code, id, name, zone }
}

/// The codes ticketd accepts. Numeric ids are given only where the vendor documents them
/// (`UTC` 1, `DK` 140, `NO` 261, `US-CA` 425, `US-NY` 460).
pub const ZONES: &[ZoneCode] = &[
    zone("UTC", Some(1), "Coordinated Universal Time", Tz::UTC),
    // Europe
    zone("NO", Some(261), "Norway", Tz::Europe__Oslo),
    zone("DK", Some(140), "Denmark", Tz::Europe__Copenhagen),
    zone("SE", None, "Sweden", Tz::Europe__Stockholm),
    zone("FI", None, "Finland", Tz::Europe__Helsinki),
    zone("IS", None, "Iceland", Tz::Atlantic__Reykjavik),
    zone("DE", None, "Germany", Tz::Europe__Berlin),
    zone("NL", None, "Netherlands", Tz::Europe__Amsterdam),
    zone("BE", None, "Belgium", Tz::Europe__Brussels),
    zone("LU", None, "Luxembourg", Tz::Europe__Luxembourg),
    zone("FR", None, "France", Tz::Europe__Paris),
    zone("CH", None, "Switzerland", Tz::Europe__Zurich),
    zone("AT", None, "Austria", Tz::Europe__Vienna),
    zone("IT", None, "Italy", Tz::Europe__Rome),
    zone("ES", None, "Spain", Tz::Europe__Madrid),
    zone("PT", None, "Portugal", Tz::Europe__Lisbon),
    zone("GB", None, "United Kingdom", Tz::Europe__London),
    zone("UK", None, "United Kingdom", Tz::Europe__London),
    zone("IE", None, "Ireland", Tz::Europe__Dublin),
    zone("PL", None, "Poland", Tz::Europe__Warsaw),
    zone("CZ", None, "Czechia", Tz::Europe__Prague),
    zone("SK", None, "Slovakia", Tz::Europe__Bratislava),
    zone("HU", None, "Hungary", Tz::Europe__Budapest),
    zone("EE", None, "Estonia", Tz::Europe__Tallinn),
    zone("LV", None, "Latvia", Tz::Europe__Riga),
    zone("LT", None, "Lithuania", Tz::Europe__Vilnius),
    zone("GR", None, "Greece", Tz::Europe__Athens),
    zone("RO", None, "Romania", Tz::Europe__Bucharest),
    zone("BG", None, "Bulgaria", Tz::Europe__Sofia),
    zone("HR", None, "Croatia", Tz::Europe__Zagreb),
    zone("SI", None, "Slovenia", Tz::Europe__Ljubljana),
    zone("RS", None, "Serbia", Tz::Europe__Belgrade),
    zone("UA", None, "Ukraine", Tz::Europe__Kyiv),
    zone("TR", None, "Türkiye", Tz::Europe__Istanbul),
    zone("RU-MOW", None, "Russia (Moscow)", Tz::Europe__Moscow),
    // The Americas
    zone("US-NY", Some(460), "United States (Eastern)", Tz::America__New_York),
    zone("US-IL", None, "United States (Central)", Tz::America__Chicago),
    zone("US-CO", None, "United States (Mountain)", Tz::America__Denver),
    zone("US-AZ", None, "United States (Arizona)", Tz::America__Phoenix),
    zone("US-CA", Some(425), "United States (Pacific)", Tz::America__Los_Angeles),
    zone("US-AK", None, "United States (Alaska)", Tz::America__Anchorage),
    zone("US-HI", None, "United States (Hawaii)", Tz::Pacific__Honolulu),
    zone("CA-NS", None, "Canada (Atlantic)", Tz::America__Halifax),
    zone("CA-ON", None, "Canada (Eastern)", Tz::America__Toronto),
    zone("CA-MB", None, "Canada (Central)", Tz::America__Winnipeg),
    zone("CA-AB", None, "Canada (Mountain)", Tz::America__Edmonton),
    zone("CA-BC", None, "Canada (Pacific)", Tz::America__Vancouver),
    zone("MX", None, "Mexico (Central)", Tz::America__Mexico_City),
    zone("BR", None, "Brazil (Brasília)", Tz::America__Sao_Paulo),
    zone("AR", None, "Argentina", Tz::America__Argentina__Buenos_Aires),
    zone("CL", None, "Chile", Tz::America__Santiago),
    zone("CO", None, "Colombia", Tz::America__Bogota),
    zone("PE", None, "Peru", Tz::America__Lima),
    // Asia-Pacific
    zone("JP", None, "Japan", Tz::Asia__Tokyo),
    zone("KR", None, "South Korea", Tz::Asia__Seoul),
    zone("CN", None, "China", Tz::Asia__Shanghai),
    zone("HK", None, "Hong Kong", Tz::Asia__Hong_Kong),
    zone("TW", None, "Taiwan", Tz::Asia__Taipei),
    zone("SG", None, "Singapore", Tz::Asia__Singapore),
    zone("MY", None, "Malaysia", Tz::Asia__Kuala_Lumpur),
    zone("TH", None, "Thailand", Tz::Asia__Bangkok),
    zone("VN", None, "Vietnam", Tz::Asia__Ho_Chi_Minh),
    zone("ID", None, "Indonesia (Western)", Tz::Asia__Jakarta),
    zone("PH", None, "Philippines", Tz::Asia__Manila),
    zone("IN", None, "India", Tz::Asia__Kolkata),
    zone("PK", None, "Pakistan", Tz::Asia__Karachi),
    zone("AE", None, "United Arab Emirates", Tz::Asia__Dubai),
    zone("IL", None, "Israel", Tz::Asia__Jerusalem),
    zone("AU-NSW", None, "Australia (Sydney)", Tz::Australia__Sydney),
    zone("AU-VIC", None, "Australia (Melbourne)", Tz::Australia__Melbourne),
    zone("AU-QLD", None, "Australia (Brisbane)", Tz::Australia__Brisbane),
    zone("AU-SA", None, "Australia (Adelaide)", Tz::Australia__Adelaide),
    zone("AU-WA", None, "Australia (Perth)", Tz::Australia__Perth),
    zone("NZ", None, "New Zealand", Tz::Pacific__Auckland),
    // Africa
    zone("ZA", None, "South Africa", Tz::Africa__Johannesburg),
    zone("EG", None, "Egypt", Tz::Africa__Cairo),
    zone("NG", None, "Nigeria", Tz::Africa__Lagos),
    zone("KE", None, "Kenya", Tz::Africa__Nairobi),
];

/// The zone a vendor code, numeric id or IANA name names (codes and names in any case).
pub fn lookup(name: &str) -> Option<Tz> {
    let name = name.trim();
    if let Ok(id) = name.parse::<u32>() {
        return ZONES.iter().find(|z| z.id == Some(id)).map(|z| z.zone);
    }
    ZONES
        .iter()
        .find(|z| z.code.eq_ignore_ascii_case(name))
        .map(|z| z.zone)
        .or_else(|| name.parse::<Tz>().ok())
        .or_else(|| chrono_tz::TZ_VARIANTS.iter().copied().find(|tz| tz.name().eq_ignore_ascii_case(name)))
}

/// The zone a request asked for with `SO-TimeZone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestZone {
    pub zone: Tz,
    /// `, includeTZOffset`: append the offset to every date.
    pub include_offset: bool,
}

/// Reads an `SO-TimeZone` value (`US-NY`, `460`, `Europe/Oslo`, each optionally followed by
/// `, includeTZOffset`); `Err` carries the unknown name.
pub fn parse_header(value: &str) -> Result<RequestZone, String> {
    let mut parts = value.split(',').map(str::trim);
    let name = parts.next().unwrap_or_default();
    let include_offset = parts.any(|p| p.eq_ignore_ascii_case("includeTZOffset"));
    lookup(name).map(|zone| RequestZone { zone, include_offset }).ok_or_else(|| name.to_owned())
}

/// The UTC instant of a wall-clock time in `zone`, by the gap and overlap rule of this module.
pub fn local_to_utc(local: NaiveDateTime, zone: Tz) -> NaiveDateTime {
    match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => at.naive_utc(),
        chrono::LocalResult::Ambiguous(earlier, _) => earlier.naive_utc(),
        chrono::LocalResult::None => {
            let before = local.checked_sub_signed(Duration::hours(3)).unwrap_or(local);
            let offset = zone.offset_from_utc_datetime(&before).fix();
            local - Duration::seconds(i64::from(offset.local_minus_utc()))
        }
    }
}

/// The wall-clock time and offset in `zone` of a UTC instant.
pub fn utc_to_zone(utc: NaiveDateTime, zone: Tz) -> DateTime<Tz> {
    zone.from_utc_datetime(&utc)
}

/// `±HH:MM` for an offset in seconds east of UTC.
pub fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests;
