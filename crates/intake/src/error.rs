//! Why a whole intake file is refused, or why reading it stopped.

use std::path::PathBuf;

use claimdesk_core::{code_key, msg};

use crate::limits::*;
use claimdesk_core::message::{for_code, Explain, Message};

/// A file-level failure: the file is refused as a whole (from `open`) or
/// reading stopped (from the row iterator). Row-level problems are never
/// errors: those rows are quarantined.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the file is empty")]
    Empty,
    #[error("this is not a CSV or XLSX file: {0}")]
    NotTabular(String),
    #[error("the file's encoding cannot be read: {0}; save it as UTF-8 or CP949 (EUC-KR) CSV, or as XLSX")]
    Encoding(String),
    #[error("the workbook cannot be read: {0}")]
    Xlsx(String),
    #[error("the first row is not a header: it names none of the intake columns (claim_id/접수번호, received_at/접수일시, …); it reads: {first_row}")]
    NoHeader { first_row: String },
    #[error("required column{} missing: {}", if missing.len() == 1 { " is" } else { "s are" }, fmt_missing(missing))]
    MissingColumns {
        /// (English header, Korean header) of each missing column.
        missing: Vec<(&'static str, &'static str)>,
    },
    #[error("columns '{first}' and '{second}' both mean {field}; keep one of them")]
    DuplicateColumn { field: &'static str, first: String, second: String },
    #[error("line {line}: the file cannot be read as CSV: {message}")]
    Csv { line: u64, message: String },
    #[error("line {line}: a quoted value starts here and does not close")]
    UnclosedQuote { line: u64 },
    #[error("line {line}: the row that starts here is longer than {}", size_text(MAX_RECORD_BYTES as u64))]
    RecordTooLong { line: u64 },
    #[error("line {line}: the row has more than {MAX_FIELDS} fields")]
    TooManyFields { line: u64 },
    #[error("line {line}: the file has more than {MAX_ROWS} rows")]
    TooManyRows { line: u64 },
    #[error("this is an OpenDocument spreadsheet (.ods); save it as XLSX or CSV")]
    Ods,
    #[error("the workbook has {count} parts, more than {MAX_ZIP_MEMBERS}")]
    ZipTooManyParts { count: usize },
    #[error("the workbook's part '{part}' unpacks to {}, more than {}", size_text(*size), size_text(*max))]
    ZipPartTooLarge { part: String, size: u64, max: u64 },
    #[error("the workbook's part '{part}' unpacks from {} to {}: a zip bomb", size_text(*packed), size_text(*size))]
    ZipRatio { part: String, size: u64, packed: u64 },
    #[error("the workbook unpacks to {} in all, more than {}", size_text(*size), size_text(MAX_TOTAL_UNPACKED_BYTES))]
    ZipTotalTooLarge { size: u64 },
    #[error("the workbook's part '{part}' declares a DTD")]
    XmlDtd { part: String },
    #[error(
        "the workbook's part '{part}' has a value larger than {} ({at})",
        size_text(MAX_XML_ELEMENT_BYTES)
    )]
    XmlTooLarge { part: String, at: XmlPlace },
    #[error("the workbook has more than {MAX_SHARED_STRINGS} shared strings")]
    TooManySharedStrings,
}

/// Where in a workbook's XML a value is too large.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlPlace {
    /// A cell, by its reference (`B7`), as the sheet names it.
    Cell(String),
    /// A shared string, by its index from 0.
    SharedString(u64),
    /// Text or markup elsewhere, by its byte offset in the unpacked part.
    Offset(u64),
}

impl std::fmt::Display for XmlPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XmlPlace::Cell(c) => write!(f, "cell {c}"),
            XmlPlace::SharedString(i) => write!(f, "shared string {i}"),
            XmlPlace::Offset(o) => write!(f, "near byte {o}"),
        }
    }
}

/// A size for people: `900 KB`, `64.0 MB`, `1.1 GB` (units of 1024).
pub fn size_text(bytes: u64) -> String {
    const K: u64 = 1024;
    if bytes < K * K {
        format!("{} KB", bytes.div_ceil(K))
    } else if bytes < K * K * K {
        format!("{:.1} MB", bytes as f64 / (K * K) as f64)
    } else {
        format!("{:.1} GB", bytes as f64 / (K * K * K) as f64)
    }
}

/// `2,000,000`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn fmt_missing(missing: &[(&'static str, &'static str)]) -> String {
    missing.iter().map(|(en, ko)| format!("{en} ({ko})")).collect::<Vec<_>>().join(", ")
}

impl IntakeError {
    /// A stable code for the UI, logs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            IntakeError::Io { .. } => code_key!("IO_ERROR"),
            IntakeError::Empty => code_key!("EMPTY_FILE"),
            IntakeError::NotTabular(_) => code_key!("NOT_CSV_OR_XLSX"),
            IntakeError::Encoding(_) => code_key!("BAD_ENCODING"),
            IntakeError::Xlsx(_) => code_key!("BAD_XLSX"),
            IntakeError::NoHeader { .. } => code_key!("NO_HEADER"),
            IntakeError::MissingColumns { .. } => code_key!("MISSING_COLUMNS"),
            IntakeError::DuplicateColumn { .. } => code_key!("DUPLICATE_COLUMN"),
            IntakeError::Csv { .. } => code_key!("BAD_CSV"),
            IntakeError::UnclosedQuote { .. } => code_key!("UNCLOSED_QUOTE"),
            IntakeError::RecordTooLong { .. } => code_key!("RECORD_TOO_LONG"),
            IntakeError::TooManyFields { .. } => code_key!("TOO_MANY_FIELDS"),
            IntakeError::TooManyRows { .. } => code_key!("TOO_MANY_ROWS"),
            IntakeError::Ods => code_key!("ODS_NOT_SUPPORTED"),
            IntakeError::ZipTooManyParts { .. } => code_key!("ZIP_TOO_MANY_PARTS"),
            IntakeError::ZipPartTooLarge { .. } => code_key!("ZIP_PART_TOO_LARGE"),
            IntakeError::ZipRatio { .. } => code_key!("ZIP_RATIO"),
            IntakeError::ZipTotalTooLarge { .. } => code_key!("ZIP_TOTAL_TOO_LARGE"),
            IntakeError::XmlDtd { .. } => code_key!("XML_DTD"),
            IntakeError::XmlTooLarge { .. } => code_key!("XML_TOO_LARGE"),
            IntakeError::TooManySharedStrings => code_key!("TOO_MANY_SHARED_STRINGS"),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> IntakeError {
        IntakeError::Io { path: path.to_path_buf(), source }
    }
}

impl Explain for IntakeError {
    /// `error.<CODE>` with what the file's own text said as `detail` (as the
    /// reader library reported it) and the file's names of columns.
    fn message(&self) -> Message {
        let m = for_code(self.code());
        match self {
            IntakeError::Io { path, source } => m.with("path", path.display()).with("detail", source),
            IntakeError::Empty => m,
            IntakeError::NotTabular(d) | IntakeError::Encoding(d) | IntakeError::Xlsx(d) => {
                m.with("detail", d)
            }
            IntakeError::NoHeader { first_row } => m.with("first_row", first_row),
            IntakeError::MissingColumns { missing } => {
                // Both names: a Korean file says 접수일시, an English one received_at.
                m.with("columns", fmt_missing(missing))
            }
            IntakeError::DuplicateColumn { field, first, second } => {
                m.with("field", field).with("first", first).with("second", second)
            }
            IntakeError::Csv { line, message } => m.with("line", line).with("detail", message),
            IntakeError::UnclosedQuote { line } => {
                m.with("line", line).with("max", size_text(MAX_RECORD_BYTES as u64))
            }
            IntakeError::RecordTooLong { line } => {
                m.with("line", line).with("max", size_text(MAX_RECORD_BYTES as u64))
            }
            IntakeError::TooManyFields { line } => {
                m.with("line", line).with("max", thousands(MAX_FIELDS as u64))
            }
            IntakeError::TooManyRows { line } => m.with("line", line).with("max", thousands(MAX_ROWS)),
            IntakeError::Ods => m,
            IntakeError::ZipTooManyParts { count } => {
                m.with("count", thousands(*count as u64)).with("max", thousands(MAX_ZIP_MEMBERS as u64))
            }
            IntakeError::ZipPartTooLarge { part, size, max } => {
                m.with("part", part).with("size", size_text(*size)).with("max", size_text(*max))
            }
            IntakeError::ZipRatio { part, size, packed } => m
                .with("part", part)
                .with("size", size_text(*size))
                .with("packed", size_text(*packed))
                .with("ratio", thousands(size / (*packed).max(1)))
                .with("max", MAX_COMPRESSION_RATIO),
            IntakeError::ZipTotalTooLarge { size } => {
                m.with("size", size_text(*size)).with("max", size_text(MAX_TOTAL_UNPACKED_BYTES))
            }
            IntakeError::XmlDtd { part } => m.with("part", part),
            IntakeError::XmlTooLarge { part, at } => {
                let max = size_text(MAX_XML_ELEMENT_BYTES);
                match at {
                    XmlPlace::Cell(cell) => {
                        msg!("error.XML_TOO_LARGE.cell", part = part, cell = cell, max = max)
                    }
                    XmlPlace::SharedString(index) => {
                        msg!("error.XML_TOO_LARGE.shared", part = part, index = index, max = max)
                    }
                    XmlPlace::Offset(offset) => m.with("part", part).with("offset", offset).with("max", max),
                }
            }
            IntakeError::TooManySharedStrings => m.with("max", thousands(MAX_SHARED_STRINGS)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_columns_are_named_in_english_and_korean() {
        let e = IntakeError::MissingColumns {
            missing: vec![("received_at", "접수일시"), ("service", "서비스")],
        };
        assert_eq!(e.to_string(), "required columns are missing: received_at (접수일시), service (서비스)");
        let e = IntakeError::MissingColumns { missing: vec![("service", "서비스")] };
        assert_eq!(e.to_string(), "required column is missing: service (서비스)");
        assert_eq!(e.code(), "MISSING_COLUMNS");
        let ko = e.message().render(claimdesk_core::message::Lang::Ko);
        assert_eq!(ko, "필수 열이 없습니다: service (서비스)");
    }
}
