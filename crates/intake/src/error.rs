//! Why a whole intake file is refused, or why reading it stopped.

use std::path::PathBuf;

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
            IntakeError::Io { .. } => "IO_ERROR",
            IntakeError::Empty => "EMPTY_FILE",
            IntakeError::NotTabular(_) => "NOT_CSV_OR_XLSX",
            IntakeError::Encoding(_) => "BAD_ENCODING",
            IntakeError::Xlsx(_) => "BAD_XLSX",
            IntakeError::NoHeader { .. } => "NO_HEADER",
            IntakeError::MissingColumns { .. } => "MISSING_COLUMNS",
            IntakeError::DuplicateColumn { .. } => "DUPLICATE_COLUMN",
            IntakeError::Csv { .. } => "BAD_CSV",
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> IntakeError {
        IntakeError::Io { path: path.to_path_buf(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_columns_are_named_in_english_and_korean() {
        let e =
            IntakeError::MissingColumns { missing: vec![("received_at", "접수일시"), ("service", "서비스")] };
        assert_eq!(e.to_string(), "required columns are missing: received_at (접수일시), service (서비스)");
        let e = IntakeError::MissingColumns { missing: vec![("service", "서비스")] };
        assert_eq!(e.to_string(), "required column is missing: service (서비스)");
        assert_eq!(e.code(), "MISSING_COLUMNS");
    }
}
