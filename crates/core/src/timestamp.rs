//! Times as text, the one way the till writes them: RFC 3339 in UTC with milliseconds,
//! `YYYY-MM-DDTHH:MM:SS.mmmZ`, fixed width so that text order is time order. The journal
//! stores them so, the exports and the JSON of an attempt show them so.
//!
//! Both directions are written out by hand for that one shape, because a day's report reads
//! and writes three per attempt: through chrono's general parser and formatter they were a
//! quarter of a 10,000-attempt export (benches/journal.rs). Any other shape (another
//! version's rows, a hand edit) still goes through chrono.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, SecondsFormat, Timelike, Utc};
use serde::Serializer;

/// `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (sub-milliseconds dropped).
pub fn text(t: DateTime<Utc>) -> String {
    with_text(t, str::to_string)
}

/// Hands `f` the time as [`text`] writes it, without a heap copy in the usual case.
pub fn with_text<R>(t: DateTime<Utc>, f: impl FnOnce(&str) -> R) -> R {
    match own_digits(t) {
        Some(b) => f(ascii(&b)),
        None => f(&chronos(t)),
    }
}

/// `d` as `YYYY-MM-DD`.
pub fn day_text(d: NaiveDate) -> String {
    with_day_text(d, str::to_string)
}

/// Hands `f` the date as [`day_text`] writes it, without a heap copy in the usual case.
pub fn with_day_text<R>(d: NaiveDate, f: impl FnOnce(&str) -> R) -> R {
    match day_digits(d) {
        Some(b) => f(ascii(&b)),
        // Years before 0 or after 9999.
        None => f(&d.format("%Y-%m-%d").to_string()),
    }
}

/// Reads a time as [`text`] writes it, or any other RFC 3339 time.
pub fn parse(s: &str) -> Result<DateTime<Utc>, String> {
    if let Some(t) = parse_own(s) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?}: {e}"))
}

/// A date as `YYYY-MM-DD`, or None for anything else.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let b: &[u8; 10] = s.as_bytes().try_into().ok()?;
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// For `#[serde(serialize_with)]`: a time as [`text`] writes it.
pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    // A string, not `collect_str`: through `fmt` it cost twice as much.
    with_text(*t, |text| s.serialize_str(text))
}

/// For `#[serde(serialize_with)]` on an optional time.
pub fn serialize_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize(t, s),
        None => s.serialize_none(),
    }
}

/// For `#[serde(serialize_with)]`: a date as `YYYY-MM-DD`.
pub fn serialize_day<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    with_day_text(*d, |text| s.serialize_str(text))
}

/// Years before 0 or after 9999, and leap seconds: chrono's own (longer or odd) form.
fn chronos(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for years 0 to 9999, or None (see [`chronos`]).
fn own_digits(t: DateTime<Utc>) -> Option<[u8; 24]> {
    // A leap second is kept as chrono keeps it: second 59 with 1000+ milliseconds.
    let ms = t.nanosecond() / 1_000_000;
    if ms > 999 {
        return None;
    }
    let date = day_digits(t.date_naive())?;
    let mut out = [0u8; 24];
    out[..10].copy_from_slice(&date);
    out[10] = b'T';
    put2(&mut out[11..13], t.hour());
    out[13] = b':';
    put2(&mut out[14..16], t.minute());
    out[16] = b':';
    put2(&mut out[17..19], t.second());
    out[19] = b'.';
    put2(&mut out[20..22], ms / 10);
    out[22] = digit(ms % 10);
    out[23] = b'Z';
    Some(out)
}

/// `YYYY-MM-DD` for years 0 to 9999.
fn day_digits(d: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = [0u8; 10];
    put2(&mut out[0..2], year / 100);
    put2(&mut out[2..4], year % 100);
    out[4] = b'-';
    put2(&mut out[5..7], d.month());
    out[7] = b'-';
    put2(&mut out[8..10], d.day());
    Some(out)
}

fn put2(out: &mut [u8], n: u32) {
    if let [tens, ones] = out {
        *tens = digit(n / 10 % 10);
        *ones = digit(n % 10);
    }
}

fn digit(n: u32) -> u8 {
    // n < 10 by every caller; `% 10` keeps it so and the cast in range.
    b'0' + (n % 10) as u8
}

/// The digits and separators written above are ASCII, so always text.
fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("?")
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, or None for any other shape or an impossible date or time.
fn parse_own(s: &str) -> Option<DateTime<Utc>> {
    let b: &[u8; 24] = s.as_bytes().try_into().ok()?;
    let (date, time) = b.split_at(10);
    if time[0] != b'T' || time[3] != b':' || time[6] != b':' || time[9] != b'.' || time[13] != b'Z'
    {
        return None;
    }
    let time = NaiveTime::from_hms_milli_opt(
        digits(&time[1..3])?,
        digits(&time[4..6])?,
        digits(&time[7..9])?,
        digits(&time[10..13])?,
    )?;
    let date = parse_day(std::str::from_utf8(date).ok()?)?;
    Some(date.and_time(time).and_utc())
}

/// A run of at most four ASCII digits as a number; None if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn chrono_text(t: DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    proptest! {
        /// Written as chrono writes it, and read back through the short path to the same
        /// instant the general parser reads, for every millisecond of years 0 to 9999.
        #[test]
        fn own_text_is_chronos_and_reads_back(ms in -62_167_219_200_000i64..253_402_300_799_999) {
            let t = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
            let own = text(t);
            prop_assert_eq!(&own, &chrono_text(t));
            prop_assert_eq!(parse_own(&own), Some(t));
            prop_assert_eq!(parse(&own), Ok(t));
            prop_assert_eq!(day_text(t.date_naive()), t.date_naive().format("%Y-%m-%d").to_string());
        }

        /// Sub-milliseconds are dropped, as chrono drops them.
        #[test]
        fn nanoseconds_are_cut_to_milliseconds(s in 0i64..4_000_000_000, ns in 0u32..1_000_000_000) {
            let t = Utc.timestamp_opt(s, ns).single().unwrap_or_default();
            prop_assert_eq!(text(t), chrono_text(t));
        }
    }

    #[test]
    fn years_outside_four_digits_and_leap_seconds_are_chronos() {
        let far = Utc.with_ymd_and_hms(12_345, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(text(far), chrono_text(far));
        let early = Utc.with_ymd_and_hms(-1, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(text(early), chrono_text(early));
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1_500)
            .unwrap()
            .and_utc();
        assert_eq!(text(leap), chrono_text(leap));
        assert_eq!(parse(&text(leap)), Ok(leap));
    }

    #[test]
    fn other_shapes_go_to_the_general_parser_or_fail() {
        let at = |s: &str| parse(s).map(text);
        // Offsets, no fraction, more digits, a space for the T: RFC 3339 all the same.
        assert_eq!(
            at("2026-11-30T20:00:00.250+08:00").as_deref(),
            Ok("2026-11-30T12:00:00.250Z")
        );
        assert_eq!(
            at("2026-11-30T12:00:00Z").as_deref(),
            Ok("2026-11-30T12:00:00.000Z")
        );
        assert_eq!(
            at("2026-11-30T12:00:00.123456Z").as_deref(),
            Ok("2026-11-30T12:00:00.123Z")
        );
        assert_eq!(parse_own("2026-11-30 12:00:00.000Z"), None);
        assert_eq!(
            at("2026-11-30 12:00:00.000Z").as_deref(),
            Ok("2026-11-30T12:00:00.000Z")
        );
        // Right length, wrong content: never a wrong time, an error.
        for bad in [
            "2026-02-30T12:00:00.000Z",
            "2026-11-30T24:00:00.000Z",
            "2026-11-30T12:60:00.000Z",
            "2026-11-30T12:00:00.000+",
            "2026-1a-30T12:00:00.000Z",
            "+026-11-30T12:00:00.000Z",
            "２０２６-11-30T12:00:00Z",
            "",
        ] {
            assert_eq!(parse_own(bad), None, "{bad}");
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_day("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert_eq!(parse_day("2025-02-29"), None);
        assert_eq!(parse_day("2025-2-28 "), None);
        assert_eq!(parse_day("2025/02/28"), None);
    }
}
