//! Writing quarantined rows back out as CSV, with the file's own headers, so
//! a person can fix them in a spreadsheet and import the file again.

use std::io::Write;

use crate::row::RawRow;

/// One CSV record (RFC 4180 quoting, `\n` terminated) of the given values.
pub fn to_csv_line<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if v.contains([',', '"', '\n', '\r']) || v.starts_with(' ') || v.ends_with(' ') {
            out.push('"');
            out.push_str(&v.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(v);
        }
    }
    out.push('\n');
    out
}

/// Writes a CSV file of raw rows under the original header: UTF-8 with a
/// BOM (so Excel shows Korean correctly when a person opens it to fix the
/// rows), the header as written, then each row's values in file order. A
/// row with extra fields keeps them (the file is then ragged, as the input
/// was), so nothing a claimant sent is lost on the round trip.
pub fn write_quarantine_csv<'a, W: Write>(
    mut out: W,
    headers: &[String],
    rows: impl IntoIterator<Item = &'a RawRow>,
) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    out.write_all(to_csv_line(headers.iter().map(String::as_str)).as_bytes())?;
    for row in rows {
        out.write_all(to_csv_line(row.values()).as_bytes())?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(to_csv_line(["a", "b c", ""]), "a,b c,\n");
        assert_eq!(to_csv_line(["1,234", "say \"hi\"", "two\nlines"]), "\"1,234\",\"say \"\"hi\"\"\",\"two\nlines\"\n");
        assert_eq!(to_csv_line([" padded "]), "\" padded \"\n");
    }
}
