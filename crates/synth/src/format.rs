//! Writing times, amounts and numbers into reused buffers without the
//! formatting machinery (the 1,000,000-row benchmark writes 16 fields a row).

/// A time as Korean spreadsheets write it. Times are kept as minutes since
/// 1970-01-01 00:00 *Korea time* (the wall clock, not UTC) plus seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeForm {
    /// `2022-10-19T09:12:00+09:00`
    Rfc3339,
    /// `2022-10-19 09:12`
    DashMinutes,
    /// `2022-10-19 09:12:07`
    DashSeconds,
    /// `2022.10.19 09:12`
    DotMinutes,
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of days since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Minutes since the epoch, Korea wall clock.
pub(crate) fn kst_minutes(y: i64, m: u32, d: u32, hh: u32, mm: u32) -> i64 {
    days_from_civil(y, m, d) * 1440 + i64::from(hh) * 60 + i64::from(mm)
}

/// Writes the decimal digits of `n` at the end of `tmp`; returns where they start.
#[inline]
fn digits(mut n: u64, tmp: &mut [u8; 20]) -> usize {
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return i;
        }
    }
}

#[inline]
pub(crate) fn push_padded(buf: &mut String, n: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = digits(n, &mut tmp);
    while tmp.len() - i < width && i > 0 {
        i -= 1;
        tmp[i] = b'0';
    }
    for &b in &tmp[i..] {
        buf.push(char::from(b));
    }
}

#[inline]
pub(crate) fn push_uint(buf: &mut String, n: u64) {
    push_padded(buf, n, 1);
}

/// `1234000` → `1,234,000`.
pub(crate) fn push_grouped(buf: &mut String, n: u64) {
    let mut tmp = [0u8; 20];
    let start = digits(n, &mut tmp);
    let digits = &tmp[start..];
    for (k, &b) in digits.iter().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            buf.push(',');
        }
        buf.push(char::from(b));
    }
}

pub(crate) fn push_time(buf: &mut String, minutes: i64, seconds: u32, form: TimeForm) {
    let (y, mo, d) = civil_from_days(minutes.div_euclid(1440));
    let in_day = minutes.rem_euclid(1440) as u64;
    let sep = if form == TimeForm::DotMinutes { '.' } else { '-' };
    push_padded(buf, y.max(0) as u64, 4);
    buf.push(sep);
    push_padded(buf, u64::from(mo), 2);
    buf.push(sep);
    push_padded(buf, u64::from(d), 2);
    buf.push(if form == TimeForm::Rfc3339 { 'T' } else { ' ' });
    push_padded(buf, in_day / 60, 2);
    buf.push(':');
    push_padded(buf, in_day % 60, 2);
    match form {
        TimeForm::Rfc3339 => {
            buf.push(':');
            push_padded(buf, u64::from(seconds), 2);
            buf.push_str("+09:00");
        }
        TimeForm::DashSeconds => {
            buf.push(':');
            push_padded(buf, u64::from(seconds), 2);
        }
        TimeForm::DashMinutes | TimeForm::DotMinutes => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for days in [-1000, 0, 19_000, 19_284, 19_300, 40_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(days_from_civil(2022, 10, 31) + 1), (2022, 11, 1));
    }

    #[test]
    fn times_and_amounts_are_written_as_spreadsheets_do() {
        let t = kst_minutes(2022, 10, 19, 9, 12);
        let mut s = String::new();
        push_time(&mut s, t, 7, TimeForm::Rfc3339);
        assert_eq!(s, "2022-10-19T09:12:07+09:00");
        s.clear();
        push_time(&mut s, t, 7, TimeForm::DotMinutes);
        assert_eq!(s, "2022.10.19 09:12");
        s.clear();
        push_time(&mut s, t, 7, TimeForm::DashSeconds);
        assert_eq!(s, "2022-10-19 09:12:07");
        s.clear();
        push_grouped(&mut s, 1_234_000);
        s.push(' ');
        push_grouped(&mut s, 999);
        s.push(' ');
        push_padded(&mut s, 42, 7);
        assert_eq!(s, "1,234,000 999 0000042");
    }
}
