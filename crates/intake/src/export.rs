//! Writing quarantined rows back out as CSV, with the file's own headers, so
//! a person can fix them in a spreadsheet and import the file again.

use std::borrow::Cow;
use std::io::Write;

use crate::row::RawRow;

/// What a spreadsheet reads as the start of a formula (or of a cell it may
/// run as one, after a tab or a carriage return).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell, past any text marks (`'`) already in front, starts a formula.
fn starts_formula(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A cell as a spreadsheet will show it, never run it: one that would start a
/// formula (`=HYPERLINK(…)` as a claimant's name, say) gets a leading `'`, the
/// spreadsheets' own mark of text (and so does one that already starts with
/// such a mark, so that the mark stays its own). Every CSV ClaimDesk writes
/// goes through this; the intake readers take one mark off again
/// ([`without_formula_guard`]), so a file ClaimDesk wrote imports as the
/// values it came from.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    if starts_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell read from a file, without the text mark [`formula_safe`] (or a
/// spreadsheet) put before a formula start.
pub fn without_formula_guard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) => rest,
        _ => cell,
    }
}

/// One CSV record of a file ClaimDesk writes: every cell through
/// [`formula_safe`], then [`to_csv_line`]. This is the one way a CSV line
/// leaves ClaimDesk (the payout file, the quarantine export, the status feed,
/// `claimdesk evaluate`, synthetic intake files): a writer that has its own
/// formatting would be a writer that forgets the guard. Integers ClaimDesk
/// writes itself are never changed by it (only a negative one would be, and
/// none is written).
pub fn csv_record<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let safe: Vec<Cow<'a, str>> = cells.into_iter().map(formula_safe).collect();
    to_csv_line(safe.iter().map(|c| c.as_ref()))
}

/// One CSV record (RFC 4180 quoting, `\n` terminated) of the given values,
/// as they are: for reading tests and the intake readers' own tests; files
/// are written with [`csv_record`].
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
    out.write_all(csv_record(headers.iter().map(String::as_str)).as_bytes())?;
    for row in rows {
        out.write_all(csv_record(row.values()).as_bytes())?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_marked_as_text_and_read_back_without_the_mark() {
        for cell in ["=HYPERLINK(\"http://x\",\"y\")", "+82 10-1234-5678", "-5000", "@SUM(A1)", "\tx", "\rx"]
        {
            let safe = formula_safe(cell);
            assert_eq!(safe, format!("'{cell}"));
            assert_eq!(without_formula_guard(&safe), cell);
        }
        // A cell that already starts with the mark keeps it.
        assert_eq!(formula_safe("'+82"), "''+82");
        assert_eq!(without_formula_guard("''+82"), "'+82");
        for cell in ["김민수", "010-1234-5678", "", "'quoted", "it's", "50,000원"] {
            assert_eq!(formula_safe(cell), cell);
            assert_eq!(without_formula_guard(cell), cell);
        }
    }

    /// The cells of the issue, as a written record: each marked, quoted
    /// where CSV needs it, and read back by the intake reader as written.
    #[test]
    fn a_record_guards_every_cell() {
        let cells =
            ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1:A9)", "\tx", "\rx", "김민수", "60000"];
        let line = csv_record(cells);
        assert_eq!(
            line,
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1,'-1,'@SUM(A1:A9),'\tx,\"'\rx\",김민수,60000\n"
        );
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let record = reader.records().next().expect("a record").expect("csv");
        for (read, cell) in record.iter().zip(cells) {
            assert!(!read.starts_with(FORMULA_STARTS), "{read:?} would run");
            assert_eq!(without_formula_guard(read), cell);
        }
    }

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(to_csv_line(["a", "b c", ""]), "a,b c,\n");
        assert_eq!(
            to_csv_line(["1,234", "say \"hi\"", "two\nlines"]),
            "\"1,234\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
        );
        assert_eq!(to_csv_line([" padded "]), "\" padded \"\n");
    }
}
