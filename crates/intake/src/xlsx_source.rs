//! XLSX intake: the first worksheet, streamed cell by cell.
//!
//! calamine's streaming cell reader borrows the workbook, so it cannot live
//! in the iterator next to it without unsafe code; a reader thread owns both
//! and hands rows over a bounded channel instead. That keeps memory flat for
//! large sheets, and a panic inside the XLSX parser becomes an error here
//! rather than a crash.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;
use std::thread;

use calamine::{DataRef, Reader, SheetType, Xlsx};

use crate::error::IntakeError;
use crate::limits::MAX_FIELDS;

/// A cell as the sheet typed it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    /// An Excel date-time, to the second; Excel has no zone.
    DateTime(chrono::NaiveDateTime),
}

enum Msg {
    /// A sheet row (0-based index) with its cells from column A.
    Row(u32, Vec<Cell>),
    Done,
    Failed(IntakeError),
}

/// Rows in flight between the reader thread and the iterator.
const CHANNEL_ROWS: usize = 512;

pub(crate) struct XlsxSource {
    rx: Receiver<Msg>,
    finished: bool,
}

impl XlsxSource {
    /// Starts the reader thread; `progress` gets an estimate of bytes read
    /// (the file size times the share of the sheet's rows sent so far).
    pub(crate) fn open(
        path: &Path,
        total_bytes: u64,
        progress: Arc<AtomicU64>,
    ) -> Result<XlsxSource, IntakeError> {
        let (tx, rx) = mpsc::sync_channel(CHANNEL_ROWS);
        let path = path.to_path_buf();
        thread::Builder::new()
            .name("claimdesk-xlsx".into())
            .spawn(move || {
                if let Err(e) = read_sheet(&path, &tx, total_bytes, &progress) {
                    let _ = tx.send(Msg::Failed(e));
                }
            })
            .map_err(|e| IntakeError::Xlsx(format!("cannot start the reader: {e}")))?;
        Ok(XlsxSource { rx, finished: false })
    }

    /// The next row as (sheet line, 1-based; cells), or None at the end.
    pub(crate) fn next_row(&mut self) -> Result<Option<(u64, Vec<Cell>)>, IntakeError> {
        if self.finished {
            return Ok(None);
        }
        match self.rx.recv() {
            Ok(Msg::Row(r, cells)) => Ok(Some((u64::from(r) + 1, cells))),
            Ok(Msg::Done) => {
                self.finished = true;
                Ok(None)
            }
            Ok(Msg::Failed(e)) => {
                self.finished = true;
                Err(e)
            }
            Err(_) => {
                self.finished = true;
                Err(IntakeError::Xlsx("the XLSX reader stopped unexpectedly".into()))
            }
        }
    }
}

fn read_sheet(
    path: &Path,
    tx: &SyncSender<Msg>,
    total_bytes: u64,
    progress: &AtomicU64,
) -> Result<(), IntakeError> {
    let bad = |e: calamine::XlsxError| IntakeError::Xlsx(e.to_string());
    let mut book: Xlsx<_> = calamine::open_workbook(path).map_err(bad)?;
    let sheet = book
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or_else(|| IntakeError::Xlsx("it has no worksheet".to_string()))?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(bad)?;
    let last_row = u64::from(cells.dimensions().end.0).max(1);
    let mut current: Option<(u32, Vec<Cell>)> = None;
    let send = |row: u32, values: Vec<Cell>| -> bool {
        progress.store(total_bytes.saturating_mul(u64::from(row)) / last_row, Ordering::Relaxed);
        tx.send(Msg::Row(row, values)).is_ok()
    };
    while let Some(cell) = cells.next_cell().map_err(bad)? {
        let (row, col) = cell.get_position();
        if col as usize >= MAX_FIELDS {
            return Err(IntakeError::TooManyFields { line: u64::from(row) + 1 });
        }
        let value = convert(cell.get_value());
        if value == Cell::Empty {
            continue;
        }
        if current.as_ref().is_some_and(|(r, _)| *r != row) {
            if let Some((r, values)) = current.take() {
                if !send(r, values) {
                    return Ok(()); // the iterator was dropped
                }
            }
        }
        let (_, values) = current.get_or_insert_with(|| (row, Vec::new()));
        let col = col as usize;
        // Bounded by MAX_FIELDS above (a cell in column XFD would otherwise
        // cost 16k cells per row, and 512 such rows wait in the channel).
        if values.len() <= col {
            values.resize(col + 1, Cell::Empty);
        }
        values[col] = value;
    }
    if let Some((r, values)) = current.take() {
        if !send(r, values) {
            return Ok(());
        }
    }
    progress.store(total_bytes, Ordering::Relaxed);
    let _ = tx.send(Msg::Done);
    Ok(())
}

fn convert(v: &DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Float(*f),
        DataRef::Bool(b) => Cell::Text(if *b { "TRUE".into() } else { "FALSE".into() }),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let exact =
                chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d)).and_then(|date| {
                    date.and_hms_milli_opt(u32::from(h), u32::from(mi), u32::from(s), u32::from(ms))
                });
            match exact {
                // Serial day fractions are rarely exact (09:12 may come back as
                // 09:11:59.999): round to the nearest second.
                Some(t) => Cell::DateTime(if ms >= 500 {
                    t + chrono::Duration::milliseconds(1000 - i64::from(ms))
                } else {
                    t - chrono::Duration::milliseconds(i64::from(ms))
                }),
                None => Cell::Float(dt.as_f64()),
            }
        }
        // A duration is a number of days: keep the number as written.
        DataRef::DateTime(dt) => Cell::Float(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

/// Largest integer an f64 holds exactly (2^53).
const F64_EXACT: f64 = 9_007_199_254_740_992.0;

impl Cell {
    /// The cell as text, the way the CSV path would see it: whole numbers
    /// without a fraction (`1234000`), other numbers as the spreadsheet
    /// shows them, to 15 significant digits (`1234.5`, which the amount rule
    /// then refuses; `13200.000000000002` from a formula is `13200`), date-times as
    /// `YYYY-MM-DD HH:MM:SS`, which reads back as Korea time like any
    /// time without an offset. `pad_to` restores the leading zeros a
    /// spreadsheet drops from a number (`0374530851` stored as 374530851).
    pub(crate) fn into_text(self, pad_to: Option<usize>) -> String {
        match self {
            Cell::Empty => String::new(),
            // A text cell a CSV of ClaimDesk marked as text and a spreadsheet saved as is.
            Cell::Text(s) => match crate::export::without_formula_guard(&s) {
                unmarked if unmarked.len() < s.len() => unmarked.to_string(),
                _ => s,
            },
            Cell::Int(i) => pad(i.to_string(), pad_to),
            Cell::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < F64_EXACT => {
                // Exact: |f| < 2^53 and whole, so the cast loses nothing.
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                pad(i.to_string(), pad_to)
            }
            Cell::Float(f) if f.is_finite() => {
                // What the spreadsheet shows: Excel keeps 15 significant
                // digits, so a computed 13200.000000000002 is 13200 there.
                let shown: f64 = format!("{f:.14e}").parse().unwrap_or(f);
                if shown.fract() == 0.0 && shown.abs() < F64_EXACT {
                    #[allow(clippy::cast_possible_truncation)]
                    let i = shown as i64;
                    pad(i.to_string(), pad_to)
                } else {
                    shown.to_string()
                }
            }
            Cell::Float(f) => f.to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

fn pad(digits: String, pad_to: Option<usize>) -> String {
    match pad_to {
        Some(width) if digits.len() < width && !digits.starts_with('-') => format!("{digits:0>width$}"),
        _ => digits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_the_text_the_csv_path_reads() {
        assert_eq!(Cell::Float(1_234_000.0).into_text(None), "1234000");
        assert_eq!(Cell::Float(1234.5).into_text(None), "1234.5");
        assert_eq!(Cell::Int(-5).into_text(Some(10)), "-5");
        assert_eq!(Cell::Float(374_530_851.0).into_text(Some(10)), "0374530851");
        let t = chrono::NaiveDate::from_ymd_opt(2022, 10, 19)
            .and_then(|d| d.and_hms_opt(9, 12, 0))
            .expect("valid");
        assert_eq!(Cell::DateTime(t).into_text(None), "2022-10-19 09:12:00");
        let almost =
            calamine::ExcelDateTime::new(44_853.383_333_32, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(convert(&DataRef::DateTime(almost)).into_text(None), "2022-10-19 09:12:00");
        assert_eq!(Cell::Float(1e300).into_text(None), 1e300f64.to_string());
        // A formula's binary rounding is not part of the amount the sheet shows.
        assert_eq!(Cell::Float(12_000.0 * 1.1).into_text(None), "13200");
        assert_eq!(Cell::Float(0.1 + 0.2).into_text(None), "0.3");
        assert_eq!(Cell::Float(1_234_000.4).into_text(None), "1234000.4");
        assert_eq!(Cell::Float(1_012_345_678.0).into_text(None), "1012345678");
    }
}
