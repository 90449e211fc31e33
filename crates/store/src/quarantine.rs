//! The intake quarantine: rows that broke a rule, kept whole with their line,
//! column and message, to be listed, exported, fixed and imported again.
//! A quarantined row counts as resolved once a later import brings its claim in.

use claimdesk_core::msg;
use std::path::Path;

use claimdesk_intake::{write_quarantine_csv, RawRow};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::Store;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct QuarantineEntry {
    pub id: i64,
    pub import_id: i64,
    pub file_name: String,
    pub line: i64,
    pub external_id: Option<String>,
    pub message: String,
    /// Each problem of the row with its column (as written in the file).
    pub problems: Vec<QuarantineProblem>,
    #[cfg_attr(feature = "ts", ts(type = "{ fields: Array<[string, string]> }"))]
    pub raw: RawRow,
    pub resolved: bool,
}

/// One broken rule of a quarantined row.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct QuarantineProblem {
    /// The header as written; empty for problems of the whole row.
    pub column: String,
    pub value: String,
    pub code: String,
    /// English (as the files of older versions hold it).
    pub message: String,
    /// The message as key and parameters, for the reader's language (rows
    /// quarantined before it existed have none: their code says it).
    #[serde(default)]
    pub explain: Option<claimdesk_core::message::Message>,
}

impl Store {
    /// Quarantined rows, oldest import first; `open_only` leaves out resolved ones.
    pub fn quarantine(&self, open_only: bool) -> Result<Vec<QuarantineEntry>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT q.id, q.import_id, i.file_name, q.line, q.external_id, q.message, q.raw, q.resolved_by_import IS NOT NULL, q.problems
             FROM quarantine q JOIN imports i ON i.id = q.import_id {} ORDER BY q.import_id, q.line",
            if open_only { "WHERE q.resolved_by_import IS NULL" } else { "" }
        ))?;
        let rows = stmt.query_map([], |r| {
            let raw: String = r.get(6)?;
            let problems: String = r.get(8)?;
            Ok((
                QuarantineEntry {
                    id: r.get(0)?,
                    import_id: r.get(1)?,
                    file_name: r.get(2)?,
                    line: r.get(3)?,
                    external_id: r.get(4)?,
                    message: r.get(5)?,
                    problems: serde_json::from_str(&problems).unwrap_or_default(),
                    raw: RawRow::default(),
                    resolved: r.get(7)?,
                },
                raw,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut entry, raw) = row?;
            entry.raw = RawRow { fields: serde_json::from_str(&raw)? };
            out.push(entry);
        }
        Ok(out)
    }

    /// Writes the open quarantined rows to a CSV file under their original
    /// header, to be fixed in a spreadsheet and imported again. Returns how
    /// many rows were written.
    pub fn export_quarantine(&self, path: &Path) -> Result<usize> {
        let entries = self.quarantine(true)?;
        let Some(last) = entries.last() else {
            return Err(StoreError::Invalid(msg!("store.quarantine_empty")));
        };
        let headers_json: String =
            self.conn()
                .query_row("SELECT headers FROM imports WHERE id = ?1", [last.import_id], |r| r.get(0))?;
        let headers: Vec<String> = serde_json::from_str(&headers_json)?;
        // Rows from a file with other headers are laid out under these, by header name.
        let rows: Vec<RawRow> = entries
            .iter()
            .map(|e| {
                let same = e.raw.fields.len() >= headers.len()
                    && e.raw.fields.iter().zip(&headers).all(|((h, _), want)| h == want);
                if same {
                    e.raw.clone()
                } else {
                    RawRow {
                        fields: headers
                            .iter()
                            .map(|h| (h.clone(), e.raw.get(h).unwrap_or_default().to_string()))
                            .collect(),
                    }
                }
            })
            .collect();
        let tmp = path.with_extension("partial");
        let file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write_quarantine_csv(file, &headers, rows.iter())?;
        std::fs::rename(&tmp, path)?;
        Ok(rows.len())
    }
}
