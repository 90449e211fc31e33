//! Field rules shared by intake and the policy: phone numbers, business
//! registration numbers, amounts and times as claimants write them.
//!
//! Every function here is pure, allocation-light (intake calls them for each
//! of a million rows) and total: any text gives a value or an error, never a
//! panic.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use rust_decimal::Decimal;

/// The business registration number checksum of intake.md, over exactly 10 ASCII digits.
pub fn brn_is_valid(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.len() != 10 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];
    let d = |i: usize| u32::from(b[i] - b'0');
    let mut s: u32 = (0..9).map(|i| d(i) * WEIGHTS[i]).sum();
    s += (d(8) * 5) / 10;
    (10 - s % 10) % 10 == d(9)
}

/// Why a text is not a business registration number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BrnError {
    #[error("is not a business registration number (10 digits, e.g. 220-81-62517)")]
    Format,
    #[error("fails the business registration number checksum")]
    Checksum,
}

/// `220-81-62517`, `2208162517` or `220 81 62517` → `2208162517`, checksum verified.
pub fn normalize_brn(text: &str) -> Result<String, BrnError> {
    let mut out = String::with_capacity(10);
    for c in text.trim().bytes() {
        match c {
            b'0'..=b'9' if out.len() < 10 => out.push(char::from(c)),
            b'-' | b' ' => {}
            _ => return Err(BrnError::Format),
        }
    }
    if out.len() != 10 {
        return Err(BrnError::Format);
    }
    if brn_is_valid(&out) {
        Ok(out)
    } else {
        Err(BrnError::Checksum)
    }
}

/// A Korean mobile number as its national digits, or None.
///
/// Accepted forms: `010-1234-5678`, `01012345678`, `010 1234 5678`,
/// `010.1234.5678`, `(010)1234-5678`, `+82 10-1234-5678`, `+821012345678`,
/// `+82 (0)10-1234-5678`, `0082-10-…`, and `1012345678` (the leading zero a
/// spreadsheet drops when the cell is a number).
///
/// Valid numbers: `010` + 8 digits (11 digits); the legacy prefixes
/// `011 016 017 018 019` + 7 or 8 digits (10 or 11 digits), which some
/// people still carried in 2022. The result is the digits only, so it is
/// 11 digits except for a 10-digit legacy number, which is kept as it is:
/// mapping it to a 010 number is not a rule we can know.
pub fn normalize_phone(text: &str) -> Option<String> {
    let t = text.trim();
    let (intl, body) = match t.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let mut buf = [0u8; 16];
    let mut n = 0;
    for c in body.bytes() {
        match c {
            b'0'..=b'9' => {
                if n == buf.len() {
                    return None;
                }
                buf[n] = c;
                n += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return None,
        }
    }
    let digits = &buf[..n];
    // The national significant number, without its trunk prefix 0.
    let national: &[u8] = if intl {
        let rest = digits.strip_prefix(b"82")?;
        rest.strip_prefix(b"0").unwrap_or(rest)
    } else if let Some(rest) = digits.strip_prefix(b"0082") {
        rest.strip_prefix(b"0").unwrap_or(rest)
    } else if let Some(rest) = digits.strip_prefix(b"0") {
        rest
    } else if digits.first() == Some(&b'1') && (n == 9 || n == 10) {
        digits
    } else {
        return None;
    };
    let ok = match national {
        [b'1', b'0', ..] => national.len() == 10,
        [b'1', b'1' | b'6' | b'7' | b'8' | b'9', ..] => national.len() == 9 || national.len() == 10,
        _ => false,
    };
    if !ok {
        return None;
    }
    let mut out = String::with_capacity(national.len() + 1);
    out.push('0');
    out.extend(national.iter().map(|&c| char::from(c)));
    Some(out)
}

/// Why a text is not an amount in whole won.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("is not an amount in whole won (e.g. 1,234,000 or 1234000원)")]
    NotAnAmount,
    #[error("is negative")]
    Negative,
    #[error("is not a whole number of won")]
    Fraction,
    #[error("is too large (at most 999,999,999,999,999 won)")]
    TooLarge,
}

/// Largest amount accepted: anything beyond 999조 won is a typo, and the bound
/// keeps sums over a million claims far from any overflow.
pub const MAX_WON: u64 = 999_999_999_999_999;

/// Whole won as claimants write it: `1,234,000`, `1234000`, `1234000원`,
/// `1,234,000 원`, `₩1,234,000`, `0원`. Empty (or only spaces) is `None`.
/// Commas must group thousands (`1,00` is refused: it may be a decimal comma);
/// a fraction of zeros (`1000.00`, as spreadsheets write) is whole.
pub fn parse_won(text: &str) -> Result<Option<Decimal>, AmountError> {
    let mut t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Some(rest) = t.strip_prefix('₩').or_else(|| t.strip_prefix('￦')) {
        t = rest.trim_start();
    }
    if let Some(rest) = t.strip_suffix('원') {
        t = rest.trim_end();
    }
    let negative = match t.as_bytes().first() {
        Some(b'-') => {
            t = &t[1..];
            true
        }
        Some(b'+') => {
            t = &t[1..];
            false
        }
        _ => false,
    };
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let mut value: u64 = 0;
    let mut digits = 0usize;
    let mut group = 0usize; // digits since the last comma
    let mut seen_comma = false;
    for c in int_part.bytes() {
        match c {
            b'0'..=b'9' => {
                value = value.saturating_mul(10).saturating_add(u64::from(c - b'0'));
                digits += 1;
                group += 1;
            }
            b',' => {
                let first_group_ok = seen_comma || (1..=3).contains(&group);
                if !first_group_ok || (seen_comma && group != 3) {
                    return Err(AmountError::NotAnAmount);
                }
                seen_comma = true;
                group = 0;
            }
            _ => return Err(AmountError::NotAnAmount),
        }
    }
    if digits == 0 || (seen_comma && group != 3) {
        return Err(AmountError::NotAnAmount);
    }
    if let Some(f) = frac_part {
        if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
            return Err(AmountError::NotAnAmount);
        }
        if f.bytes().any(|c| c != b'0') {
            return Err(AmountError::Fraction);
        }
    }
    if negative && value > 0 {
        return Err(AmountError::Negative);
    }
    if value > MAX_WON {
        return Err(AmountError::TooLarge);
    }
    Ok(Some(Decimal::from(value)))
}

/// Korea Standard Time (+09:00), the zone of times written without an offset.
const KST_SECONDS: i32 = 9 * 3600;

/// A date and time as intake files write it:
/// - RFC 3339: `2022-10-19T09:12:00+09:00`, `2022-10-19T00:12:00Z`, with
///   optional fractional seconds and `+0900` offsets;
/// - `YYYY-MM-DD HH:MM[:SS]`, `YYYY.MM.DD HH:MM[:SS]` (also `/`), read as
///   Korea time (+09:00); month, day and hour may have one digit;
///   a `T` between date and time without an offset is Korea time too.
///
/// A date without a time is refused: the damage period needs the hour.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let mut p = Cursor { b: text.trim().as_bytes(), i: 0 };
    let year = p.digits(4, 4)?;
    let sep = p.one_of(b"-./")?;
    let month = p.digits(1, 2)?;
    p.expect(sep)?;
    let day = p.digits(1, 2)?;
    match p.peek() {
        Some(b'T' | b't') => p.i += 1,
        Some(b' ') => {
            while p.peek() == Some(b' ') {
                p.i += 1;
            }
        }
        _ => return None,
    }
    let hour = p.digits(1, 2)?;
    p.expect(b':')?;
    let minute = p.digits(2, 2)?;
    let second = if p.peek() == Some(b':') {
        p.i += 1;
        p.digits(2, 2)?
    } else {
        0
    };
    let mut nanos = 0u32;
    if p.peek() == Some(b'.') || p.peek() == Some(b',') {
        p.i += 1;
        let start = p.i;
        while let Some(c @ b'0'..=b'9') = p.peek() {
            if p.i - start < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
            }
            p.i += 1;
        }
        let n = p.i - start;
        if n == 0 {
            return None;
        }
        for _ in n.min(9)..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match p.peek() {
        None => KST_SECONDS,
        Some(b'Z' | b'z') => {
            p.i += 1;
            0
        }
        Some(c @ (b'+' | b'-')) => {
            p.i += 1;
            let h = p.digits(2, 2)?;
            if p.peek() == Some(b':') {
                p.i += 1;
            }
            let m = p.digits(2, 2)?;
            if m >= 60 {
                return None;
            }
            let s = i32::try_from(h * 3600 + m * 60).ok()?;
            if c == b'-' {
                -s
            } else {
                s
            }
        }
        _ => return None,
    };
    if p.i != p.b.len() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    // Leap seconds (:60) are refused: no claimant writes them on purpose.
    if second >= 60 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset = FixedOffset::east_opt(offset_seconds)?;
    let local = offset.from_local_datetime(&date.and_time(time)).single()?;
    Some(local.with_timezone(&Utc))
}

/// A tiny byte cursor for the date-time parser (no regex, no allocation).
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }
    fn one_of(&mut self, set: &[u8]) -> Option<u8> {
        let c = self.peek()?;
        set.contains(&c).then(|| {
            self.i += 1;
            c
        })
    }
    /// Between `min` and `max` ASCII digits as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v = 0u32;
        while self.i - start < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(v)
    }
}

/// A bank account number: digits with optional dashes or spaces, at least
/// one digit. Returns the text trimmed, as written (banks print it with dashes).
pub fn normalize_account(text: &str) -> Option<String> {
    let t = text.trim();
    let ok = t.bytes().any(|c| c.is_ascii_digit()) && t.bytes().all(|c| c.is_ascii_digit() || c == b'-' || c == b' ');
    ok.then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().expect("valid test time")
    }

    #[test]
    fn brn_checksum_matches_the_spec_example() {
        assert!(brn_is_valid("2208162517"));
        assert!(!brn_is_valid("2208162518"));
        assert!(!brn_is_valid("220816251"));
        assert!(!brn_is_valid("220-81-62517"), "takes digits only; intake strips dashes");
        assert!(!brn_is_valid("２２08162517"), "full-width digits are not digits here");
    }

    #[test]
    fn brn_normalizes_dashes_and_checks_the_sum() {
        assert_eq!(normalize_brn("220-81-62517"), Ok("2208162517".into()));
        assert_eq!(normalize_brn(" 2208162517 "), Ok("2208162517".into()));
        assert_eq!(normalize_brn("220 81 62517"), Ok("2208162517".into()));
        assert_eq!(normalize_brn("220-81-62518"), Err(BrnError::Checksum));
        assert_eq!(normalize_brn("220-81-6251"), Err(BrnError::Format));
        assert_eq!(normalize_brn("220-81-625170"), Err(BrnError::Format));
        assert_eq!(normalize_brn("22O-81-62517"), Err(BrnError::Format));
        assert_eq!(normalize_brn(""), Err(BrnError::Format));
    }

    #[test]
    fn phones_in_every_common_form() {
        for text in [
            "010-1234-5678",
            "01012345678",
            "010 1234 5678",
            "010.1234.5678",
            "(010)1234-5678",
            "+82 10-1234-5678",
            "+821012345678",
            "+82 (0)10-1234-5678",
            "0082-10-1234-5678",
            "1012345678",
            "  010-1234-5678 ",
        ] {
            assert_eq!(normalize_phone(text).as_deref(), Some("01012345678"), "{text}");
        }
        assert_eq!(normalize_phone("010-0197-1323").as_deref(), Some("01001971323"));
        assert_eq!(normalize_phone("011-234-5678").as_deref(), Some("0112345678"), "10-digit legacy kept");
        assert_eq!(normalize_phone("016-1234-5678").as_deref(), Some("01612345678"));
        for bad in [
            "010-12-5678",
            "010-123-4567",
            "010-1234-56789",
            "02-1234-5678",
            "031-123-4567",
            "012-1234-5678",
            "+1 10-1234-5678",
            "+82 2-1234-5678",
            "010-1234-567a",
            "0101234567８",
            "",
            "-",
            "+",
            "1588-1234",
            "01012345678901234567890",
        ] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts_in_whole_won() {
        let won = |n: u64| Ok(Some(Decimal::from(n)));
        assert_eq!(parse_won("1,234,000"), won(1_234_000));
        assert_eq!(parse_won("1234000원"), won(1_234_000));
        assert_eq!(parse_won("1,234,000 원"), won(1_234_000));
        assert_eq!(parse_won("₩1,234,000"), won(1_234_000));
        assert_eq!(parse_won("0원"), won(0));
        assert_eq!(parse_won("0"), won(0));
        assert_eq!(parse_won("1000.00"), won(1000));
        assert_eq!(parse_won("999"), won(999));
        assert_eq!(parse_won(""), Ok(None));
        assert_eq!(parse_won("   "), Ok(None));
        assert_eq!(parse_won("많이"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("원"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("1,00"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("1,0000"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won(",100"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("1000,"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("1000."), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("1e6"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("-1,000"), Err(AmountError::Negative));
        assert_eq!(parse_won("1000.5"), Err(AmountError::Fraction));
        assert_eq!(parse_won("1000000000000000"), Err(AmountError::TooLarge));
        assert_eq!(parse_won("99999999999999999999999999999"), Err(AmountError::TooLarge));
        assert_eq!(parse_won("999,999,999,999,999"), won(MAX_WON));
    }

    #[test]
    fn times_as_written_in_intake_files() {
        let t = utc(2022, 10, 19, 0, 12, 0); // 09:12 in Korea
        for text in [
            "2022-10-19T09:12:00+09:00",
            "2022-10-19T00:12:00Z",
            "2022-10-19T09:12:00+0900",
            "2022-10-19T09:12:00.000+09:00",
            "2022-10-19 09:12",
            "2022-10-19 09:12:00",
            "2022.10.19 09:12",
            "2022.10.19 09:12:00",
            "2022/10/19 09:12",
            "2022-10-19T09:12",
            " 2022-10-19  9:12 ",
        ] {
            assert_eq!(parse_datetime(text), Some(t), "{text}");
        }
        assert_eq!(parse_datetime("2022-10-19T09:12:30.5+09:00"), Some(t + chrono::Duration::milliseconds(30_500)));
        assert_eq!(parse_datetime("2022-10-18T20:12:00-04:00"), Some(t));
        for bad in [
            "2022-10-19",
            "2022-13-01 10:00",
            "2022-02-30 10:00",
            "2022-10-19 24:00",
            "2022-10-19 10:60",
            "2022-10-19 10:00:60",
            "2022-10.19 10:00",
            "22-10-19 10:00",
            "2022-10-19 10:00 KST",
            "2022-10-19T10:00:00+25:00",
            "2022-10-19T10:00:00+09:60",
            "2022-10-19T10:00:00.+09:00",
            "어제 저녁",
            "",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn account_numbers_are_digits_and_dashes() {
        assert_eq!(normalize_account(" 123-456-789012 ").as_deref(), Some("123-456-789012"));
        assert_eq!(normalize_account("123 456"), Some("123 456".into()));
        assert_eq!(normalize_account("국민 123"), None);
        assert_eq!(normalize_account("--"), None);
    }

    fn valid_phone() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{8}".prop_map(|s| format!("010{s}")),
            ("(011|016|017|018|019)", "[0-9]{7,8}").prop_map(|(p, s)| format!("{p}{s}")),
        ]
    }

    proptest! {
        #[test]
        fn validators_never_panic(s in "\\PC*") {
            let _ = normalize_phone(&s);
            let _ = normalize_brn(&s);
            let _ = parse_won(&s);
            let _ = parse_datetime(&s);
            let _ = normalize_account(&s);
            let _ = brn_is_valid(&s);
        }

        #[test]
        fn validators_never_panic_on_near_misses(s in "[0-9+\\-.,: T원Z]{0,30}") {
            let _ = normalize_phone(&s);
            let _ = parse_won(&s);
            let _ = parse_datetime(&s);
        }

        #[test]
        fn phone_normalization_round_trips(digits in valid_phone(), style in 0usize..6) {
            let (head, rest) = digits.split_at(3);
            let (mid, tail) = rest.split_at(rest.len() - 4);
            let written = match style {
                0 => digits.clone(),
                1 => format!("{head}-{mid}-{tail}"),
                2 => format!("+82 {}-{mid}-{tail}", &head[1..]),
                3 => format!("+82{}", &digits[1..]),
                4 => format!("{head} {mid} {tail}"),
                _ => format!("{head}.{mid}.{tail}"),
            };
            prop_assert_eq!(normalize_phone(&written), Some(digits.clone()));
            // Normalizing the normal form is the identity.
            prop_assert_eq!(normalize_phone(&digits), Some(digits));
        }

        #[test]
        fn amounts_round_trip_through_the_won_format(n in 0u64..=MAX_WON) {
            let shown = crate::time::format_won(i64::try_from(n).unwrap_or(0));
            prop_assert_eq!(parse_won(&shown), Ok(Some(Decimal::from(n))));
            prop_assert_eq!(parse_won(&format!("{n}원")), Ok(Some(Decimal::from(n))));
        }
    }
}
