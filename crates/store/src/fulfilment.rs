//! Fulfilment export: what a decision grants beside cash (vouchers,
//! extensions, points, message credits, fee waivers) to a file for the
//! systems that grant them, one line per grant (claim, claimant key, what,
//! how much). Like a payout ([`crate::delivery`]): a claim joins at most one
//! live fulfilment, is reserved for it team-wide, and is marked fulfilled
//! only when the fulfilment is confirmed, so nothing is fulfilled twice. A
//! claim given cash and something else joins once its payout is confirmed.

use std::path::Path;

use claimdesk_core::grant::Grant;
use claimdesk_core::msg;
use claimdesk_core::workflow::{fulfilment_grants, Decision, Recommendation};
use claimdesk_core::{Actor, ClaimStatus, Remedy};
use rusqlite::params;
use serde::Serialize;

use crate::delivery::{write_atomically, Confirmed, Delivery, DeliveryRow, Item, Step};
use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter};
use crate::payout::PayoutFormat;
use crate::users::team_op_in_tx;
use crate::{now_secs, Store};

/// A fulfilment written.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FulfilmentExport {
    pub fulfilment_id: i64,
    pub file: String,
    pub claims: u64,
    /// Lines of the file: one per grant.
    pub lines: u64,
    /// Won value of the grants listed.
    pub total: i64,
    /// Per kind of grant: how many claims, units and won.
    pub kinds: Vec<KindTotal>,
}

/// The grants of one kind in a fulfilment.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KindTotal {
    pub kind: Remedy,
    pub claims: u64,
    /// Days, vouchers, points or months ([`Grant::quantity_unit`]); 0 for a kind without a unit.
    pub quantity: u64,
    pub amount: i64,
}

/// What a confirmation did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct FulfilmentConfirm {
    pub fulfilment_id: i64,
    pub fulfilled: u64,
    pub refused: Vec<crate::batches::ClaimRefusal>,
}

/// One claim in a fulfilment file.
struct Line {
    claim_id: i64,
    external_id: String,
    claimant_key: String,
    grants: Vec<Grant>,
}

impl Line {
    fn value(&self) -> i64 {
        self.grants.iter().map(|g| crate::import::won(Some(g.amount)).unwrap_or(0)).sum()
    }
}

const HEADER: [&str; 9] = [
    "fulfilment_id",
    "claim_id",
    "claimant_key",
    "kind",
    "kind_ko",
    "label",
    "quantity",
    "unit",
    "amount_krw",
];

impl Store {
    /// Admin: reserves every claim of the current incident that waits for
    /// fulfilment (approved with grants but no cash, or paid and given
    /// something beside the cash; not yet in a live fulfilment), writes
    /// their grants to `path` (CSV, or XLSX by extension) and records the
    /// fulfilment as exported. In a team it is confirmed once the next sync
    /// has the reservations accepted.
    pub fn export_fulfilment(&mut self, actor: &Actor, path: &Path) -> Result<FulfilmentExport> {
        let d = Delivery::Fulfilment;
        self.require(actor, d.action(), "fulfilment")?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let incident = self.current_incident()?;
        let tx = self.write_tx()?;
        let waiting = waiting_lines(&tx, &incident)?;
        if waiting.is_empty() {
            return Err(StoreError::Invalid(msg!("store.no_fulfilment_waiting")));
        }
        let uid = uuid::Uuid::now_v7().to_string();
        let file = path.display().to_string();
        tx.execute(
            "INSERT INTO fulfilments (uid, file_name, created_by, created_at, claims, lines, total) VALUES (?1, ?2, ?3, ?4, 0, 0, 0)",
            params![uid, file, actor.user, now_secs()],
        )?;
        let id = tx.last_insert_rowid();
        let mut ops = OpWriter::begin(&tx)?;
        let mut reserved = Vec::with_capacity(waiting.len());
        for l in waiting {
            let item = Item {
                claim_id: l.claim_id,
                external_id: &l.external_id,
                amount: l.value(),
                lines: l.grants.len() as i64,
            };
            if d.reserve_item(&tx, &mut ops, &author, actor, (id, &uid), item)? {
                reserved.push(l);
            }
        }
        let export = summary(id, &file, &reserved);
        tx.execute(
            "UPDATE fulfilments SET claims = ?2, lines = ?3, total = ?4 WHERE id = ?1",
            params![id, export.claims as i64, export.lines as i64, export.total],
        )?;
        // The file is complete on disk before the fulfilment is committed.
        write_file(path, id, &reserved)?;
        record_export(&tx, &mut ops, (&author, actor), &uid, path, &export)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(export)
    }

    /// Admin: the grants of the fulfilment were given; its claims become fulfilled.
    pub fn confirm_fulfilment(&mut self, actor: &Actor, fulfilment_id: i64) -> Result<FulfilmentConfirm> {
        let Confirmed { done, refused } =
            self.confirm_delivery(actor, Delivery::Fulfilment, fulfilment_id)?;
        Ok(FulfilmentConfirm { fulfilment_id, fulfilled: done, refused })
    }

    /// Admin: the fulfilment file was not sent; its claims are released.
    pub fn cancel_fulfilment(&mut self, actor: &Actor, fulfilment_id: i64) -> Result<()> {
        self.cancel_delivery(actor, Delivery::Fulfilment, fulfilment_id)
    }

    /// Admin: writes the file of an exported fulfilment again, listing
    /// exactly the claims still reserved for it (after some left it).
    pub fn rewrite_fulfilment_file(
        &mut self,
        actor: &Actor,
        fulfilment_id: i64,
        path: &Path,
    ) -> Result<FulfilmentExport> {
        let d = Delivery::Fulfilment;
        self.require(actor, d.action(), &d.entity(fulfilment_id))?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let (status, uid, _) = d.row(&tx, fulfilment_id)?;
        if status != "exported" {
            return Err(d.not_exported(Step::Rewrite, fulfilment_id, &status));
        }
        let lines = held_lines(&tx, fulfilment_id)?;
        let file = path.display().to_string();
        let export = summary(fulfilment_id, &file, &lines);
        write_file(path, fulfilment_id, &lines)?;
        tx.execute(
            "UPDATE fulfilments SET file_name = ?2, claims = ?3, lines = ?4, total = ?5, file_outdated = 0 WHERE id = ?1",
            params![fulfilment_id, file, export.claims as i64, export.lines as i64, export.total],
        )?;
        let mut ops = OpWriter::begin(&tx)?;
        record_export(&tx, &mut ops, (&author, actor), &uid, path, &export)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(export)
    }

    /// Admin: every fulfilment of this desktop, newest first (exported ones
    /// wait for their confirmation, also after a restart).
    pub fn fulfilments(&mut self, actor: &Actor) -> Result<Vec<DeliveryRow>> {
        self.deliveries(actor, Delivery::Fulfilment)
    }
}

/// The fulfilment's export record (a team op: who wrote which file of how many claims).
fn record_export(
    tx: &rusqlite::Transaction<'_>,
    ops: &mut OpWriter,
    (author, actor): (&Author<'_>, &Actor),
    uid: &str,
    path: &Path,
    export: &FulfilmentExport,
) -> Result<()> {
    let d = Delivery::Fulfilment;
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let record = d.export_op(claimdesk_core::ops::PayoutExport {
        id: uid.into(),
        file,
        claims: export.claims,
        total: export.total,
    });
    team_op_in_tx(tx, ops, author, actor, &d.entity(uid), &record)?;
    Ok(())
}

/// The claims of an incident that wait for fulfilment, with what each is to
/// be given, in claim order. The rules decide again when each is reserved
/// ([`claimdesk_core::workflow::decide`]); this picks the candidates.
fn waiting_lines(tx: &rusqlite::Transaction<'_>, incident: &str) -> Result<Vec<Line>> {
    let mut stmt = tx.prepare(
        "SELECT id, external_id, coalesce(claimant_key, ''), status, recommendation FROM claims
         WHERE status IN ('approved', 'paid') AND reserved_for IS NULL AND incident_id = ?1
           AND NOT EXISTS (SELECT 1 FROM fulfilment_items f WHERE f.claim_id = claims.id AND f.live = 1)
         ORDER BY external_id",
    )?;
    let rows = stmt.query_map([incident], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get(4)?,
        ))
    })?;
    let mut lines = Vec::new();
    for row in rows {
        let (claim_id, external_id, claimant_key, status, rec): (_, _, _, _, Option<String>) = row?;
        let Some(rec) = rec.and_then(|t| serde_json::from_str::<Recommendation>(&t).ok()) else { continue };
        let cash = matches!(rec.decision, Decision::Approve { remedy: Remedy::Cash, .. });
        // Cash is paid first; a claim with nothing but cash has nothing to fulfil.
        if cash && status == ClaimStatus::Approved.code() {
            continue;
        }
        let grants = fulfilment_grants(&rec.decision);
        if !grants.is_empty() {
            lines.push(Line { claim_id, external_id, claimant_key, grants });
        }
    }
    Ok(lines)
}

/// The claims a fulfilment still holds, with their grants.
fn held_lines(tx: &rusqlite::Transaction<'_>, fulfilment_id: i64) -> Result<Vec<Line>> {
    let mut stmt = tx.prepare(
        "SELECT c.id, c.external_id, coalesce(c.claimant_key, ''), c.recommendation
         FROM fulfilment_items f JOIN claims c ON c.id = f.claim_id
         WHERE f.fulfilment_id = ?1 AND f.live = 1 ORDER BY c.external_id",
    )?;
    let rows = stmt.query_map([fulfilment_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut lines = Vec::new();
    for row in rows {
        let (claim_id, external_id, claimant_key, rec) = row?;
        let grants = rec
            .and_then(|t| serde_json::from_str::<Recommendation>(&t).ok())
            .map(|r| fulfilment_grants(&r.decision))
            .unwrap_or_default();
        lines.push(Line { claim_id, external_id, claimant_key, grants });
    }
    Ok(lines)
}

/// The totals of the claims written.
fn summary(fulfilment_id: i64, file: &str, lines: &[Line]) -> FulfilmentExport {
    let mut kinds: Vec<KindTotal> = Vec::new();
    for l in lines {
        let mut seen: Vec<Remedy> = Vec::new();
        for g in &l.grants {
            let at = match kinds.iter().position(|k| k.kind == g.kind) {
                Some(at) => at,
                None => {
                    kinds.push(KindTotal { kind: g.kind, claims: 0, quantity: 0, amount: 0 });
                    kinds.len() - 1
                }
            };
            let k = &mut kinds[at];
            if !seen.contains(&g.kind) {
                k.claims += 1;
                seen.push(g.kind);
            }
            k.quantity += u64::from(g.quantity);
            k.amount += crate::import::won(Some(g.amount)).unwrap_or(0);
        }
    }
    kinds.sort_by_key(|k| k.kind.code());
    FulfilmentExport {
        fulfilment_id,
        file: file.to_string(),
        claims: lines.len() as u64,
        lines: lines.iter().map(|l| l.grants.len() as u64).sum(),
        total: lines.iter().map(Line::value).sum(),
        kinds,
    }
}

/// Writes the fulfilment file (through a temporary name: [`write_atomically`]).
fn write_file(path: &Path, fulfilment_id: i64, lines: &[Line]) -> Result<()> {
    let rows: Vec<[String; 9]> = lines
        .iter()
        .flat_map(|l| {
            l.grants.iter().map(move |g| {
                let unit = Grant::quantity_unit(g.kind).map(|(ko, _)| ko).unwrap_or("");
                [
                    fulfilment_id.to_string(),
                    l.external_id.clone(),
                    l.claimant_key.clone(),
                    g.kind.code().to_string(),
                    g.kind.label_ko().to_string(),
                    g.label.clone(),
                    g.quantity.to_string(),
                    unit.to_string(),
                    crate::import::won(Some(g.amount)).unwrap_or(0).to_string(),
                ]
            })
        })
        .collect();
    write_atomically(path, |tmp| match PayoutFormat::for_path(path) {
        PayoutFormat::Csv => {
            use std::io::Write;
            let mut w = std::io::BufWriter::new(std::fs::File::create(tmp)?);
            w.write_all(claimdesk_intake::csv_record(HEADER).as_bytes())?;
            // Every cell through the one CSV record writer: a text from intake
            // (a label, a claim id) that starts like a formula is marked as text.
            for row in &rows {
                w.write_all(claimdesk_intake::csv_record(row.iter().map(String::as_str)).as_bytes())?;
            }
            w.flush()?;
            Ok(())
        }
        PayoutFormat::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name("이행")?;
            for (col, h) in HEADER.iter().enumerate() {
                sheet.write_string(0, col as u16, *h)?;
            }
            // Numbers stay numbers (id, quantity, won); every other cell is a text cell, never a formula.
            const NUMBERS: [usize; 3] = [0, 6, 8];
            for (i, row) in rows.iter().enumerate() {
                for (col, cell) in row.iter().enumerate() {
                    let (r, c) = (i as u32 + 1, col as u16);
                    match cell.parse::<f64>() {
                        Ok(n) if NUMBERS.contains(&col) => sheet.write_number(r, c, n)?,
                        _ => sheet.write_string(r, c, cell)?,
                    };
                }
            }
            book.save(tmp)?;
            Ok(())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn line(id: &str, key: &str, grants: Vec<Grant>) -> Line {
        Line { claim_id: 1, external_id: id.into(), claimant_key: key.into(), grants }
    }

    /// One line per grant, with the kind in Korean and its unit; a label
    /// that looks like a formula reaches the sheet as text.
    #[test]
    fn a_fulfilment_file_lists_every_grant_and_runs_no_formula() {
        let dir = tempfile::tempdir().expect("dir");
        let lines = [
            line(
                "C-1",
                "01012345678",
                vec![
                    Grant::new(Remedy::Voucher, Decimal::from(2_000), 2).with_label("=HYPERLINK(\"x\")"),
                    Grant::new(Remedy::Extension, Decimal::ZERO, 30),
                ],
            ),
            line("C-2", "1234567890", vec![Grant::new(Remedy::MessageCredit, Decimal::from(50_000), 0)]),
        ];
        let summary = summary(3, "f.csv", &lines);
        assert_eq!((summary.claims, summary.lines, summary.total), (2, 3, 52_000));
        let kinds: Vec<(Remedy, u64, u64, i64)> =
            summary.kinds.iter().map(|k| (k.kind, k.claims, k.quantity, k.amount)).collect();
        assert_eq!(
            kinds,
            vec![
                (Remedy::Extension, 1, 30, 0),
                (Remedy::MessageCredit, 1, 0, 50_000),
                (Remedy::Voucher, 1, 2, 2_000)
            ]
        );

        let csv_path = dir.path().join("f.csv");
        write_file(&csv_path, 3, &lines).expect("csv");
        let text = std::fs::read_to_string(&csv_path).expect("read");
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(
            rows[0],
            "fulfilment_id,claim_id,claimant_key,kind,kind_ko,label,quantity,unit,amount_krw"
        );
        assert_eq!(rows[1], r#"3,C-1,01012345678,voucher,이모티콘 교환권,"'=HYPERLINK(""x"")",2,매,2000"#);
        assert_eq!(rows[2], "3,C-1,01012345678,extension,이용기간 연장,,30,일,0");
        assert_eq!(rows[3], "3,C-2,1234567890,message_credit,메시지 크레딧,,0,,50000");
        assert!(!dir.path().join("f.partial").exists(), "no temporary file left");

        let xlsx_path = dir.path().join("f.xlsx");
        write_file(&xlsx_path, 3, &lines).expect("xlsx");
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx_path).expect("open");
        let range = book.worksheet_range("이행").expect("sheet");
        assert_eq!(range.get_value((1, 5)), Some(&calamine::Data::String("=HYPERLINK(\"x\")".into())));
        assert_eq!(range.get_value((1, 6)), Some(&calamine::Data::Float(2.0)));
        assert_eq!(range.get_value((1, 2)), Some(&calamine::Data::String("01012345678".into())));
        let formulas = book.worksheet_formula("이행").expect("formulas");
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula cell");
    }
}
