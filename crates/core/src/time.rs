//! Time as people in Korea read it. Stored and compared in UTC; shown in KST.

use chrono::{DateTime, FixedOffset, Utc};

/// Korea Standard Time, +09:00 (no daylight saving).
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// `2022-10-19 09:12` in Korea time.
pub fn format_kst(t: DateTime<Utc>) -> String {
    t.with_timezone(&kst()).format("%Y-%m-%d %H:%M").to_string()
}

/// RFC 3339 in Korea time, as in intake files: `2022-10-19T09:12:00+09:00`.
pub fn rfc3339_kst(t: DateTime<Utc>) -> String {
    t.with_timezone(&kst()).to_rfc3339()
}

/// Formats whole won with thousands separators: 1234000 → "1,234,000".
pub fn format_won(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if amount < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The day in Korea of a clock stamp (a hybrid logical clock: milliseconds
/// since the epoch in its upper 48 bits); None for a stamp out of range.
pub fn kst_day_of_hlc(hlc: i64) -> Option<chrono::NaiveDate> {
    DateTime::<Utc>::from_timestamp_millis(hlc >> 16).map(|t| t.with_timezone(&kst()).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shows_korea_time_and_won() {
        let t = Utc.with_ymd_and_hms(2022, 10, 15, 6, 30, 0).single().expect("valid");
        assert_eq!(format_kst(t), "2022-10-15 15:30");
        assert_eq!(rfc3339_kst(t), "2022-10-15T15:30:00+09:00");
        assert_eq!(format_won(1_234_000), "1,234,000");
        assert_eq!(format_won(0), "0");
        assert_eq!(format_won(-999), "-999");
        assert_eq!(format_won(100), "100");
    }
}
