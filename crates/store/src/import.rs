//! Importing an intake file (intake.md) in one transaction: valid rows become
//! claims (each one op in the audit chain), bad rows go whole to the
//! quarantine, rows already in the store are matched by external id, and the
//! policy runs over the store before the commit. Interrupted, it leaves
//! nothing; run again, it completes.

use claimdesk_core::msg;
use std::path::Path;

use claimdesk_core::ops::Op;
use claimdesk_core::policy::{self, Outcome, Policy, PolicyInput};
use claimdesk_core::workflow::{AdminAction, ClaimCommand};
use claimdesk_core::{Actor, ClaimInput, ClaimStatus, Reason};
use claimdesk_intake::{QuarantinedRow, Row};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::evaluate::EvalSummary;
use crate::oplog::{Author, OpWriter, SyncState};
use crate::{now_secs, search, Store};

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Apply changed rows to claims already in the store (audited) instead
    /// of reporting them as conflicts.
    pub update_existing: bool,
    /// The incident the file's claims belong to; None: the store's current one.
    pub incident: Option<String>,
}

/// Counts while an import runs, and at its end.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportCounts {
    pub rows_read: u64,
    pub imported: u64,
    pub unchanged: u64,
    pub updated: u64,
    pub conflicts: u64,
    pub quarantined: u64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportProgress {
    pub counts: ImportCounts,
    pub bytes_read: u64,
    pub total_bytes: u64,
}

/// A row whose external id is in the store with different content.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportConflict {
    pub line: u64,
    pub external_id: String,
    pub fields: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
/// Rows per hand-over between the reading and the writing thread; progress
/// is reported once per batch.
const BATCH_ROWS: usize = 1_000;

/// A valid row made ready for the store on the reading thread.
struct ValidPrepared {
    line: u64,
    claim: ClaimInput,
    /// The claim as JSON: the op payload, and what the content hash covers.
    payload: String,
    hash: [u8; 32],
    fts_name: String,
    fts_description: String,
    /// The policy's result for the claim on its own (import.rs re-evaluates
    /// the claims that share a claimant and service afterwards).
    outcome: Outcome,
}

enum Prepared {
    Valid(Box<ValidPrepared>),
    Invalid(QuarantinedRow),
}

struct Batch {
    rows: Vec<Prepared>,
    bytes_read: u64,
}

fn prepare(row: Row, policy: &Policy, incident: &str) -> Result<Prepared> {
    Ok(match row {
        Row::Valid(mut v) => {
            v.claim.set_incident(incident);
            Prepared::Valid(Box::new(prepare_valid(v.line, v.claim, policy)?))
        }
        Row::Invalid(bad) => Prepared::Invalid(bad),
    })
}

fn prepare_valid(line: u64, claim: ClaimInput, policy: &Policy) -> Result<ValidPrepared> {
    let payload = serde_json::to_string(&claim)?;
    let outcome =
        policy::evaluate_all(policy, std::slice::from_ref(&PolicyInput::from(&claim))).pop().ok_or_else(
            || StoreError::Invalid(msg!("invalid.detail", detail = "the policy returned no outcome")),
        )?;
    Ok(ValidPrepared {
        line,
        hash: content_hash(&payload),
        fts_name: search::index_text(&claim.name),
        fts_description: search::index_text(&claim.description),
        claim,
        payload,
        outcome,
    })
}

/// Hash of the intake fields of a claim (its JSON, which is also the op
/// payload): equal for a re-import of the same row.
pub(crate) fn content_hash(claim_json: &str) -> [u8; 32] {
    Sha256::digest(claim_json.as_bytes()).into()
}

/// An import at least this large, into a store smaller than it, drops the
/// secondary indexes and rebuilds them at the end: building an index by
/// sorting is several times faster than growing it row by row.
const BULK_ROWS: u64 = 50_000;
/// Average bytes per intake row, to estimate the row count from the file size.
const BYTES_PER_ROW: u64 = 200;

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
        self.require(actor, AdminAction::ImportIntake, "import")?;
        // Into an incident this store has (UNKNOWN_INCIDENT before anything is read).
        let incident = self.resolve_incident(options.incident.as_deref())?;
        let catalog = crate::incidents::catalog_of(self.conn(), &incident)?;
        // A file that cannot be read is refused here, before anything changes.
        let file = claimdesk_intake::open(path, &catalog)?;
        let existing_claims: i64 = self.conn().query_row("SELECT count(*) FROM claims", [], |r| r.get(0))?;
        let estimated_rows = file.total_bytes() / BYTES_PER_ROW;
        let bulk = estimated_rows >= BULK_ROWS && estimated_rows as i64 > existing_claims;
        // A bulk load writes each page once with a rollback journal, instead
        // of twice (WAL, then checkpoint); the store returns to WAL after.
        // Switching only succeeds when no other connection has the store
        // open; otherwise the import simply runs in WAL mode.
        if bulk {
            let mode: String = self.conn().query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
            tracing::debug!(mode, "journal mode for the bulk import");
        }
        let options = ImportOptions { incident: Some(incident), ..options };
        let result = self.import_rows(actor, path, file, options, bulk, progress);
        if bulk {
            let mode: String = self.conn().query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if mode != "wal" {
                tracing::warn!(mode, "could not return the store to WAL mode");
            }
        }
        result
    }

    fn import_rows(
        &mut self,
        actor: &Actor,
        path: &Path,
        mut file: claimdesk_intake::IntakeFile,
        options: ImportOptions,
        bulk: bool,
        progress: &mut dyn FnMut(&ImportProgress) -> bool,
    ) -> Result<ImportSummary> {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let format = file.format().to_string();
        let total_bytes = file.total_bytes();
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        // Resolved by import_file.
        let incident = options.incident.clone().unwrap_or_default();
        let incident = incident.as_str();
        let (policy_version, policy) = crate::policies::active_policy_in(self.conn(), incident)?;

        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO imports (file_name, format, headers, by_user, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![file_name, format, serde_json::to_string(file.headers())?, actor.user, now_secs()],
        )?;
        let import_id = tx.last_insert_rowid();
        if bulk {
            crate::schema::drop_bulk_indexes(&tx)?;
        }
        let mut ops = OpWriter::begin(&tx)?;
        let mut counts = ImportCounts::default();
        let stamp = Some(crate::claim_state::local_stamp(actor, None, None));
        let mut conflicts = Vec::new();
        let mut quarantine = Vec::new();
        // Two threads: one reads, validates and prepares rows (JSON, hashes,
        // search tokens, the claim's own policy result), the other writes
        // them. The channel is bounded, so memory stays flat.
        std::thread::scope(|scope| -> Result<()> {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Batch>>(4);
            scope.spawn(move || {
                let mut rows = Vec::with_capacity(BATCH_ROWS);
                // Batches end at BATCH_ROWS rows or BATCH_BYTES of raw values,
                // so that rows of long values cannot fill memory (the channel
                // holds a few batches).
                let mut bytes = 0usize;
                while let Some(row) = file.next() {
                    if let Ok(r) = &row {
                        bytes += r.raw().weight();
                    }
                    let prepared = row.map_err(StoreError::from).and_then(|r| prepare(r, &policy, incident));
                    match prepared {
                        Ok(p) => rows.push(p),
                        Err(e) => {
                            let _ = sender.send(Err(e));
                            return;
                        }
                    }
                    if rows.len() == BATCH_ROWS || bytes >= claimdesk_intake::limits::BATCH_BYTES {
                        bytes = 0;
                        let batch = Batch {
                            rows: std::mem::replace(&mut rows, Vec::with_capacity(BATCH_ROWS)),
                            bytes_read: file.bytes_read(),
                        };
                        if sender.send(Ok(batch)).is_err() {
                            return; // the writer stopped: cancelled or failed
                        }
                    }
                }
                let _ = sender.send(Ok(Batch { rows, bytes_read: total_bytes }));
            });
            let mut writer = RowWriter::new(&tx, Some(import_id), policy_version)?;
            for batch in receiver {
                let batch = batch?;
                for row in batch.rows {
                    counts.rows_read += 1;
                    match row {
                        Prepared::Valid(valid) => match writer.existing(&valid.claim.external_id)? {
                            None => {
                                writer.insert(&valid)?;
                                ops.write_import(
                                    &tx,
                                    &author,
                                    &valid.claim.external_id,
                                    &valid.payload,
                                    stamp.as_ref(),
                                )?;
                                counts.imported += 1;
                            }
                            Some(existing) if existing.hash == valid.hash => counts.unchanged += 1,
                            Some(existing) => {
                                let before = crate::claims::load_input(&tx, existing.id)?;
                                let fields = differing_fields(&before, &valid.claim)?;
                                // A claim never moves between incidents: a row of another incident's claim is a conflict.
                                if options.update_existing
                                    && !existing.status_is_decided()
                                    && existing.incident == incident
                                {
                                    // Through the claim's one path (decided, folded, written; its groups re-evaluated).
                                    let cmd = ClaimCommand::UpdateIntake {
                                        claim: Box::new(valid.claim.clone()),
                                        fields,
                                    };
                                    crate::claim_state::apply_local(
                                        &tx,
                                        &mut ops,
                                        &author,
                                        actor,
                                        &valid.claim.external_id,
                                        None,
                                        cmd,
                                    )?;
                                    counts.updated += 1;
                                } else {
                                    writer.conflict(valid.line, &valid.claim.external_id, &fields)?;
                                    if conflicts.len() < SHOWN_IN_SUMMARY {
                                        conflicts.push(ImportConflict {
                                            line: valid.line,
                                            external_id: valid.claim.external_id.clone(),
                                            fields,
                                        });
                                    }
                                    counts.conflicts += 1;
                                }
                            }
                        },
                        Prepared::Invalid(bad) => {
                            writer.quarantine(&bad)?;
                            if quarantine.len() < SHOWN_IN_SUMMARY {
                                quarantine.push(bad.message());
                            }
                            counts.quarantined += 1;
                        }
                    }
                }
                let p = ImportProgress { counts: counts.clone(), bytes_read: batch.bytes_read, total_bytes };
                if !progress(&p) {
                    return Err(StoreError::Cancelled);
                }
            }
            Ok(())
        })?;
        let clock = std::time::Instant::now();
        let lap = || clock.elapsed().as_millis() as u64;
        tracing::debug!(rows = counts.rows_read, "rows stored");
        if bulk {
            crate::schema::create_bulk_indexes(&tx)?;
            tracing::debug!(ms = lap(), "indexes rebuilt");
        }
        // Each new claim was evaluated on its own as it was stored; what is
        // left is the duplicate rule, which only concerns claims sharing a
        // claimant and a service.
        let mut evaluation = crate::evaluate::reevaluate_shared_groups(&tx)?;
        evaluation.claims = tx.query_row("SELECT count(*) FROM claims", [], |r| r.get::<_, i64>(0))? as u64;
        evaluation.eligible = tx
            .query_row("SELECT count(*) FROM claims WHERE eligible = 1", [], |r| r.get::<_, i64>(0))?
            as u64;
        tracing::debug!(ms = lap(), changed = evaluation.changed, "duplicate groups evaluated");
        tx.execute(
            "UPDATE imports SET rows_read = ?2, imported = ?3, unchanged = ?4, updated = ?5, conflicts = ?6, quarantined = ?7 WHERE id = ?1",
            params![import_id, counts.rows_read as i64, counts.imported as i64, counts.unchanged as i64, counts.updated as i64, counts.conflicts as i64, counts.quarantined as i64],
        )?;
        let summary = Op::ImportFile(claimdesk_core::ops::ImportFile {
            file: file_name.clone(),
            format: format.clone(),
            counts: serde_json::to_value(&counts)?,
        });
        ops.append_op(&tx, &author, &format!("import:{import_id}"), &summary, None, None, SyncState::Local)?;
        ops.finish(&tx)?;
        tx.commit()?;
        tracing::debug!(ms = lap(), "committed");
        if bulk {
            // Fresh statistics for the query planner after a large load (bounded cost).
            crate::schema::refresh_statistics(self.conn())?;
            tracing::debug!(ms = lap(), "statistics refreshed");
        }
        progress(&ImportProgress { counts: counts.clone(), bytes_read: total_bytes, total_bytes });
        Ok(ImportSummary { import_id, file_name, format, counts, conflicts, quarantine, evaluation })
    }
}

struct Existing {
    id: i64,
    hash: Vec<u8>,
    status: String,
    incident: String,
}

impl Existing {
    /// Once approved, paid or fulfilled, an intake update can no longer change the claim.
    fn status_is_decided(&self) -> bool {
        matches!(
            self.status.parse(),
            Ok(ClaimStatus::Approved
                | ClaimStatus::Paid
                | ClaimStatus::Fulfilled
                | ClaimStatus::ClosedDenied
                | ClaimStatus::Batched)
        )
    }
}

/// The statements and state of one import.
struct RowWriter<'t> {
    tx: &'t Transaction<'t>,
    /// None for claims that arrived by sync.
    import_id: Option<i64>,
    now: i64,
    policy_version: i64,
    /// Whether earlier quarantined rows may be resolved by this file's rows.
    open_quarantine: bool,
}

impl<'t> RowWriter<'t> {
    fn new(tx: &'t Transaction<'t>, import_id: Option<i64>, policy_version: i64) -> Result<Self> {
        let open_quarantine: bool = import_id.is_some()
            && tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM quarantine WHERE resolved_by_import IS NULL)",
                [],
                |r| r.get(0),
            )?;
        Ok(RowWriter { tx, import_id, now: now_secs(), policy_version, open_quarantine })
    }

    fn existing(&self, external_id: &str) -> Result<Option<Existing>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, content_hash, status, incident_id FROM claims WHERE external_id = ?1",
        )?;
        Ok(stmt
            .query_row([external_id], |r| {
                Ok(Existing { id: r.get(0)?, hash: r.get(1)?, status: r.get(2)?, incident: r.get(3)? })
            })
            .optional()?)
    }

    /// Inserts a new claim, evaluated on its own, and its search entry.
    fn insert(&mut self, v: &ValidPrepared) -> Result<i64> {
        let (c, o, hash) = (&v.claim, &v.outcome, &v.hash);
        let extra = if c.extra.is_empty() { None } else { Some(serde_json::to_string(&c.extra)?) };
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO claims (external_id, content_hash, received_at, category, filed_category, name, phone, brn, bank_name,
                 account_no, claimant_key, service, damage_start, damage_end, claimed_amount, daily_income, documented_loss,
                 ad_spend, description, extra, import_id, updated_at,
                 eval_version, eligible, reason, remedy, amount, extension_days, incident_id, grants, report_type)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                 ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
        )?;
        stmt.execute(params![
            c.external_id,
            &hash[..],
            c.received_at.timestamp(),
            c.category.code(),
            c.name,
            c.phone,
            c.brn,
            c.bank_name,
            c.account_no,
            c.claimant_key(),
            c.service,
            c.damage_start.timestamp(),
            c.damage_end.timestamp(),
            won(c.claimed_amount),
            won(c.daily_income),
            won(c.documented_loss),
            won(c.ad_spend),
            c.description,
            extra,
            self.import_id,
            self.now,
            self.policy_version,
            o.eligible,
            o.reason.map(Reason::code),
            o.remedy.code(),
            won(Some(o.amount)),
            o.extension_days,
            c.incident_id(),
            crate::evaluate::grants_column(o)?,
            c.report_type().code()
        ])?;
        let id = self.tx.last_insert_rowid();
        search::insert_entry(self.tx, id, &v.fts_name, &v.fts_description, c.incident_id())?;
        if self.open_quarantine {
            let mut resolved = self.tx.prepare_cached(
                "UPDATE quarantine SET resolved_by_import = ?2 WHERE external_id = ?1 AND resolved_by_import IS NULL",
            )?;
            resolved.execute(params![c.external_id, self.import_id])?;
        }
        Ok(id)
    }

    fn conflict(&mut self, line: u64, external_id: &str, fields: &[String]) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO import_conflicts (import_id, line, external_id, fields) VALUES (?1, ?2, ?3, ?4)",
        )?;
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
            self.import_id,
            bad.line as i64,
            external_id,
            serde_json::to_string(&bad.raw.fields)?,
            serde_json::to_string(&bad.problems)?,
            bad.message()
        ])?;
        Ok(())
    }
}

/// Writes a changed intake row onto an existing claim (an intake update,
/// local or pulled, as the fold applied it): its intake fields and filed
/// category, its search entry, its claimant key, and the evaluation of its
/// old and new duplicate groups. The current category is the fold's.
pub(crate) fn write_intake(tx: &Transaction<'_>, claim_id: i64, claim: &ClaimInput) -> Result<()> {
    let extra = if claim.extra.is_empty() { None } else { Some(serde_json::to_string(&claim.extra)?) };
    let hash = content_hash(&serde_json::to_string(claim)?);
    let mut ids = crate::claims::group_ids(tx, claim_id)?;
    tx.prepare_cached(
        "UPDATE claims SET content_hash = ?2, received_at = ?3, filed_category = ?4, name = ?5, phone = ?6, brn = ?7,
             bank_name = ?8, account_no = ?9, service = ?10, damage_start = ?11, damage_end = ?12, claimed_amount = ?13,
             daily_income = ?14, documented_loss = ?15, ad_spend = ?16, description = ?17, extra = ?18 WHERE id = ?1",
    )?
    .execute(params![
        claim_id, &hash[..], claim.received_at.timestamp(), claim.category.code(), claim.name, claim.phone, claim.brn,
        claim.bank_name, claim.account_no, claim.service, claim.damage_start.timestamp(), claim.damage_end.timestamp(),
        won(claim.claimed_amount), won(claim.daily_income), won(claim.documented_loss), won(claim.ad_spend),
        claim.description, extra
    ])?;
    tx.prepare_cached("DELETE FROM claims_fts WHERE rowid = ?1")?.execute([claim_id])?;
    let incident: String = tx
        .prepare_cached("SELECT incident_id FROM claims WHERE id = ?1")?
        .query_row([claim_id], |r| r.get(0))?;
    search::insert_entry(
        tx,
        claim_id,
        &search::index_text(&claim.name),
        &search::index_text(&claim.description),
        &incident,
    )?;
    crate::claims::refresh_claimant_key(tx, claim_id)?;
    ids.extend(crate::claims::group_ids(tx, claim_id)?);
    crate::evaluate::reevaluate_ids(tx, &ids)?;
    Ok(())
}

/// Claims that arrived by sync (`claim.import` ops of another device): each
/// is stored, indexed for search and evaluated like an imported row, through
/// the same statements. Returns the new row ids; claims already present are
/// left alone (the same intake row imported on two desktops).
pub(crate) fn insert_synced(tx: &Transaction<'_>, claims: Vec<ClaimInput>) -> Result<Vec<i64>> {
    // Each incident's claims under its own active policy (a page rarely holds more than one).
    let mut by_incident: std::collections::BTreeMap<String, Vec<ClaimInput>> =
        std::collections::BTreeMap::new();
    for claim in claims {
        by_incident.entry(claim.incident_id().to_string()).or_default().push(claim);
    }
    let mut ids = Vec::new();
    for (incident, claims) in by_incident {
        ids.extend(insert_synced_in(tx, &incident, claims)?);
    }
    Ok(ids)
}

fn insert_synced_in(tx: &Transaction<'_>, incident: &str, claims: Vec<ClaimInput>) -> Result<Vec<i64>> {
    let (policy_version, policy) = crate::policies::active_policy_in(tx, incident)?;
    let mut writer = RowWriter::new(tx, None, policy_version)?;
    let mut fresh = Vec::with_capacity(claims.len());
    let mut seen = std::collections::HashSet::with_capacity(claims.len());
    for claim in claims {
        // The same row imported on two desktops arrives twice: the first one counts.
        if writer.existing(&claim.external_id)?.is_none() && seen.insert(claim.external_id.clone()) {
            fresh.push(claim);
        }
    }
    // JSON, hash, search tokens and the policy's result are made on a second
    // thread for half of the page while this one prepares the other half.
    let half = fresh.len() / 2;
    let second = fresh.split_off(half);
    let (first, second) = std::thread::scope(|scope| {
        let policy = &policy;
        let other = scope.spawn(move || {
            second.into_iter().map(|c| prepare_valid(0, c, policy)).collect::<Result<Vec<_>>>()
        });
        let mine = fresh.into_iter().map(|c| prepare_valid(0, c, policy)).collect::<Result<Vec<_>>>();
        (
            mine,
            other
                .join()
                .map_err(|_| {
                    StoreError::Invalid(msg!("invalid.detail", detail = "a preparing thread failed"))
                })
                .and_then(|r| r),
        )
    });
    let mut ids = Vec::with_capacity(half * 2 + 1);
    for prepared in first?.iter().chain(second?.iter()) {
        ids.push(writer.insert(prepared)?);
    }
    Ok(ids)
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
