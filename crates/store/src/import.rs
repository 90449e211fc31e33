//! Importing an intake file (intake.md) in one transaction: valid rows become
//! claims (each one op in the audit chain), bad rows go whole to the
//! quarantine, rows already in the store are matched by external id, and the
//! policy runs over the store before the commit. Interrupted, it leaves
//! nothing; run again, it completes.

use std::path::Path;

use claimdesk_core::workflow::{may, AdminAction};
use claimdesk_core::{Actor, ClaimInput, ClaimStatus};
use claimdesk_intake::{QuarantinedRow, Row};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::evaluate::EvalSummary;
use crate::oplog::{Author, OpWriter, SyncState};
use crate::{now_secs, search, Store};

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Apply changed rows to claims already in the store (audited) instead
    /// of reporting them as conflicts.
    pub update_existing: bool,
}

/// Counts while an import runs, and at its end.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportCounts {
    pub rows_read: u64,
    pub imported: u64,
    pub unchanged: u64,
    pub updated: u64,
    pub conflicts: u64,
    pub quarantined: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportProgress {
    pub counts: ImportCounts,
    pub bytes_read: u64,
    pub total_bytes: u64,
}

/// A row whose external id is in the store with different content.
#[derive(Debug, Clone, Serialize)]
pub struct ImportConflict {
    pub line: u64,
    pub external_id: String,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub import_id: i64,
    pub file_name: String,
    pub format: String,
    pub counts: ImportCounts,
    /// The first conflicts (all are kept in the store).
    pub conflicts: Vec<ImportConflict>,
    /// The first quarantine messages (all are kept in the store).
    pub quarantine: Vec<String>,
    pub evaluation: EvalSummary,
}

const SHOWN_IN_SUMMARY: usize = 50;
const PROGRESS_EVERY: u64 = 2_000;

/// Hash of the intake fields of a claim: equal for a re-import of the same row.
pub(crate) fn content_hash(claim: &ClaimInput) -> Result<[u8; 32]> {
    Ok(Sha256::digest(serde_json::to_vec(claim)?).into())
}

impl Store {
    /// Admin: imports an intake file. `progress` is called every few thousand
    /// rows; returning false cancels the import and leaves the store as it was.
    pub fn import_file(
        &mut self,
        actor: &Actor,
        path: &Path,
        options: ImportOptions,
        progress: &mut dyn FnMut(&ImportProgress) -> bool,
    ) -> Result<ImportSummary> {
        if let Err(refusal) = may(actor.role, AdminAction::ImportIntake) {
            let err = StoreError::Refused(refusal);
            self.record_refusal(actor, "import", "import.file", &err)?;
            return Err(err);
        }
        let catalog = self.catalog()?;
        // A file that cannot be read is refused here, before anything changes.
        let mut file = claimdesk_intake::open(path, &catalog)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let format = file.format().to_string();
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };

        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO imports (file_name, format, headers, by_user, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![file_name, format, serde_json::to_string(file.headers())?, actor.user, now_secs()],
        )?;
        let import_id = tx.last_insert_rowid();
        let mut ops = OpWriter::begin(&tx)?;
        let mut counts = ImportCounts::default();
        let mut conflicts = Vec::new();
        let mut quarantine = Vec::new();
        {
            let mut writer = RowWriter::new(&tx, import_id)?;
            while let Some(row) = file.next() {
                counts.rows_read += 1;
                match row? {
                    Row::Valid(valid) => match writer.existing(&valid.claim.external_id)? {
                        None => {
                            let payload = writer.insert(&valid.claim)?;
                            ops.append(&tx, &author, &format!("claim:{}", valid.claim.external_id), "claim.import", &payload, None, false, SyncState::Pending)?;
                            counts.imported += 1;
                        }
                        Some(existing) if existing.hash == content_hash(&valid.claim)? => counts.unchanged += 1,
                        Some(existing) => {
                            let before = crate::claims::load_input(&tx, existing.id)?;
                            let fields = differing_fields(&before, &valid.claim)?;
                            if options.update_existing && !existing.status_is_decided() {
                                let payload = writer.update(existing.id, &valid.claim, &fields)?;
                                ops.append(&tx, &author, &format!("claim:{}", valid.claim.external_id), "claim.update", &payload, Some(existing.version), false, SyncState::Pending)?;
                                counts.updated += 1;
                            } else {
                                writer.conflict(valid.line, &valid.claim.external_id, &fields)?;
                                if conflicts.len() < SHOWN_IN_SUMMARY {
                                    conflicts.push(ImportConflict { line: valid.line, external_id: valid.claim.external_id.clone(), fields });
                                }
                                counts.conflicts += 1;
                            }
                        }
                    },
                    Row::Invalid(bad) => {
                        writer.quarantine(&bad)?;
                        if quarantine.len() < SHOWN_IN_SUMMARY {
                            quarantine.push(bad.message());
                        }
                        counts.quarantined += 1;
                    }
                }
                if counts.rows_read % PROGRESS_EVERY == 0 {
                    let p = ImportProgress { counts: counts.clone(), bytes_read: file.bytes_read(), total_bytes: file.total_bytes() };
                    if !progress(&p) {
                        return Err(StoreError::Cancelled);
                    }
                }
            }
        }
        let evaluation = crate::evaluate::reevaluate_in(&tx, &mut |_| true)?;
        tx.execute(
            "UPDATE imports SET rows_read = ?2, imported = ?3, unchanged = ?4, updated = ?5, conflicts = ?6, quarantined = ?7 WHERE id = ?1",
            params![import_id, counts.rows_read as i64, counts.imported as i64, counts.unchanged as i64, counts.updated as i64, counts.conflicts as i64, counts.quarantined as i64],
        )?;
        let summary_payload = serde_json::json!({"file": file_name, "format": format, "counts": counts}).to_string();
        ops.append(&tx, &author, &format!("import:{import_id}"), "import.file", &summary_payload, None, false, SyncState::Local)?;
        ops.finish(&tx)?;
        tx.commit()?;
        progress(&ImportProgress { counts: counts.clone(), bytes_read: file.total_bytes(), total_bytes: file.total_bytes() });
        Ok(ImportSummary { import_id, file_name, format, counts, conflicts, quarantine, evaluation })
    }
}

struct Existing {
    id: i64,
    hash: Vec<u8>,
    status: String,
    version: i64,
}

impl Existing {
    /// Once approved or paid, an intake update can no longer change the claim.
    fn status_is_decided(&self) -> bool {
        matches!(self.status.parse(), Ok(ClaimStatus::Approved | ClaimStatus::Paid | ClaimStatus::ClosedDenied | ClaimStatus::Batched))
    }
}

/// The prepared statements of one import.
struct RowWriter<'t> {
    tx: &'t Transaction<'t>,
    import_id: i64,
    now: i64,
}

impl<'t> RowWriter<'t> {
    fn new(tx: &'t Transaction<'t>, import_id: i64) -> Result<Self> {
        Ok(RowWriter { tx, import_id, now: now_secs() })
    }

    fn existing(&self, external_id: &str) -> Result<Option<Existing>> {
        let mut stmt = self.tx.prepare_cached("SELECT id, content_hash, status, version FROM claims WHERE external_id = ?1")?;
        Ok(stmt
            .query_row([external_id], |r| Ok(Existing { id: r.get(0)?, hash: r.get(1)?, status: r.get(2)?, version: r.get(3)? }))
            .optional()?)
    }

    /// Inserts a new claim and its search entry; returns the op payload.
    fn insert(&mut self, c: &ClaimInput) -> Result<String> {
        let payload = serde_json::to_string(c)?;
        let hash = content_hash(c)?;
        let extra = if c.extra.is_empty() { None } else { Some(serde_json::to_string(&c.extra)?) };
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO claims (external_id, content_hash, received_at, category, filed_category, name, phone, brn, bank_name,
                 account_no, claimant_key, service, damage_start, damage_end, claimed_amount, daily_income, documented_loss,
                 ad_spend, description, extra, import_id, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        )?;
        stmt.execute(params![
            c.external_id, &hash[..], c.received_at.timestamp(), c.category.code(), c.name, c.phone, c.brn, c.bank_name,
            c.account_no, c.claimant_key(), c.service, c.damage_start.timestamp(), c.damage_end.timestamp(),
            won(c.claimed_amount), won(c.daily_income), won(c.documented_loss), won(c.ad_spend), c.description, extra,
            self.import_id, self.now
        ])?;
        let id = self.tx.last_insert_rowid();
        let mut fts = self.tx.prepare_cached("INSERT INTO claims_fts (rowid, name, description) VALUES (?1, ?2, ?3)")?;
        fts.execute(params![id, search::index_text(&c.name), search::index_text(&c.description)])?;
        let mut resolved = self.tx.prepare_cached(
            "UPDATE quarantine SET resolved_by_import = ?2 WHERE external_id = ?1 AND resolved_by_import IS NULL",
        )?;
        resolved.execute(params![c.external_id, self.import_id])?;
        Ok(payload)
    }

    /// Applies a changed intake row to an existing claim; returns the op payload.
    fn update(&mut self, id: i64, c: &ClaimInput, fields: &[String]) -> Result<String> {
        let hash = content_hash(c)?;
        let extra = if c.extra.is_empty() { None } else { Some(serde_json::to_string(&c.extra)?) };
        // A reviewer's category correction stands; otherwise the filed category follows the file.
        self.tx.execute(
            "UPDATE claims SET content_hash = ?2, received_at = ?3,
                 category = CASE WHEN category = filed_category THEN ?4 ELSE category END, filed_category = ?4,
                 name = ?5, phone = ?6, brn = ?7, bank_name = ?8, account_no = ?9, service = ?10, damage_start = ?11,
                 damage_end = ?12, claimed_amount = ?13, daily_income = ?14, documented_loss = ?15, ad_spend = ?16,
                 description = ?17, extra = ?18, version = version + 1, updated_at = ?19
             WHERE id = ?1",
            params![
                id, &hash[..], c.received_at.timestamp(), c.category.code(), c.name, c.phone, c.brn, c.bank_name, c.account_no,
                c.service, c.damage_start.timestamp(), c.damage_end.timestamp(), won(c.claimed_amount), won(c.daily_income),
                won(c.documented_loss), won(c.ad_spend), c.description, extra, self.now
            ],
        )?;
        crate::claims::refresh_claimant_key(self.tx, id)?;
        self.tx.execute("DELETE FROM claims_fts WHERE rowid = ?1", [id])?;
        self.tx.execute(
            "INSERT INTO claims_fts (rowid, name, description) VALUES (?1, ?2, ?3)",
            params![id, search::index_text(&c.name), search::index_text(&c.description)],
        )?;
        Ok(serde_json::json!({"claim": c, "changed": fields}).to_string())
    }

    fn conflict(&mut self, line: u64, external_id: &str, fields: &[String]) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("INSERT INTO import_conflicts (import_id, line, external_id, fields) VALUES (?1, ?2, ?3, ?4)")?;
        stmt.execute(params![self.import_id, line as i64, external_id, serde_json::to_string(fields)?])?;
        Ok(())
    }

    fn quarantine(&mut self, bad: &QuarantinedRow) -> Result<()> {
        let external_id = bad
            .raw
            .fields
            .iter()
            .find(|(h, _)| {
                let h = h.trim();
                h.eq_ignore_ascii_case("claim_id") || h == "접수번호"
            })
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO quarantine (import_id, line, external_id, raw, problems, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        stmt.execute(params![
            self.import_id, bad.line as i64, external_id, serde_json::to_string(&bad.raw.fields)?,
            serde_json::to_string(&bad.problems)?, bad.message()
        ])?;
        Ok(())
    }
}

/// Whole won as stored.
pub(crate) fn won(amount: Option<rust_decimal::Decimal>) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    amount.and_then(|a| a.trunc().to_i64())
}

/// The intake fields whose values differ between two versions of a claim.
fn differing_fields(a: &ClaimInput, b: &ClaimInput) -> Result<Vec<String>> {
    let (a, b) = (serde_json::to_value(a)?, serde_json::to_value(b)?);
    let empty = serde_json::Map::new();
    let (a, b) = (a.as_object().unwrap_or(&empty), b.as_object().unwrap_or(&empty));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned().collect())
}
