//! Why a whole intake file is refused, or why reading it stopped.

use std::path::PathBuf;

use claimdesk_core::code_key;
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
