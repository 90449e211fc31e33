//! Intake files (intake.md) to validated claims or quarantined rows.
//!
//! [`open`] reads the header and refuses a file that cannot be read at all
//! with one [`IntakeError`]; the [`IntakeFile`] then streams [`Row`]s, each
//! a [`ValidRow`] (a normalized [`ClaimInput`]) or a [`QuarantinedRow`] (the
//! raw row, whole, with every problem found in it).
//!
//! CSV is read in UTF-8 (with or without BOM) or CP949/EUC-KR, decided by a
//! streaming pass over the whole file before the first row; XLSX is read from
//! its first worksheet. CSV is streamed with one reused record, so memory
//! stays flat whatever the file size.

mod columns;
mod csv_source;
mod error;
mod export;
pub mod limits;
mod row;
mod xlsx_source;
mod zip_guard;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use claimdesk_core::Catalog;
pub use claimdesk_core::ClaimInput;

pub use columns::{Columns, Field};
pub use error::{size_text, IntakeError, XmlPlace};
pub use export::{csv_record, formula_safe, to_csv_line, without_formula_guard, write_quarantine_csv};
pub use row::{problem_codes, Problem, QuarantinedRow, RawRow, Row, RowValidator, ValidRow};

use csv_source::CsvSource;
use xlsx_source::XlsxSource;

/// What kind of file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `encoding` is "UTF-8", "UTF-8 (BOM)" or "CP949".
    Csv {
        encoding: &'static str,
    },
    Xlsx,
}

impl std::fmt::Display for FileFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileFormat::Csv { encoding } => write!(f, "CSV ({encoding})"),
            FileFormat::Xlsx => f.write_str("XLSX"),
        }
    }
}

enum Source {
    Csv(Box<CsvSource>),
    Xlsx { source: XlsxSource, pad: Vec<Option<usize>> },
}

/// An open intake file: its header, and an iterator over its rows.
///
/// Iteration yields `Ok(Row)` for each data row (blank rows are skipped) and
/// `Err` only when reading itself fails (an I/O error, a broken workbook);
/// after an `Err` the iterator ends.
pub struct IntakeFile {
    format: FileFormat,
    total_bytes: u64,
    progress: Arc<AtomicU64>,
    source: Source,
    validator: RowValidator,
    done: bool,
    /// Data rows returned so far (blank rows not counted).
    rows: u64,
}

impl std::fmt::Debug for IntakeFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeFile")
            .field("format", &self.format)
            .field("headers", &self.headers())
            .field("total_bytes", &self.total_bytes)
            .field("bytes_read", &self.bytes_read())
            .finish_non_exhaustive()
    }
}

/// Bytes looked at to tell what a file is.
const SNIFF_BYTES: usize = 8 * 1024;

/// Opens an intake file, CSV or XLSX, told apart by content (a ZIP container
/// is checked for what it holds: an XLSX is read, an ODS or another ZIP is
/// refused) and then by extension. Refuses the whole file, with one message,
/// when it cannot be read: not CSV/XLSX, empty, no header, a required column
/// missing, an unreadable encoding, a container beyond the [`limits`].
pub fn open(path: &Path, catalog: &Catalog) -> Result<IntakeFile, IntakeError> {
    let io = |e| IntakeError::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let total_bytes = file.metadata().map_err(io)?.len();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.by_ref().take(SNIFF_BYTES as u64).read_to_end(&mut head).map_err(io)?;
    if head.is_empty() {
        return Err(IntakeError::Empty);
    }
    let extension =
        path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let progress = Arc::new(AtomicU64::new(0));

    if head.starts_with(b"PK\x03\x04") {
        drop(file);
        zip_guard::check(path)?;
        return open_xlsx(path, catalog, total_bytes, progress);
    }
    if let Some(what) = binary_kind(&head) {
        return Err(IntakeError::NotTabular(what));
    }
    if extension == "xlsx" || extension == "xlsm" {
        return Err(IntakeError::NotTabular("it is named .xlsx but is not an Excel workbook".into()));
    }
    if extension == "ods" {
        return Err(IntakeError::NotTabular("it is named .ods but is not a spreadsheet".into()));
    }
    if head.iter().all(|b| b.is_ascii_whitespace()) && total_bytes <= SNIFF_BYTES as u64 {
        return Err(IntakeError::Empty);
    }

    let info = csv_source::detect_encoding(path, &mut file)?;
    let encoding = info.encoding;
    let mut source = CsvSource::open(path, file, info, &head, Arc::clone(&progress))?;
    let headers = match source.next_record(&[])? {
        Some((_, _, raw)) => raw.fields.into_iter().map(|(_, v)| v).collect(),
        None => return Err(IntakeError::Empty),
    };
    let columns = Columns::from_headers(headers)?;
    Ok(IntakeFile {
        format: FileFormat::Csv { encoding: encoding.label() },
        total_bytes,
        progress,
        source: Source::Csv(Box::new(source)),
        validator: RowValidator::new(columns, catalog.clone()),
        done: false,
        rows: 0,
    })
}

fn open_xlsx(
    path: &Path,
    catalog: &Catalog,
    total_bytes: u64,
    progress: Arc<AtomicU64>,
) -> Result<IntakeFile, IntakeError> {
    let mut source = XlsxSource::open(path, total_bytes, Arc::clone(&progress))?;
    let headers: Vec<String> = match source.next_row()? {
        Some((_, cells)) => cells.into_iter().map(|c| c.into_text(None)).collect(),
        None => return Err(IntakeError::Empty),
    };
    let columns = Columns::from_headers(headers)?;
    // A BRN typed as a number loses its leading zeros; pad it back to 10 digits.
    let mut pad = vec![None; columns.headers().len()];
    if let Some(i) = columns.position(Field::Brn) {
        pad[i] = Some(10);
    }
    Ok(IntakeFile {
        format: FileFormat::Xlsx,
        total_bytes,
        progress,
        source: Source::Xlsx { source, pad },
        validator: RowValidator::new(columns, catalog.clone()),
        done: false,
        rows: 0,
    })
}

/// Names a binary file by its magic bytes, or says it is binary when the
/// first bytes hold a NUL (text files never do; UTF-16 text does, and is
/// named). None means it may be text.
fn binary_kind(head: &[u8]) -> Option<String> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "it is a PNG image"),
        (b"\xFF\xD8\xFF", "it is a JPEG image"),
        (b"GIF8", "it is a GIF image"),
        (b"%PDF", "it is a PDF document"),
        (
            b"\xD0\xCF\x11\xE0",
            "it is an old Excel (.xls) or other legacy Office file; save it as .xlsx or CSV",
        ),
        (b"\x1F\x8B", "it is a gzip archive"),
        (b"7z\xBC\xAF", "it is a 7-Zip archive"),
        (b"Rar!", "it is a RAR archive"),
        (b"SQLite format 3", "it is a SQLite database"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Some((*what).to_string());
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Some("it is UTF-16 text; save it as UTF-8 or CP949 CSV".into());
    }
    head.contains(&0).then(|| "it is a binary file".to_string())
}

impl IntakeFile {
    /// The header row as written in the file.
    pub fn headers(&self) -> &[String] {
        self.validator.columns().headers()
    }

    /// The header mapped onto the known columns.
    pub fn columns(&self) -> &Columns {
        self.validator.columns()
    }

    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// The file size, for progress.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Bytes read so far (buffered ahead of the rows returned; estimated from
    /// the row count for XLSX).
    pub fn bytes_read(&self) -> u64 {
        self.progress.load(Ordering::Relaxed).min(self.total_bytes)
    }

    /// The validator of this file's header, e.g. to re-check a fixed row.
    pub fn validator(&self) -> &RowValidator {
        &self.validator
    }

    /// The next row as (first line, last line, raw row).
    fn next_raw(&mut self) -> Result<Option<(u64, u64, RawRow)>, IntakeError> {
        let headers = self.validator.columns().headers();
        match &mut self.source {
            Source::Csv(source) => source.next_record(headers),
            Source::Xlsx { source, pad } => {
                let Some((line, mut cells)) = source.next_row()? else {
                    return Ok(None);
                };
                // Cells to the right of the last header are kept only when they hold
                // something; absent cells at the end of a row are empty values.
                let width = headers.len();
                if cells.len() < width {
                    cells.resize(width, xlsx_source::Cell::Empty);
                }
                let fields = cells
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        (
                            headers.get(i).cloned().unwrap_or_default(),
                            c.into_text(pad.get(i).copied().flatten()),
                        )
                    })
                    .collect();
                Ok(Some((line, line, RawRow { fields })))
            }
        }
    }
}

impl Iterator for IntakeFile {
    type Item = Result<Row, IntakeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.next_raw() {
                Ok(Some((_, _, raw))) if RowValidator::is_blank(&raw) => continue,
                Ok(Some((line, _, _))) if self.rows >= limits::MAX_ROWS => {
                    self.done = true;
                    return Some(Err(IntakeError::TooManyRows { line }));
                }
                Ok(Some((line, end, raw))) => {
                    self.rows += 1;
                    return Some(Ok(self.validator.validate_lines(line, end, raw)));
                }
                Ok(None) => {
                    self.done = true;
                    self.progress.store(self.total_bytes, Ordering::Relaxed);
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intake_file_can_move_to_an_import_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<IntakeFile>();
        assert_send::<Row>();
        assert_send::<IntakeError>();
    }

    #[test]
    fn binary_files_are_named() {
        assert!(binary_kind(b"\x89PNG\r\n\x1a\n").is_some_and(|m| m.contains("PNG")));
        assert!(binary_kind(b"\xD0\xCF\x11\xE0\xA1\xB1").is_some_and(|m| m.contains(".xls")));
        assert!(binary_kind(b"abc\0def").is_some());
        assert!(binary_kind("claim_id,접수일시\n".as_bytes()).is_none());
    }
}
