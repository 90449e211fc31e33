//! Payout export: approved cash claims to a payout file (CSV or XLSX). A claim
//! joins at most one live payout (a unique index), and is marked paid only
//! when the export is confirmed, so a claim is never paid twice.

use std::path::Path;

use claimdesk_core::workflow::{AdminAction, ClaimCommand, Decision, Recommendation};
use claimdesk_core::{Actor, Remedy};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::json;

use crate::batches::ClaimRefusal;
use crate::claims::{apply_in_tx, load_record, Applied};
use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter, SyncState};
use crate::{now_secs, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutFormat {
    Csv,
    Xlsx,
}

impl PayoutFormat {
    /// From the file name's extension; CSV unless it ends in .xlsx.
    pub fn for_path(path: &Path) -> PayoutFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("xlsx") => PayoutFormat::Xlsx,
            _ => PayoutFormat::Csv,
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct PayoutExport {
    pub payout_id: i64,
    pub file: String,
    pub claims: u64,
    pub total: i64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct PayoutConfirm {
    pub payout_id: i64,
    pub paid: u64,
    pub refused: Vec<ClaimRefusal>,
}

struct Line {
    claim_id: i64,
    external_id: String,
    name: String,
    bank_name: String,
    account_no: String,
    amount: i64,
}

const HEADER: [&str; 6] = ["payout_id", "claim_id", "name", "bank_name", "account_no", "amount_krw"];

impl Store {
    /// Admin: writes every approved cash claim not yet in a payout to `path`
    /// and records the payout as exported (not yet paid).
    pub fn export_payout(&mut self, actor: &Actor, path: &Path) -> Result<PayoutExport> {
        self.require(actor, AdminAction::ExportPayout, "payout", "payout.export")?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let file = path.display().to_string();
        let tx = self.write_tx()?;
        let mut lines = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT id, external_id, name, coalesce(bank_name, ''), coalesce(account_no, ''), recommendation FROM claims
                 WHERE status = 'approved' AND NOT EXISTS (SELECT 1 FROM payout_items p WHERE p.claim_id = claims.id AND p.live = 1)
                 ORDER BY external_id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?, r.get::<_, Option<String>>(5)?))
            })?;
            for row in rows {
                let (claim_id, external_id, name, bank_name, account_no, rec) = row?;
                let rec: Option<Recommendation> = rec.and_then(|t| serde_json::from_str(&t).ok());
                if let Some(Recommendation { decision: Decision::Approve { remedy: Remedy::Cash, amount, .. }, .. }) = rec {
                    let amount = crate::import::won(Some(amount)).unwrap_or(0);
                    lines.push(Line { claim_id, external_id, name, bank_name, account_no, amount });
                }
            }
        }
        if lines.is_empty() {
            return Err(StoreError::Invalid("no approved cash claims are waiting for payout".into()));
        }
        let total: i64 = lines.iter().map(|l| l.amount).sum();
        tx.execute(
            "INSERT INTO payouts (file_name, created_by, created_at, claims, total) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![file, actor.user, now_secs(), lines.len() as i64, total],
        )?;
        let payout_id = tx.last_insert_rowid();
        {
            let mut item = tx.prepare("INSERT INTO payout_items (payout_id, claim_id, amount) VALUES (?1, ?2, ?3)")?;
            for l in &lines {
                item.execute(params![payout_id, l.claim_id, l.amount])?;
            }
        }
        // The file is complete on disk before the payout is committed.
        write_file(path, payout_id, &lines)?;
        let mut ops = OpWriter::begin(&tx)?;
        ops.append(&tx, &author, &format!("payout:{payout_id}"), "payout.export",
            &json!({"file": file, "claims": lines.len(), "total": total}).to_string(), None, false, SyncState::Pending)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(PayoutExport { payout_id, file, claims: lines.len() as u64, total })
    }

    /// Admin: the bank confirmed the payout file; its claims become paid.
    pub fn confirm_payout(&mut self, actor: &Actor, payout_id: i64) -> Result<PayoutConfirm> {
        self.require(actor, AdminAction::ExportPayout, &format!("payout:{payout_id}"), "payout.confirm")?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let status: String = tx
            .query_row("SELECT status FROM payouts WHERE id = ?1", [payout_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("payout {payout_id}")))?;
        if status != "exported" {
            return Err(StoreError::Invalid(format!("payout {payout_id} is already {status}")));
        }
        let ids: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT c.external_id FROM payout_items p JOIN claims c ON c.id = p.claim_id WHERE p.payout_id = ?1 AND p.live = 1 ORDER BY c.external_id",
            )?;
            let rows = stmt.query_map([payout_id], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut ops = OpWriter::begin(&tx)?;
        let mut report = PayoutConfirm { payout_id, paid: 0, refused: Vec::new() };
        for external_id in &ids {
            let record = load_record(&tx, external_id)?;
            let result = apply_in_tx(&tx, &mut ops, &author, actor, &record, None, &ClaimCommand::MarkPaid, |_, _, _, _| {
                Ok(Applied { payload: json!({"payout_id": payout_id}), value: (), bumps_version: true })
            });
            match result {
                Ok(_) => report.paid += 1,
                Err(StoreError::Refused(r)) => {
                    report.refused.push(ClaimRefusal { external_id: external_id.clone(), code: r.code().into(), message: r.to_string() })
                }
                Err(e) => return Err(e),
            }
        }
        tx.execute("UPDATE payouts SET status = 'confirmed', confirmed_at = ?2 WHERE id = ?1", params![payout_id, now_secs()])?;
        ops.append(&tx, &author, &format!("payout:{payout_id}"), "payout.confirm", &json!({"paid": report.paid}).to_string(), None, false, SyncState::Pending)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// Admin: the payout file was not sent; its claims may be exported again.
    pub fn cancel_payout(&mut self, actor: &Actor, payout_id: i64) -> Result<()> {
        self.admin_change(actor, AdminAction::ExportPayout, &format!("payout:{payout_id}"), "payout.cancel", |tx| {
            let status: String = tx
                .query_row("SELECT status FROM payouts WHERE id = ?1", [payout_id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("payout {payout_id}")))?;
            if status != "exported" {
                return Err(StoreError::Invalid(format!("payout {payout_id} is {status}; only an exported payout can be cancelled")));
            }
            tx.execute("UPDATE payouts SET status = 'cancelled' WHERE id = ?1", [payout_id])?;
            tx.execute("UPDATE payout_items SET live = 0 WHERE payout_id = ?1", [payout_id])?;
            Ok(json!({"payout_id": payout_id}))
        })
    }
}

/// Writes the payout file through a temporary name, so a failure never
/// leaves a half-written file under the requested name.
fn write_file(path: &Path, payout_id: i64, lines: &[Line]) -> Result<()> {
    let tmp = path.with_extension("partial");
    match PayoutFormat::for_path(path) {
        PayoutFormat::Csv => {
            let mut w = csv::Writer::from_path(&tmp)?;
            w.write_record(HEADER)?;
            for l in lines {
                w.write_record([&payout_id.to_string(), &l.external_id, &l.name, &l.bank_name, &l.account_no, &l.amount.to_string()])?;
            }
            w.flush()?;
        }
        PayoutFormat::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name("지급")?;
            for (col, h) in HEADER.iter().enumerate() {
                sheet.write_string(0, col as u16, *h)?;
            }
            for (i, l) in lines.iter().enumerate() {
                let row = i as u32 + 1;
                sheet.write_number(row, 0, payout_id as f64)?;
                sheet.write_string(row, 1, &l.external_id)?;
                sheet.write_string(row, 2, &l.name)?;
                sheet.write_string(row, 3, &l.bank_name)?;
                sheet.write_string(row, 4, &l.account_no)?;
                sheet.write_number(row, 5, l.amount as f64)?;
            }
            book.save(&tmp)?;
        }
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}
