//! Payout export: approved cash claims to a payout file (CSV or XLSX). A claim
//! joins at most one live payout (a unique index), and is marked paid only
//! when the export is confirmed, so a claim is never paid twice. What a
//! payout shares with a fulfilment (confirm, cancel, refused reservations)
//! is in [`crate::delivery`].

use claimdesk_core::msg;
use std::path::Path;

use claimdesk_core::workflow::{Decision, Recommendation};
use claimdesk_core::{Actor, Remedy};
use rusqlite::params;
use serde::Serialize;

use crate::batches::ClaimRefusal;
use crate::delivery::{write_atomically, Delivery, DeliveryRow, Item, Step};
use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter};
use crate::users::team_op_in_tx;
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
    /// Admin: reserves every approved cash claim of the current incident not yet reserved for a
    /// payout, writes them to `path` and records the payout as exported (not
    /// yet paid). In a team the reservations are the server's to accept: the
    /// payout can be confirmed once the next sync has them accepted; a claim
    /// another payout reserved first leaves this one (and its file must be
    /// written again).
    pub fn export_payout(&mut self, actor: &Actor, path: &Path) -> Result<PayoutExport> {
        self.require(actor, Delivery::Payout.action(), "payout")?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let file = path.display().to_string();
        let incident = self.current_incident()?;
        let tx = self.write_tx()?;
        let mut lines = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT id, external_id, name, coalesce(bank_name, ''), coalesce(account_no, ''), recommendation FROM claims
                 WHERE status = 'approved' AND reserved_for IS NULL AND incident_id = ?1
                   AND NOT EXISTS (SELECT 1 FROM payout_items p WHERE p.claim_id = claims.id AND p.live = 1)
                 ORDER BY external_id",
            )?;
            let rows = stmt.query_map([&incident], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?;
            for row in rows {
                let (claim_id, external_id, name, bank_name, account_no, rec) = row?;
                let rec: Option<Recommendation> = rec.and_then(|t| serde_json::from_str(&t).ok());
                if let Some(Recommendation {
                    decision: Decision::Approve { remedy: Remedy::Cash, amount, .. },
                    ..
                }) = rec
                {
                    let amount = crate::import::won(Some(amount)).unwrap_or(0);
                    lines.push(Line { claim_id, external_id, name, bank_name, account_no, amount });
                }
            }
        }
        if lines.is_empty() {
            return Err(StoreError::Invalid(msg!("store.no_cash_waiting")));
        }
        let uid = uuid::Uuid::now_v7().to_string();
        tx.execute(
            "INSERT INTO payouts (file_name, created_by, created_at, claims, total, uid) VALUES (?1, ?2, ?3, 0, 0, ?4)",
            params![file, actor.user, now_secs(), uid],
        )?;
        let payout_id = tx.last_insert_rowid();
        let mut ops = OpWriter::begin(&tx)?;
        let mut reserved = Vec::with_capacity(lines.len());
        for l in lines {
            let item = Item { claim_id: l.claim_id, external_id: &l.external_id, amount: l.amount, lines: 1 };
            if Delivery::Payout.reserve_item(&tx, &mut ops, &author, actor, (payout_id, &uid), item)? {
                reserved.push(l);
            }
        }
        let total: i64 = reserved.iter().map(|l| l.amount).sum();
        tx.execute(
            "UPDATE payouts SET claims = ?2, total = ?3 WHERE id = ?1",
            params![payout_id, reserved.len() as i64, total],
        )?;
        // The file is complete on disk before the payout is committed.
        write_file(path, payout_id, &reserved)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let record = Delivery::Payout.export_op(claimdesk_core::ops::PayoutExport {
            id: uid.clone(),
            file: file_name,
            claims: reserved.len() as u64,
            total,
        });
        team_op_in_tx(&tx, &mut ops, &author, actor, &Delivery::Payout.entity(&uid), &record)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(PayoutExport { payout_id, file, claims: reserved.len() as u64, total })
    }

    /// Admin: the bank confirmed the payout file; its claims become paid
    /// ([`Store::confirm_delivery`]: refused while a reservation is not yet
    /// accepted by the sync server, and while the file is outdated).
    pub fn confirm_payout(&mut self, actor: &Actor, payout_id: i64) -> Result<PayoutConfirm> {
        let done = self.confirm_delivery(actor, Delivery::Payout, payout_id)?;
        Ok(PayoutConfirm { payout_id, paid: done.done, refused: done.refused })
    }

    /// Admin: every payout of this desktop, newest first: an exported one
    /// waits for its confirmation, also after a restart.
    pub fn payouts(&mut self, actor: &Actor) -> Result<Vec<DeliveryRow>> {
        self.deliveries(actor, Delivery::Payout)
    }

    /// Admin: the payout file was not sent; its claims are released and may be exported again.
    pub fn cancel_payout(&mut self, actor: &Actor, payout_id: i64) -> Result<()> {
        self.cancel_delivery(actor, Delivery::Payout, payout_id)
    }

    /// Admin: writes the file of an exported payout again, listing exactly
    /// the claims still reserved for it (after some left it).
    pub fn rewrite_payout_file(
        &mut self,
        actor: &Actor,
        payout_id: i64,
        path: &Path,
    ) -> Result<PayoutExport> {
        self.require(actor, Delivery::Payout.action(), &Delivery::Payout.entity(payout_id))?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let (status, uid, _) = Delivery::Payout.row(&tx, payout_id)?;
        if status != "exported" {
            return Err(Delivery::Payout.not_exported(Step::Rewrite, payout_id, &status));
        }
        let lines: Vec<Line> = {
            let mut stmt = tx.prepare(
                "SELECT c.id, c.external_id, c.name, coalesce(c.bank_name, ''), coalesce(c.account_no, ''), p.amount
                 FROM payout_items p JOIN claims c ON c.id = p.claim_id WHERE p.payout_id = ?1 AND p.live = 1 ORDER BY c.external_id",
            )?;
            let rows = stmt.query_map([payout_id], |r| {
                Ok(Line {
                    claim_id: r.get(0)?,
                    external_id: r.get(1)?,
                    name: r.get(2)?,
                    bank_name: r.get(3)?,
                    account_no: r.get(4)?,
                    amount: r.get(5)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let total: i64 = lines.iter().map(|l| l.amount).sum();
        write_file(path, payout_id, &lines)?;
        let file = path.display().to_string();
        tx.execute(
            "UPDATE payouts SET file_name = ?2, claims = ?3, total = ?4, file_outdated = 0 WHERE id = ?1",
            params![payout_id, file, lines.len() as i64, total],
        )?;
        let mut ops = OpWriter::begin(&tx)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let record = Delivery::Payout.export_op(claimdesk_core::ops::PayoutExport {
            id: uid.clone(),
            file: file_name,
            claims: lines.len() as u64,
            total,
        });
        team_op_in_tx(&tx, &mut ops, &author, actor, &Delivery::Payout.entity(&uid), &record)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(PayoutExport { payout_id, file, claims: lines.len() as u64, total })
    }
}

/// Writes the payout file (through a temporary name: [`write_atomically`]).
fn write_file(path: &Path, payout_id: i64, lines: &[Line]) -> Result<()> {
    write_atomically(path, |tmp| write_lines(tmp, PayoutFormat::for_path(path), payout_id, lines))
}

fn write_lines(tmp: &Path, format: PayoutFormat, payout_id: i64, lines: &[Line]) -> Result<()> {
    match format {
        PayoutFormat::Csv => {
            use std::io::Write;
            let mut w = std::io::BufWriter::new(std::fs::File::create(tmp)?);
            w.write_all(claimdesk_intake::csv_record(HEADER).as_bytes())?;
            for l in lines {
                // Every cell through the one CSV record writer: a text cell
                // from intake that starts with =, +, -, @, a tab or a CR gets
                // the text mark ' in front. The numeric columns (the payout
                // id and the amount, non-negative integers ClaimDesk writes
                // itself) pass unchanged and stay numbers.
                let (id, amount) = (payout_id.to_string(), l.amount.to_string());
                w.write_all(
                    claimdesk_intake::csv_record([
                        id.as_str(),
                        l.external_id.as_str(),
                        l.name.as_str(),
                        l.bank_name.as_str(),
                        l.account_no.as_str(),
                        amount.as_str(),
                    ])
                    .as_bytes(),
                )?;
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
            book.save(tmp)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A claimant named like a formula reaches the bank's spreadsheet as text:
    /// marked in the CSV, a text cell in the XLSX.
    #[test]
    fn payout_files_never_hold_a_cell_a_spreadsheet_would_run() {
        let dir = tempfile::tempdir().expect("dir");
        let name = r#"=HYPERLINK("http://x","y")"#;
        let lines = [
            Line {
                claim_id: 1,
                external_id: "C-1".into(),
                name: name.into(),
                bank_name: "+신한".into(),
                account_no: "-110-123".into(),
                amount: 50_000,
            },
            Line {
                claim_id: 2,
                external_id: "@SUM(A1)".into(),
                name: "\t김민수".into(),
                bank_name: "\r국민".into(),
                account_no: "+1".into(),
                amount: 1,
            },
        ];
        let csv_path = dir.path().join("payout.csv");
        write_file(&csv_path, 7, &lines).expect("csv");
        let text = std::fs::read_to_string(&csv_path).expect("read");
        let row = text.lines().nth(1).expect("a line");
        assert_eq!(row, r#"7,C-1,"'=HYPERLINK(""http://x"",""y"")",'+신한,'-110-123,50000"#);
        // Read as a spreadsheet would: no cell starts a formula, the numbers stay numbers.
        let mut reader = csv::Reader::from_path(&csv_path).expect("csv");
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
        assert_eq!(records.len(), 2);
        for record in &records {
            for cell in record {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} would run");
            }
        }
        assert_eq!(&records[1][1], "'@SUM(A1)");
        assert_eq!(&records[1][2], "'\t김민수");
        assert_eq!(&records[1][3], "'\r국민");
        assert_eq!((&records[1][0], &records[1][5]), ("7", "1"));

        let xlsx_path = dir.path().join("payout.xlsx");
        write_file(&xlsx_path, 7, &lines).expect("xlsx");
        // The sheet holds the name as a text cell, and no formula anywhere.
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx_path).expect("open");
        let range = book.worksheet_range("지급").expect("sheet");
        assert_eq!(range.get_value((1, 2)), Some(&calamine::Data::String(name.to_string())));
        let formulas = book.worksheet_formula("지급").expect("formulas");
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula cell");
    }
}
