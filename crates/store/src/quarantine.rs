//! The intake quarantine: rows that broke a rule, kept whole with their line,
//! column and message, to be listed, exported, fixed and imported again.
//! A quarantined row counts as resolved once a later import brings its claim in.
//!
//! The rows are whole and unmasked (phone numbers, accounts, whatever the
//! file held), so listing and exporting them is an admin's
//! (`AdminAction::ViewQuarantine`), checked here for the app and the CLI
//! alike; a refusal is audited like every other, and an export is an audit
//! entry of its own (`quarantine.export`: who, which file, how many rows).
//! The quarantine never syncs: it is the importing desktop's.

use claimdesk_core::ops::{Op, QuarantineExport};
use claimdesk_core::workflow::AdminAction;
use claimdesk_core::{msg, Actor};
use std::path::Path;

use claimdesk_intake::{write_quarantine_csv, RawRow};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter, SyncState};
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
    /// Admin: quarantined rows, oldest import first; `open_only` leaves out resolved ones.
    pub fn quarantine(&mut self, actor: &Actor, open_only: bool) -> Result<Vec<QuarantineEntry>> {
        self.require(actor, AdminAction::ViewQuarantine, "quarantine")?;
        self.quarantined_rows(open_only)
    }

    fn quarantined_rows(&self, open_only: bool) -> Result<Vec<QuarantineEntry>> {
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

    /// Admin: writes the open quarantined rows to a CSV file under their
    /// original header, to be fixed in a spreadsheet and imported again
    /// (every cell formula-safe). The export is in the audit log
    /// (`quarantine.export`, with the file and the row count) before the
    /// file gets its name. Returns how many rows were written.
    pub fn export_quarantine(&mut self, actor: &Actor, path: &Path) -> Result<usize> {
        self.require(actor, AdminAction::ViewQuarantine, "quarantine")?;
        let entries = self.quarantined_rows(true)?;
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
        let audited = self.audit_quarantine_export(actor, path, rows.len());
        match audited {
            Ok(()) => std::fs::rename(&tmp, path)?,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        }
        Ok(rows.len())
    }

    fn audit_quarantine_export(&mut self, actor: &Actor, path: &Path, rows: usize) -> Result<()> {
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let op =
            Op::QuarantineExport(QuarantineExport { file: path.display().to_string(), rows: rows as u64 });
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        ops.append_op(&tx, &author, "quarantine", &op, None, None, SyncState::Local)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }
}
