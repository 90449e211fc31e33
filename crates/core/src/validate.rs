//! Field rules shared by intake and the policy: phone numbers, business
//! registration numbers, amounts and times as claimants write them.
//!
//! Every function here is pure, allocation-light (intake calls them for each
//! of a million rows) and total: any text gives a value or an error, never a
//! panic.

use std::borrow::Cow;

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

/// `220-81-62517`, `2208162517` or `220 81 62517` → `2208162517`, checksum
/// verified; full-width digits, Unicode dashes and spaces read as for phones.
pub fn normalize_brn(text: &str) -> Result<String, BrnError> {
    let folded = fold(text);
    if folded.mixed_digits {
        return Err(BrnError::Format);
    }
    let mut out = String::with_capacity(10);
    for c in folded.text.trim().bytes() {
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

/// How one character of a value is read. Text typed with a Korean input
/// method in full-width mode, pasted from a web page or written by a
/// spreadsheet uses look-alikes of the ASCII characters the rules are
/// written in: those are read as their ASCII form, invisible characters are
/// dropped, and everything else stays as it is (and so breaks the rule).
enum Look {
    Keep,
    As(char),
    Drop,
}

fn look(c: char) -> Look {
    match c {
        // Full-width digits ０-９ (a Korean input method's full-width mode).
        '\u{FF10}'..='\u{FF19}' => char::from_digit(u32::from(c) - 0xFF10, 10).map_or(Look::Keep, Look::As),
        '\u{FF0B}' => Look::As('+'),
        '\u{FF0C}' | '\u{FE50}' => Look::As(','),
        '\u{FF0E}' => Look::As('.'),
        '\u{FF08}' => Look::As('('),
        '\u{FF09}' => Look::As(')'),
        '\u{FF25}' => Look::As('E'),
        '\u{FF45}' => Look::As('e'),
        '\u{FF5E}' | '\u{301C}' => Look::As('~'),
        '\u{FFE6}' => Look::As('₩'),
        // Hyphens and dashes: ‐ ‑ ‒ – — ―, the minus sign −, small and full-width hyphen-minus.
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => Look::As('-'),
        // Spaces: tab, no-break space, the en/em/thin/hair spaces, narrow
        // no-break space, medium mathematical space, the ideographic space.
        '\t' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => Look::As(' '),
        // Invisible: zero-width space, non-joiner and joiner, word joiner, BOM, soft hyphen.
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => Look::Drop,
        _ => Look::Keep,
    }
}

/// A value with its look-alike characters read as ASCII (see [`look`]).
struct Folded<'a> {
    text: Cow<'a, str>,
    /// Both ASCII and full-width digits occur in it (`010-1234-567８`).
    mixed_digits: bool,
}

/// Reads look-alikes as ASCII; borrows when there is nothing to change, as
/// for every ASCII value.
fn fold(text: &str) -> Folded<'_> {
    if text.is_ascii() {
        return Folded { text: Cow::Borrowed(text), mixed_digits: false };
    }
    let mut out: Option<String> = None;
    let (mut ascii_digit, mut wide_digit) = (false, false);
    for (i, c) in text.char_indices() {
        ascii_digit |= c.is_ascii_digit();
        wide_digit |= ('\u{FF10}'..='\u{FF19}').contains(&c);
        match look(c) {
            Look::Keep => {
                if let Some(o) = out.as_mut() {
                    o.push(c);
                }
            }
            Look::As(a) => out.get_or_insert_with(|| text[..i].to_string()).push(a),
            Look::Drop => {
                out.get_or_insert_with(|| text[..i].to_string());
            }
        }
    }
    let text = out.map_or(Cow::Borrowed(text), Cow::Owned);
    Folded { text, mixed_digits: ascii_digit && wide_digit }
}

/// Why a text is not a Korean mobile number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is not a Korean mobile number")]
    NotMobile,
    /// `010-1234-567８`: refused rather than guessed, as a number typed half
    /// in each width has usually been edited by hand.
    #[error("mixes full-width and ordinary digits")]
    MixedDigits,
    /// `1.01235E+09`: the spreadsheet kept only the first digits.
    #[error("was shortened to scientific notation by a spreadsheet, which dropped digits")]
    Rounded,
}

/// A Korean mobile number as its national digits, or None; [`parse_phone`]
/// says why not.
pub fn normalize_phone(text: &str) -> Option<String> {
    parse_phone(text).ok()
}

/// A Korean mobile number as its national digits (the trunk prefix 0, then
/// the number: `01012345678`).
///
/// Accepted forms: `010-1234-5678`, `01012345678`, `010 1234 5678`,
/// `010.1234.5678`, `(010)1234-5678`; with the country code `+82 10-1234-5678`,
/// `+821012345678`, `+82 (0)10-1234-5678`, `+82 010-1234-5678`, `0082-10-…`,
/// and `82-10-1234-5678` / `82 10 1234 5678` (82 without its +);
/// `1012345678` (the leading zero a spreadsheet drops when the cell is a
/// number), also as a spreadsheet writes such a number: `1012345678.0`, or
/// `1.012345678E+09` when every digit is still there. Full-width digits and
/// signs, every Unicode hyphen, dash and minus, and Unicode spaces are read as
/// their ASCII forms; zero-width characters are ignored.
///
/// Valid numbers: `010` + 8 digits (11 digits); the legacy prefixes
/// `011 016 017 018 019` + 7 or 8 digits (10 or 11 digits), which some
/// people still carried in 2022. The result is the digits only, so it is
/// 11 digits except for a legacy number with a 3-digit middle part, which is
/// kept as its 10 digits (`011-234-5678` → `0112345678`): mapping it to a 010
/// number is not a rule we can know. This is the number's national form, the
/// same digits as libphonenumber's (tested against it).
pub fn parse_phone(text: &str) -> Result<String, PhoneError> {
    let folded = fold(text);
    if folded.mixed_digits {
        return Err(PhoneError::MixedDigits);
    }
    let t = folded.text.trim();
    let mut buf = [0u8; 16];
    let mut n = 0;
    let sheet = if t.bytes().any(|c| matches!(c, b'.' | b'E' | b'e')) {
        spreadsheet_digits(t, &mut buf)?
    } else {
        None
    };
    let intl = match sheet {
        Some(len) => {
            n = len;
            false
        }
        None => {
            let (intl, body) = match t.strip_prefix('+') {
                Some(rest) => (true, rest),
                None => (false, t),
            };
            for c in body.bytes() {
                match c {
                    b'0'..=b'9' => {
                        if n == buf.len() {
                            return Err(PhoneError::NotMobile);
                        }
                        buf[n] = c;
                        n += 1;
                    }
                    b' ' | b'\t' | b'-' | b'.' | b'(' | b')' => {}
                    _ => return Err(PhoneError::NotMobile),
                }
            }
            intl
        }
    };
    let digits = &buf[..n];
    // The national significant number, without its trunk prefix 0.
    let national: &[u8] = if intl {
        let rest = digits.strip_prefix(b"82").ok_or(PhoneError::NotMobile)?;
        rest.strip_prefix(b"0").unwrap_or(rest)
    } else if let Some(rest) = digits.strip_prefix(b"0082") {
        rest.strip_prefix(b"0").unwrap_or(rest)
    } else if let Some(rest) = digits.strip_prefix(b"0") {
        rest
    } else if let Some(rest) = digits.strip_prefix(b"82") {
        // The country code without its +; a national number starts with 0,
        // or with 1 when its 0 was dropped, so 82 cannot begin one.
        rest.strip_prefix(b"0").unwrap_or(rest)
    } else if digits.first() == Some(&b'1') && (n == 9 || n == 10) {
        digits
    } else {
        return Err(PhoneError::NotMobile);
    };
    let ok = match national {
        [b'1', b'0', ..] => national.len() == 10,
        [b'1', b'1' | b'6' | b'7' | b'8' | b'9', ..] => national.len() == 9 || national.len() == 10,
        _ => false,
    };
    if !ok {
        return Err(PhoneError::NotMobile);
    }
    let mut out = String::with_capacity(national.len() + 1);
    out.push('0');
    out.extend(national.iter().map(|&c| char::from(c)));
    Ok(out)
}

/// A phone a spreadsheet wrote as a number: `1012345678.0` or
/// `1.012345678E+09`. Puts its digits in `buf` and returns how many, or
/// None when the text is not written that way.
fn spreadsheet_digits(t: &str, buf: &mut [u8; 16]) -> Result<Option<usize>, PhoneError> {
    let b = t.as_bytes();
    let is_digit = |c: &u8| c.is_ascii_digit();
    // Digits, a point and only zeros.
    if let Some(dot) = t.find('.') {
        let (int, frac) = (&b[..dot], &b[dot + 1..]);
        // A number cell has no leading zero, so 0101234.0000 is not one.
        if int.first().is_some_and(|&c| c != b'0')
            && int.iter().all(is_digit)
            && !frac.is_empty()
            && frac.iter().all(|&c| c == b'0')
        {
            if int.len() > buf.len() {
                return Err(PhoneError::NotMobile);
            }
            buf[..int.len()].copy_from_slice(int);
            return Ok(Some(int.len()));
        }
    }
    // Scientific notation: one digit, an optional fraction, E, an exponent.
    let Some(e) = b.iter().position(|&c| c == b'E' || c == b'e') else {
        return Ok(None);
    };
    let (mantissa, exponent) = (&t[..e], &t[e + 1..]);
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (first, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    if first.len() != 1
        || !first.bytes().all(|c| matches!(c, b'1'..=b'9'))
        || !frac.bytes().all(|c| c.is_ascii_digit())
        || exponent.is_empty()
        || exponent.len() > 2
        || !exponent.bytes().all(|c| c.is_ascii_digit())
    {
        return Ok(None);
    }
    let places = exponent.bytes().fold(0usize, |v, c| v * 10 + usize::from(c - b'0')) + 1;
    let mut written: Vec<u8> = first.bytes().chain(frac.bytes()).collect();
    // Zeros written past the last place change nothing (1.0123456780E+09).
    while written.len() > places && written.last() == Some(&b'0') {
        written.pop();
    }
    if written.len() > places {
        return Err(PhoneError::NotMobile); // a fraction
    }
    if written.len() < places {
        // Digits were dropped; only worth saying so when it was long enough to be a phone.
        return Err(if (9..=13).contains(&places) { PhoneError::Rounded } else { PhoneError::NotMobile });
    }
    if places > buf.len() {
        return Err(PhoneError::NotMobile);
    }
    buf[..places].copy_from_slice(&written);
    Ok(Some(places))
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
    /// `1,234,00０`: refused rather than guessed, as for phone numbers.
    #[error("mixes full-width and ordinary digits")]
    MixedDigits,
    /// `약 12만원`, `10~20만원`, `100만원 이상`: not the one amount claimed.
    #[error("is an estimate or a range, not one amount")]
    Estimate,
    /// `3만5` (30,005 as written, 35,000 as said aloud), `1억5천`
    /// (100,005,000 or 150,000,000): Korean amount words read two ways.
    #[error("can be read as {} or {} won", won_text(*.literal), won_text(*.shorthand))]
    Ambiguous { literal: u64, shorthand: u64 },
}

/// Whole won with thousands separators (1,234,000).
pub fn won_text(n: u64) -> String {
    crate::time::format_won(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Largest amount accepted: anything beyond 999조 won is a typo, and the bound
/// keeps sums over a million claims far from any overflow.
pub const MAX_WON: u64 = 999_999_999_999_999;

/// Words and signs that make an amount an estimate or a range.
const ESTIMATE_WORDS: &[&str] = &[
    "약", "대략", "정도", "쯤", "가량", "내외", "안팎", "남짓", "이상", "이하", "미만", "초과", "최소",
    "최대", "여원", "여만", "여억", "예상", "추정", "±",
];

fn is_estimate(t: &str) -> bool {
    let b = t.as_bytes();
    if b.contains(&b'~') {
        return true;
    }
    // A dash between two numbers: 100,000-200,000 or 10-20만원.
    let range = b.iter().enumerate().any(|(i, &c)| {
        c == b'-'
            && b[..i].iter().rev().find(|&&x| x != b' ').is_some_and(u8::is_ascii_digit)
            && b[i + 1..].iter().find(|&&x| x != b' ').is_some_and(u8::is_ascii_digit)
    });
    // The words only where there is Hangul besides 원 (most amounts have none).
    range
        || (t.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c) && c != '원') || t.contains('±'))
            && ESTIMATE_WORDS.iter().any(|w| t.contains(w))
}

/// A leading sign: Some(true) for `-`, Some(false) for `+`.
fn take_sign(t: &str) -> (Option<bool>, &str) {
    match t.as_bytes().first() {
        Some(b'-') => (Some(true), t[1..].trim_start()),
        Some(b'+') => (Some(false), t[1..].trim_start()),
        _ => (None, t),
    }
}

/// Whole won as claimants and spreadsheets write it: `1,234,000`, `1234000`,
/// `1234000원`, `1,234,000 원`, `₩1,234,000`, `KRW 1,234,000`, `0원`,
/// `1234000.0` (a fraction of zeros, as spreadsheets write), full-width
/// `１，２３４，０００원`, and the accounting format's zero `₩ -`. Commas must
/// group thousands (`1,00` is refused: it may be a decimal comma).
/// Korean amount words are read when they can be read one way only:
/// `12만원` = 120,000, `1억 2천만 원`, `1,200만원`, `3만 5천원`, `12만 500원`,
/// `천만원`, `오만원`, `1.5만원` = 15,000; see [`AmountError`] for what is
/// refused (`약 12만원`, `3만5`, `1억5천`). Empty (or only spaces) is `None`.
pub fn parse_won(text: &str) -> Result<Option<Decimal>, AmountError> {
    // Most amounts are digits and commas, perhaps with 원: read them at once
    // (the path below gives the same result for them, only slower).
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.strip_suffix('원').map_or(t, str::trim_end);
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit() || c == b',' || c == b'.') {
        let value = plain_won(digits)?;
        return if value > MAX_WON { Err(AmountError::TooLarge) } else { Ok(Some(Decimal::from(value))) };
    }
    let folded = fold(text);
    let mut t = folded.text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if folded.mixed_digits {
        return Err(AmountError::MixedDigits);
    }
    if is_estimate(t) {
        return Err(AmountError::Estimate);
    }
    // A sign, the currency mark and the sign again: -₩1,000 and ₩-1,000.
    let (mut sign, rest) = take_sign(t);
    t = rest;
    let mut currency = false;
    if let Some(rest) = t.strip_prefix('₩') {
        currency = true;
        t = rest.trim_start();
    } else if t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("krw")) {
        currency = true;
        t = t[3..].trim_start();
    }
    if sign.is_none() {
        let (s, rest) = take_sign(t);
        sign = s;
        t = rest;
    }
    if let Some(rest) = t.strip_suffix('원') {
        currency = true;
        t = rest.trim_end();
    } else if t.len() >= 3 && t.get(t.len() - 3..).is_some_and(|p| p.eq_ignore_ascii_case("krw")) {
        currency = true;
        t = t[..t.len() - 3].trim_end();
    }
    let negative = sign == Some(true);
    // The accounting format writes zero as a dash beside the currency mark.
    if t.is_empty() && negative && currency {
        return Ok(Some(Decimal::ZERO));
    }
    let value =
        if t.contains(['십', '백', '천', '만', '억', '조']) { korean_won(t)? } else { plain_won(t)? };
    if negative && value > 0 {
        return Err(AmountError::Negative);
    }
    if value > MAX_WON {
        return Err(AmountError::TooLarge);
    }
    Ok(Some(Decimal::from(value)))
}

/// Digits with commas grouping thousands and an optional fraction of zeros.
fn plain_won(t: &str) -> Result<u64, AmountError> {
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let (value, _) = grouped_integer(int_part).ok_or(AmountError::NotAnAmount)?;
    if let Some(f) = frac_part {
        if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
            return Err(AmountError::NotAnAmount);
        }
        if f.bytes().any(|c| c != b'0') {
            return Err(AmountError::Fraction);
        }
    }
    Ok(value)
}

/// ASCII digits, optionally with commas that group thousands (`1,234`), as
/// (value, saturating at u64::MAX; number of digits).
fn grouped_integer(s: &str) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    let mut digits = 0usize;
    let mut group = 0usize; // digits since the last comma
    let mut seen_comma = false;
    for c in s.bytes() {
        match c {
            b'0'..=b'9' => {
                value = value.saturating_mul(10).saturating_add(u64::from(c - b'0'));
                digits += 1;
                group += 1;
            }
            b',' => {
                let first_group_ok = seen_comma || (1..=3).contains(&group);
                if !first_group_ok || (seen_comma && group != 3) {
                    return None;
                }
                seen_comma = true;
                group = 0;
            }
            _ => return None,
        }
    }
    (digits > 0 && !(seen_comma && group != 3)).then_some((value, digits))
}

/// A number in a Korean amount, before the unit that scales it.
#[derive(Clone, Copy)]
struct Coefficient {
    /// The value times 10^scale (`1.5` is 15 with scale 1).
    value: u128,
    scale: u32,
    /// Digits written (a Hangul numeral counts as one).
    digits: usize,
}

/// `12만`, `1억 2천만`, `3만 5천`, `오만`, `1.5만`: Korean amount words.
///
/// A group is a number up to 9999, in digits (`1,200`) or with 천/백/십
/// (`3천5백`, `천`, `삼천`), optionally followed by 만, 억 or 조, the groups in
/// descending order. Refused as ambiguous: a single digit after a unit other
/// than 십 (`3만5` is 30,005 as written but 35,000 as said aloud), and
/// anything after 억 or 조 without its own 만 (`1억5천`: 100,005,000 or
/// 150,000,000). A decimal (`1.5만`, `2.35억`) stands alone.
fn korean_won(t: &str) -> Result<u64, AmountError> {
    const MAN: u128 = 10_000;
    const NONE: u128 = u128::MAX;
    let mut total: u128 = 0; // the groups closed by 만, 억 or 조
    let mut last_big = NONE;
    let mut group: u128 = 0; // 천/백/십 parts of the open group
    let mut last_small = MAN; // the open group's last small unit (MAN: none yet)
    let mut pending: Option<Coefficient> = None;
    let mut decimal_done = false;
    let mut chars = t.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == ' ' {
            continue;
        }
        if decimal_done {
            return Err(AmountError::NotAnAmount);
        }
        let numeral = match c {
            '일' => Some(1),
            '이' => Some(2),
            '삼' => Some(3),
            '사' => Some(4),
            '오' => Some(5),
            '육' => Some(6),
            '칠' => Some(7),
            '팔' => Some(8),
            '구' => Some(9),
            _ => None,
        };
        let small = match c {
            '십' => Some(10),
            '백' => Some(100),
            '천' => Some(1000),
            _ => None,
        };
        let big = match c {
            '만' => Some(MAN),
            '억' => Some(100_000_000),
            '조' => Some(1_000_000_000_000),
            _ => None,
        };
        if c.is_ascii_digit() {
            if pending.is_some() {
                return Err(AmountError::NotAnAmount);
            }
            let mut end = i + 1;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_digit() || d == ',' || d == '.' {
                    end = j + 1;
                    chars.next();
                } else {
                    break;
                }
            }
            pending = Some(coefficient(&t[i..end])?);
        } else if let Some(v) = numeral {
            if pending.is_some() {
                return Err(AmountError::NotAnAmount);
            }
            pending = Some(Coefficient { value: v, scale: 0, digits: 1 });
        } else if let Some(unit) = small {
            if unit >= last_small {
                return Err(AmountError::NotAnAmount);
            }
            let coef = match pending.take() {
                None => 1,
                Some(p) if p.scale > 0 => {
                    if total > 0 || group > 0 || last_big != NONE {
                        return Err(AmountError::NotAnAmount);
                    }
                    decimal_done = true;
                    scaled(p, unit)?
                }
                Some(p) if p.digits == 1 && p.value > 0 => p.value,
                Some(_) => return Err(AmountError::NotAnAmount),
            };
            group += coef * unit;
            last_small = unit;
        } else if let Some(unit) = big {
            if unit >= last_big {
                return Err(AmountError::NotAnAmount);
            }
            let value = match pending.take() {
                None if group == 0 => 1,
                None => group,
                Some(p) if p.scale > 0 => {
                    if total > 0 || group > 0 || last_big != NONE {
                        return Err(AmountError::NotAnAmount);
                    }
                    decimal_done = true;
                    total = scaled(p, unit)?;
                    last_big = unit;
                    continue;
                }
                Some(p) => match tail(p, group, last_small) {
                    Tail::Value(v) => group + v,
                    Tail::Ambiguous(shorthand) => {
                        return Err(ambiguous(total + (group + p.value) * unit, total + shorthand * unit));
                    }
                    Tail::Bad => return Err(AmountError::NotAnAmount),
                },
            };
            if value == 0 {
                return Err(AmountError::NotAnAmount);
            }
            total += value * unit;
            last_big = unit;
            group = 0;
            last_small = MAN;
        } else {
            return Err(AmountError::NotAnAmount);
        }
    }
    let rest = match pending {
        None => group,
        Some(p) if p.scale > 0 => return Err(AmountError::NotAnAmount),
        Some(p) => match tail(p, group, last_small) {
            Tail::Value(v) => group + v,
            Tail::Ambiguous(shorthand) => return Err(ambiguous(total + group + p.value, total + shorthand)),
            Tail::Bad => return Err(AmountError::NotAnAmount),
        },
    };
    if rest > 0 && last_big != NONE && last_big > MAN {
        // After 억 or 조 the next group is counted in 만: 1억 5천만.
        let shorthand = if pending.is_some_and(|p| p.digits == 1) && group == 0 {
            total + rest * last_big / 10
        } else {
            total + rest * (last_big / MAN)
        };
        return Err(ambiguous(total + rest, shorthand));
    }
    if pending.is_some_and(|p| p.digits == 1) && group == 0 && last_big == MAN {
        return Err(ambiguous(total + rest, total + rest * MAN / 10));
    }
    u64::try_from(total + rest).map_err(|_| AmountError::TooLarge)
}

fn ambiguous(literal: u128, shorthand: u128) -> AmountError {
    let cap = |v: u128| u64::try_from(v).unwrap_or(u64::MAX);
    AmountError::Ambiguous { literal: cap(literal), shorthand: cap(shorthand) }
}

/// What a plain number ending a group adds to it.
enum Tail {
    Value(u128),
    /// A single digit after 백 or 천: the group's value if the digit was
    /// meant as the next place (`3천5` said for 3,500).
    Ambiguous(u128),
    Bad,
}

/// A plain number that ends a group: below the group's last unit, and a
/// single digit only after 십 (`3천5` could be 3,005 or 3,500).
fn tail(p: Coefficient, group: u128, last_small: u128) -> Tail {
    if p.value >= 10_000 || (group > 0 && p.value >= last_small) {
        return Tail::Bad;
    }
    if group > 0 && p.digits == 1 && last_small > 10 {
        return Tail::Ambiguous(group + p.value * last_small / 10);
    }
    Tail::Value(p.value)
}

/// A decimal coefficient times its unit, which must come out whole.
fn scaled(p: Coefficient, unit: u128) -> Result<u128, AmountError> {
    let div = 10u128.pow(p.scale);
    let v = p.value * unit;
    if !v.is_multiple_of(div) {
        return Err(AmountError::Fraction);
    }
    Ok(v / div)
}

/// `1,200`, `12`, `1.5` before a Korean unit.
fn coefficient(s: &str) -> Result<Coefficient, AmountError> {
    let (int_part, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    let (int, digits) = grouped_integer(int_part).ok_or(AmountError::NotAnAmount)?;
    if int >= 10_000 || frac.len() > 12 || !frac.bytes().all(|c| c.is_ascii_digit()) || s.ends_with('.') {
        return Err(AmountError::NotAnAmount);
    }
    let frac = frac.trim_end_matches('0');
    let scale = u32::try_from(frac.len()).map_err(|_| AmountError::NotAnAmount)?;
    let f = frac.bytes().fold(0u128, |v, c| v * 10 + u128::from(c - b'0'));
    Ok(Coefficient { value: u128::from(int) * 10u128.pow(scale) + f, scale, digits })
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
/// one digit. Returns the text trimmed, as written (banks print it with
/// dashes), with full-width digits, Unicode dashes and spaces in ASCII.
pub fn normalize_account(text: &str) -> Option<String> {
    let folded = fold(text);
    if folded.mixed_digits {
        return None;
    }
    let t = folded.text.trim();
    let ok = t.bytes().any(|c| c.is_ascii_digit())
        && t.bytes().all(|c| c.is_ascii_digit() || c == b'-' || c == b' ');
    ok.then(|| t.to_string())
}

/// Whether `text` reads as one e-mail address a mail server would take:
/// `local@domain`, no spaces or angle brackets, one `@`, a domain of dotted
/// labels (letters, digits, `-`) ending in a label of letters, at most 254
/// characters (RFC 5321). Display names (`이름 <a@b.kr>`) are not addresses.
pub fn is_email(text: &str) -> bool {
    if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';')) {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else { return false };
    if local.is_empty()
        || local.len() > 64
        || domain.contains('@')
        || local.starts_with('.')
        || local.ends_with('.')
    {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|l| l.chars().all(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_email_address_is_told_from_what_is_not_one() {
        for ok in ["kim@example.kr", "a.b+claims@mail.co.kr", "x@sub-domain.example.com"] {
            assert!(super::is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "kim",
            "kim@",
            "@example.kr",
            "kim@example",
            "kim@@example.kr",
            "kim @example.kr",
            "김 <kim@example.kr>",
            "kim@example.123",
            "kim@-x.kr",
            ".kim@example.kr",
            "a,b@example.kr",
        ] {
            assert!(!super::is_email(bad), "{bad}");
        }
    }

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
        assert_eq!(
            parse_datetime("2022-10-19T09:12:30.5+09:00"),
            Some(t + chrono::Duration::milliseconds(30_500))
        );
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
    fn phones_as_input_methods_web_pages_and_spreadsheets_write_them() {
        for text in [
            // Full-width digits and signs (a Korean input method in full-width mode).
            "０１０－１２３４－５６７８",
            "＋８２ １０ １２３４ ５６７８",
            "（０１０）１２３４－５６７８",
            // Every Unicode hyphen, dash and minus.
            "010\u{2010}1234\u{2010}5678",
            "010\u{2011}1234\u{2011}5678",
            "010\u{2012}1234\u{2012}5678",
            "010\u{2013}1234\u{2013}5678",
            "010\u{2014}1234\u{2014}5678",
            "010\u{2015}1234\u{2015}5678",
            "010\u{2212}1234\u{2212}5678",
            "010\u{FE63}1234\u{FE63}5678",
            "010\u{FF0D}1234\u{FF0D}5678",
            // Spaces: no-break, ideographic, thin, narrow no-break, tab; zero-width characters.
            "010\u{00A0}1234\u{00A0}5678",
            "010\u{3000}1234\u{3000}5678",
            "010\u{2009}1234\u{2009}5678",
            "010\u{202F}1234\u{202F}5678",
            "010\t1234\t5678",
            "\u{FEFF}010-1234-5678",
            "010\u{200B}1234\u{200B}5678",
            "010-1234-5678\u{200D}",
            "\u{3000}010-1234-5678\u{00A0}",
            // The country code, with or without +, with the trunk 0 kept.
            "82-10-1234-5678",
            "82 10 1234 5678",
            "821012345678",
            "82 010 1234 5678",
            "+82 010-1234-5678",
            "+82-010-1234-5678",
            "0082 10 1234 5678",
            "0082-010-1234-5678",
            // As a spreadsheet writes a number cell.
            "1012345678",
            "1012345678.0",
            "1012345678.00",
            "1.012345678E+09",
            "1.012345678E+9",
            "1.012345678e9",
            "1.0123456780E+09",
        ] {
            assert_eq!(parse_phone(text).as_deref(), Ok("01012345678"), "{text:?}");
        }
        assert_eq!(parse_phone("1.01234E+9"), Err(PhoneError::Rounded));
        assert_eq!(parse_phone("1.01235E+09"), Err(PhoneError::Rounded));
        assert_eq!(parse_phone("1E+10"), Err(PhoneError::Rounded));
        assert_eq!(parse_phone("1.0123456785E+09"), Err(PhoneError::NotMobile), "a fraction");
        assert_eq!(parse_phone("1012345678.5"), Err(PhoneError::NotMobile));
        // Points as separators are not a spreadsheet's number (which has no leading 0).
        assert_eq!(parse_phone("0101234.0000").as_deref(), Ok("01012340000"));
        assert_eq!(parse_phone("010.1234.0000").as_deref(), Ok("01012340000"));
        assert_eq!(parse_phone("0.1012345678E+11"), Err(PhoneError::NotMobile));
        assert_eq!(parse_phone("0101234567８"), Err(PhoneError::MixedDigits));
        assert_eq!(parse_phone("010-1234-567８"), Err(PhoneError::MixedDigits));
        for bad in [
            "82-2-1234-5678",
            "82 10 1234 567",
            "8210123456789",
            "+82 10-1234-5678 (본인)",
            "010-1234-5678 내선 12",
            "010~1234~5678",
            "010_1234_5678",
            "０２－１２３４－５６７８",
            "1.2E+3",
        ] {
            assert_eq!(parse_phone(bad), Err(PhoneError::NotMobile), "{bad:?}");
        }
    }

    /// The rule for legacy numbers (docs/intake.md): kept as their national
    /// digits, 10 when the middle part has 3 digits, in every spelling.
    #[test]
    fn legacy_numbers_keep_their_own_digits() {
        for text in [
            "011-234-5678",
            "0112345678",
            "011 234 5678",
            "+82 11-234-5678",
            "+82 011-234-5678",
            "82-11-234-5678",
            "0082 11 234 5678",
            "112345678",
            "112345678.0",
            "1.12345678E+08",
            "０１１－２３４－５６７８",
        ] {
            assert_eq!(parse_phone(text).as_deref(), Ok("0112345678"), "{text:?}");
        }
        for prefix in ["011", "016", "017", "018", "019"] {
            assert_eq!(normalize_phone(&format!("{prefix}-234-5678")), Some(format!("{prefix}2345678")));
            assert_eq!(normalize_phone(&format!("{prefix}-1234-5678")), Some(format!("{prefix}12345678")));
            assert_eq!(normalize_phone(&format!("{prefix}-23-5678")), None);
            assert_eq!(normalize_phone(&format!("{prefix}-12345-5678")), None);
        }
        // 010 numbers have a 4-digit middle part only; 012-015 are not mobile numbers of people.
        for bad in ["010-234-5678", "012-234-5678", "013-1234-5678", "015-234-5678"] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn brns_and_accounts_read_look_alikes_too() {
        assert_eq!(normalize_brn("２２０－８１－６２５１７"), Ok("2208162517".into()));
        assert_eq!(normalize_brn("220\u{2013}81\u{2013}62517"), Ok("2208162517".into()));
        assert_eq!(normalize_brn("220\u{00A0}81\u{00A0}62517"), Ok("2208162517".into()));
        assert_eq!(normalize_brn("２２08162517"), Err(BrnError::Format), "mixed widths");
        assert_eq!(normalize_account("１２３－４５６－７８９０１２").as_deref(), Some("123-456-789012"));
        assert_eq!(normalize_account("123\u{2010}456\u{3000}789").as_deref(), Some("123-456 789"));
        assert_eq!(normalize_account("１23"), None);
    }

    #[test]
    fn amounts_as_input_methods_web_pages_and_spreadsheets_write_them() {
        let won = |n: u64| Ok(Some(Decimal::from(n)));
        for text in [
            "１，２３４，０００",
            "１２３４０００원",
            "１，２３４，０００ 원",
            "￦１，２３４，０００",
            "1，234，000",
            "1\u{FE50}234\u{FE50}000",
            "1,234,000\u{00A0}원",
            "1,234,000\u{3000}원",
            "\u{200B}1,234,000\u{200B}",
            "₩ 1,234,000",
            " ₩1,234,000 ",
            "KRW 1,234,000",
            "1,234,000 KRW",
            "krw1234000",
            "1234000.0",
            "1234000.00원",
            "１２３４０００．０",
        ] {
            assert_eq!(parse_won(text), won(1_234_000), "{text:?}");
        }
        // The accounting format's zero, and its negatives.
        assert_eq!(parse_won("₩ -"), won(0));
        assert_eq!(parse_won(" ₩-   "), won(0));
        assert_eq!(parse_won("-원"), won(0));
        assert_eq!(parse_won("-₩1,234"), Err(AmountError::Negative));
        assert_eq!(parse_won("₩-1,234"), Err(AmountError::Negative));
        assert_eq!(parse_won("\u{2212}1,234원"), Err(AmountError::Negative));
        assert_eq!(parse_won("－１，２３４"), Err(AmountError::Negative));
        assert_eq!(parse_won("-"), Err(AmountError::NotAnAmount), "a lone dash may mean none: refused");
        assert_eq!(parse_won("1,234,00０"), Err(AmountError::MixedDigits));
        // Scientific notation: the digits may have been rounded.
        assert_eq!(parse_won("1.234E+06"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("1 234 000"), Err(AmountError::NotAnAmount), "two numbers?");
        assert_eq!(parse_won("1,234,000원원"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("₩₩1,000"), Err(AmountError::NotAnAmount));
        assert_eq!(parse_won("--1,000"), Err(AmountError::NotAnAmount));
    }

    #[test]
    fn korean_amount_words_read_one_way_only() {
        for (text, n) in [
            ("12만원", 120_000u64),
            ("12만 원", 120_000),
            ("１２만원", 120_000),
            ("만원", 10_000),
            ("만 원", 10_000),
            ("1만원", 10_000),
            ("일만원", 10_000),
            ("오만원", 50_000),
            ("십만원", 100_000),
            ("십오만원", 150_000),
            ("삼십만 원", 300_000),
            ("백만원", 1_000_000),
            ("천만원", 10_000_000),
            ("3천만원", 30_000_000),
            ("3천5백만원", 35_000_000),
            ("1,200만원", 12_000_000),
            ("1200만원", 12_000_000),
            ("1억", 100_000_000),
            ("1억원", 100_000_000),
            ("1억 2천만 원", 120_000_000),
            ("1억2000만원", 120_000_000),
            ("2억 5만", 200_050_000),
            ("1억2345만6789원", 123_456_789),
            ("1억 2,345만 6,789원", 123_456_789),
            ("3만 5천원", 35_000),
            ("3만5천", 35_000),
            ("삼만오천원", 35_000),
            ("12만 500원", 120_500),
            ("12만 3000원", 123_000),
            ("12만 50원", 120_050),
            ("5천원", 5_000),
            ("천원", 1_000),
            ("3천5백원", 3_500),
            ("3천500원", 3_500),
            ("2십5", 25),
            ("1조", 1_000_000_000_000),
            ("999조 9999억 9999만 9999원", MAX_WON),
            ("1.5만원", 15_000),
            ("1.5만 원", 15_000),
            ("2.35억", 235_000_000),
            ("1.25만", 12_500),
            ("12.0만", 120_000),
            ("0.5만", 5_000),
        ] {
            assert_eq!(parse_won(text), Ok(Some(Decimal::from(n))), "{text:?}");
        }
        let ambiguous = |literal: u64, shorthand: u64| Err(AmountError::Ambiguous { literal, shorthand });
        assert_eq!(parse_won("3만5"), ambiguous(30_005, 35_000));
        assert_eq!(parse_won("3만 5원"), ambiguous(30_005, 35_000));
        assert_eq!(parse_won("만오"), ambiguous(10_005, 15_000));
        assert_eq!(parse_won("1억5천"), ambiguous(100_005_000, 150_000_000));
        assert_eq!(parse_won("1억 5000원"), ambiguous(100_005_000, 150_000_000));
        assert_eq!(parse_won("1억5"), ambiguous(100_000_005, 150_000_000));
        assert_eq!(parse_won("3천5"), ambiguous(3_005, 3_500));
        assert_eq!(parse_won("12만 3천5"), ambiguous(123_005, 123_500));
        assert_eq!(parse_won("5천3만원"), ambiguous(50_030_000, 53_000_000));
        assert_eq!(
            AmountError::Ambiguous { literal: 30_005, shorthand: 35_000 }.to_string(),
            "can be read as 30,005 or 35,000 won"
        );
        for estimate in [
            "약 12만원",
            "약12만원",
            "대략 100,000원",
            "12만원 정도",
            "12만원쯤",
            "12만원 가량",
            "10만원 내외",
            "10만원 이상",
            "100,000원 이하",
            "10여만원",
            "12만여원",
            "10~20만원",
            "10～20만원",
            "100,000-200,000",
            "100,000 - 200,000원",
            "10-20만원",
            "최대 50만원",
        ] {
            assert_eq!(parse_won(estimate), Err(AmountError::Estimate), "{estimate:?}");
        }
        for bad in [
            "만만",
            "12만 12만",
            "3만 12000",
            "12000만원",
            "12만원 입니다",
            "1억원 5천만원",
            "0만원",
            "천천",
            "백천",
            "만억",
            "1.5만 3천",
            "3만 5.5",
            "1,5만",
            "12 3만",
            "35백",
            "오",
            "오원",
            "1.만",
        ] {
            assert_eq!(parse_won(bad), Err(AmountError::NotAnAmount), "{bad:?}");
        }
        assert_eq!(parse_won("1.23456만"), Err(AmountError::Fraction));
        assert_eq!(parse_won("-12만원"), Err(AmountError::Negative));
        assert_eq!(parse_won("1000조"), Err(AmountError::TooLarge));
        assert_eq!(parse_won("9999조 9999억"), Err(AmountError::TooLarge));
    }

    #[test]
    fn account_numbers_are_digits_and_dashes() {
        assert_eq!(normalize_account(" 123-456-789012 ").as_deref(), Some("123-456-789012"));
        assert_eq!(normalize_account("123 456"), Some("123 456".into()));
        assert_eq!(normalize_account("국민 123"), None);
        assert_eq!(normalize_account("--"), None);
    }

    /// The readers as they were before full-width digits, 82 without +,
    /// spreadsheet forms and Korean amount words: everything they accepted
    /// must read the same now (so stored claims and the policy evaluation
    /// table do not change).
    mod before {
        use rust_decimal::Decimal;

        pub(super) fn normalize_phone(text: &str) -> Option<String> {
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

        pub(super) fn parse_won(text: &str) -> Result<Option<Decimal>, super::AmountError> {
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
                            return Err(super::AmountError::NotAnAmount);
                        }
                        seen_comma = true;
                        group = 0;
                    }
                    _ => return Err(super::AmountError::NotAnAmount),
                }
            }
            if digits == 0 || (seen_comma && group != 3) {
                return Err(super::AmountError::NotAnAmount);
            }
            if let Some(f) = frac_part {
                if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(super::AmountError::NotAnAmount);
                }
                if f.bytes().any(|c| c != b'0') {
                    return Err(super::AmountError::Fraction);
                }
            }
            if negative && value > 0 {
                return Err(super::AmountError::Negative);
            }
            if value > super::MAX_WON {
                return Err(super::AmountError::TooLarge);
            }
            Ok(Some(Decimal::from(value)))
        }
    }

    /// Separators people and programs put between the parts of a phone number.
    const SEPARATORS: &[&str] = &[
        "", "-", " ", ".", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}",
        "\u{2212}", "\u{FE63}", "\u{FF0D}", "\u{00A0}", "\u{3000}", "\u{2009}", "\u{202F}", " - ",
    ];

    /// The full-width form of an ASCII digit or sign, as a Korean input method writes it.
    fn wide_char(c: char) -> char {
        match c {
            '0'..='9' | '+' | '(' | ')' => char::from_u32(u32::from(c) - 0x20 + 0xFF00).unwrap_or(c),
            _ => c,
        }
    }

    /// `n` in Korean amount words, each group (조, 억, 만, the rest) in one of
    /// four styles: digits, digits with commas, 천/백/십 with digits, 천/백/십
    /// with Hangul numerals. Also says whether intake must refuse it as
    /// ambiguous: something after 억 or 조 without its own 만, or a single
    /// digit after 만 (docs/intake.md).
    fn spell_korean(n: u64, styles: [u8; 4], spaced: bool) -> (String, bool) {
        if n == 0 {
            return ("0".into(), false);
        }
        let groups = [n / 1_000_000_000_000, n / 100_000_000 % 10_000, n / 10_000 % 10_000, n % 10_000];
        const NUMERALS: [&str; 10] = ["", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"];
        let mut parts = Vec::new();
        for (i, (&g, unit)) in groups.iter().zip(["조", "억", "만", ""]).enumerate() {
            if g == 0 {
                continue;
            }
            let d = [g / 1000, g / 100 % 10, g / 10 % 10, g % 10];
            // 1천2백4 would end on a digit after 백: written in digits instead.
            let mut style = styles[i];
            if (d[2] == 0 && d[3] != 0 && (d[0] != 0 || d[1] != 0)) || (unit.is_empty() && g < 10) {
                style = 0;
            }
            let mut text = match style {
                0 => g.to_string(),
                1 => crate::time::format_won(i64::try_from(g).unwrap_or(0)),
                _ => {
                    let mut t = String::new();
                    for (k, small) in ["천", "백", "십", ""].iter().enumerate() {
                        let digit = d[k];
                        if digit == 0 {
                            continue;
                        }
                        let idx = usize::try_from(digit).unwrap_or(0);
                        match (style, small.is_empty()) {
                            (2, _) => t.push_str(&digit.to_string()),
                            (_, true) => t.push_str(NUMERALS[idx]),
                            // 천, 백, 십 for 1천, 1백, 1십 in the Hangul style.
                            _ if digit == 1 => {}
                            _ => t.push_str(NUMERALS[idx]),
                        }
                        t.push_str(small);
                    }
                    t
                }
            };
            // 만 for 1만 (a Hangul group of just 1 is written without its 일).
            if text == "일" && !unit.is_empty() {
                text.clear();
            }
            text.push_str(unit);
            parts.push(text);
        }
        let higher = groups[0] != 0 || groups[1] != 0;
        let ambiguous = groups[3] != 0 && ((groups[2] == 0 && higher) || (groups[2] != 0 && groups[3] < 10));
        (parts.join(if spaced { " " } else { "" }), ambiguous)
    }

    /// Amounts whose 조, 억, 만 and last groups are each often zero or one digit.
    fn korean_amount() -> impl Strategy<Value = u64> {
        let group = || prop_oneof![Just(0u64), 1u64..10, 10u64..10_000];
        (prop_oneof![Just(0u64), 1u64..10, 10u64..1000], group(), group(), group())
            .prop_map(|(jo, eok, man, rest)| ((jo * 10_000 + eok) * 10_000 + man) * 10_000 + rest)
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

        #[test]
        fn phones_round_trip_through_look_alike_spellings(
            digits in valid_phone(),
            prefix in 0usize..7,
            sep in 0usize..SEPARATORS.len(),
            wide in any::<bool>(),
            invisible in proptest::option::of(0usize..16),
        ) {
            let (head, rest) = digits.split_at(3);
            let (mid, tail) = rest.split_at(rest.len() - 4);
            let s = SEPARATORS[sep];
            let head = match prefix {
                0 => head.to_string(),
                1 => format!("+82{s}{}", &head[1..]),
                2 => format!("82{s}{}", &head[1..]),
                3 => format!("+82{s}{head}"),
                4 => format!("0082{s}{}", &head[1..]),
                5 => format!("({head})"),
                _ => format!("82{s}{head}"),
            };
            let mut written = format!("{head}{s}{mid}{s}{tail}");
            if wide {
                written = written.chars().map(wide_char).collect();
            }
            if let Some(at) = invisible {
                let at = written.char_indices().nth(at).map_or(written.len(), |(i, _)| i);
                written.insert(at, '\u{200B}');
            }
            prop_assert_eq!(parse_phone(&written), Ok(digits), "{:?}", written);
        }

        #[test]
        fn korean_amount_words_round_trip(n in korean_amount(), styles in proptest::array::uniform4(0u8..4), spaced in any::<bool>(), suffix in 0u8..3) {
            let (text, ambiguous) = spell_korean(n, styles, spaced);
            let text = match suffix {
                0 => text,
                1 => format!("{text}원"),
                _ => format!("{text} 원"),
            };
            let parsed = parse_won(&text);
            if ambiguous {
                prop_assert!(matches!(parsed, Err(AmountError::Ambiguous { literal, .. }) if literal == n), "{:?}: {:?}", text, parsed);
            } else {
                prop_assert_eq!(parsed, Ok(Some(Decimal::from(n))), "{:?}", text);
            }
        }

        #[test]
        fn decimal_korean_amounts_are_exact(int in 0u64..10_000, frac in "[0-9]{1,4}", unit in 0usize..3) {
            let (word, scale) = [("만", 10_000u64), ("억", 100_000_000), ("조", 1_000_000_000_000)][unit];
            let text = format!("{int}.{frac}{word}");
            let f: u128 = frac.parse().unwrap_or(0);
            let den = 10u128.pow(u32::try_from(frac.len()).unwrap_or(0));
            let exact = (u128::from(int) * den + f) * u128::from(scale);
            let parsed = parse_won(&text);
            if int == 0 && f == 0 {
                prop_assert_eq!(parsed, Err(AmountError::NotAnAmount));
            } else if exact.is_multiple_of(den) && exact / den > u128::from(MAX_WON) {
                prop_assert_eq!(parsed, Err(AmountError::TooLarge), "{}", text);
            } else if exact.is_multiple_of(den) {
                prop_assert_eq!(parsed, Ok(Some(Decimal::from(exact / den))), "{}", text);
            } else {
                prop_assert_eq!(parsed, Err(AmountError::Fraction), "{}", text);
            }
        }

        #[test]
        fn whatever_was_read_before_reads_the_same(s in prop_oneof![
            "[0-9+\\-. ()]{0,16}",
            "(\\+82|0082|\\+82 \\(0\\))?[ .-]?(010|011|016|1[0-9])[ .-]?[0-9]{3,4}[ .-]?[0-9]{4}",
            "[₩￦]?[ ]?[+-]?[0-9]{1,3}(,[0-9]{3}){0,4}(\\.0{1,2})?[ ]?원?",
            "[0-9,.원₩￦ +-]{0,14}",
        ]) {
            if let Some(p) = before::normalize_phone(&s) {
                prop_assert_eq!(normalize_phone(&s), Some(p), "{:?}", s);
            }
            if let Ok(v) = before::parse_won(&s) {
                prop_assert_eq!(parse_won(&s), Ok(v), "{:?}", s);
            }
        }
    }
}
