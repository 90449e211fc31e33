//! The store's side of sync (sync.md): the outbox, acknowledgements and
//! parked ops, applying pulled ops, conflicts, leases and the sync status.
//!
//! A claim's state is the fold of its ops (`claimdesk_sync::fold`). Local
//! changes take the fast path (claims.rs applies them to the row directly);
//! pulled ops are appended to the local chain and the claims they touch are
//! folded: incrementally from the cached state when every new op sorts after
//! the last one folded, otherwise again from the import state and all the
//! claim's ops (local ones not yet acknowledged included, so a person never
//! sees their own change vanish).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use claimdesk_core::hlc::wall_clock_ms;
use claimdesk_core::{Actor, Catalog, Category, ClaimInput, ClaimStatus, Role};
use claimdesk_sync::fold::{self, ClaimState, FoldOp};
use claimdesk_sync::protocol::{PushOutcome, PushResult, WireOp};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter, RemoteOp, SyncState};
use crate::Store;

/// The claim's decision count, raised by one: the `base` of the decision being recorded.
pub(crate) fn next_decision(tx: &Connection, claim_id: i64) -> Result<i64> {
    let count: i64 = tx
        .query_row("SELECT decisions FROM claim_sync WHERE claim_id = ?1", [claim_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    tx.execute(
        "INSERT INTO claim_sync (claim_id, decisions) VALUES (?1, 1)
         ON CONFLICT(claim_id) DO UPDATE SET decisions = decisions + 1",
        [claim_id],
    )?;
    Ok(count)
}

/// An op that is not applied, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ParkedOp {
    pub op_id: String,
    /// `local`: the server rejected this device's op; `remote`: this device refused a pulled op.
    pub origin: String,
    pub entity: String,
    pub kind: String,
    pub user: String,
    pub code: String,
    pub reason: String,
    pub at_ms: i64,
}

/// What applying one pulled page did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub received: u64,
    pub applied: u64,
    /// Already in the log (a repeated page, or this device's own ops coming back).
    pub duplicates: u64,
    pub imported_claims: u64,
    /// Claims whose state was folded again from their import.
    pub refolded: u64,
    /// Claims whose new ops were folded on top of their cached state.
    pub stepped: u64,
    /// Pulled ops refused here (clock stamp too far ahead); tried again at the next pull.
    pub parked: Vec<ParkedOp>,
    /// Claims now in conflict among those touched.
    pub in_conflict: Vec<String>,
    /// Ops retried from the parked list and applied now.
    pub unparked: u64,
}

/// What an acknowledgement from the server did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AckReport {
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: Vec<ParkedOp>,
    /// Results naming ops this device does not have pending (ignored).
    pub unknown: u64,
}

/// The sync summary the app shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncStatus {
    /// Ops waiting to be pushed.
    pub pending: u64,
    pub parked: u64,
    /// Claims in an open conflict.
    pub conflicts: u64,
    pub last_sync_at_ms: Option<i64>,
    pub cursor: i64,
    pub server_url: Option<String>,
    pub user: Option<String>,
}

/// One op of a conflict, for side-by-side review.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictOp {
    pub op_id: String,
    pub user: String,
    pub device: String,
    pub kind: String,
    pub at_ms: i64,
    pub to: Option<String>,
    pub assignee: Option<String>,
    pub payload: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConflictInfo {
    pub external_id: String,
    pub base: i64,
    pub ops: Vec<ConflictOp>,
    pub joined: Vec<ConflictOp>,
    pub resolved_by: Option<String>,
}

const OP_COLUMNS: &str = "op_id, hlc, user_id, device, entity, kind, payload, base, at";

fn wire_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WireOp> {
    let payload: String = r.get(6)?;
    Ok(WireOp {
        op_id: r.get(0)?,
        hlc: r.get(1)?,
        user: r.get(2)?,
        device: r.get(3)?,
        entity: r.get(4)?,
        kind: r.get(5)?,
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        base: r.get(7)?,
        at_ms: r.get(8)?,
    })
}

fn fold_op(w: WireOp) -> FoldOp {
    FoldOp { op_id: w.op_id, hlc: w.hlc, device: w.device, user: w.user, kind: w.kind, payload: w.payload, base: w.base, at_ms: w.at_ms }
}

fn get_state(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn set_state(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The ops of one claim that its state is folded from: applied, not parked.
fn claim_ops(conn: &Connection, external_id: &str) -> Result<Vec<FoldOp>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OP_COLUMNS} FROM ops WHERE entity = ?1 AND outcome = 'applied' AND sync != 'local' ORDER BY seq"
    ))?;
    let rows = stmt.query_map([format!("claim:{external_id}")], wire_from_row)?;
    Ok(rows.map(|r| r.map(fold_op)).collect::<Result<_, _>>()?)
}

/// The claim as its first import (by key) made it.
fn import_state(ops: &[FoldOp], fallback: Category) -> ClaimState {
    let category = ops
        .iter()
        .filter(|o| o.kind == "claim.import")
        .min_by(|a, b| (a.hlc, &a.device, &a.op_id).cmp(&(b.hlc, &b.device, &b.op_id)))
        .and_then(|o| o.payload.get("category").and_then(Value::as_str).and_then(Category::parse))
        .unwrap_or(fallback);
    ClaimState::imported(category)
}

fn claim_row(conn: &Connection, external_id: &str) -> Result<Option<(i64, Category)>> {
    let mut stmt = conn.prepare_cached("SELECT id, filed_category FROM claims WHERE external_id = ?1")?;
    Ok(stmt
        .query_row([external_id], |r| {
            let c: String = r.get(1)?;
            Ok((r.get(0)?, Category::parse(&c).unwrap_or(Category::Other)))
        })
        .optional()?)
}

/// The claim's state folded from its whole log (nothing written).
pub(crate) fn refold(conn: &Connection, external_id: &str, filed: Category) -> Result<ClaimState> {
    let mut ops = claim_ops(conn, external_id)?;
    let initial = import_state(&ops, filed);
    Ok(fold::fold(initial, &mut ops))
}

/// Writes a folded state to the claim row and its notes, evidence, conflicts
/// and refusals, and caches it as of local op `through_seq`. With `prev`,
/// the state the row holds now (the cached state the new ops were stepped
/// onto), only what changed is written: an annotation does not rewrite the
/// queue indexes, a new note does not rewrite the others.
fn write_state(tx: &Transaction<'_>, claim_id: i64, state: &ClaimState, prev: Option<&ClaimState>, through_seq: i64) -> Result<()> {
    let old_category = match prev {
        Some(p) => p.category.code().to_string(),
        None => tx.query_row("SELECT category FROM claims WHERE id = ?1", [claim_id], |r| r.get(0))?,
    };
    let workflow_changed = prev.is_none_or(|p| {
        p.status != state.status || p.assignee != state.assignee || p.recommendation != state.recommendation
            || p.is_override != state.is_override || p.batch_id != state.batch_id
    });
    if workflow_changed {
        if let Some(batch) = &state.batch_id {
            // The batch's own op may still be on its way (or parked): keep the reference sound.
            tx.prepare_cached("INSERT OR IGNORE INTO batches (id, name, created_by, created_at) VALUES (?1, '(not yet synced)', '', 0)")?
                .execute([batch])?;
        }
        let recommendation = state.recommendation.as_ref().map(serde_json::to_string).transpose()?;
        tx.prepare_cached(
            "UPDATE claims SET status = ?2, assignee = ?3, recommendation = ?4, is_override = ?5, batch_id = ?6 WHERE id = ?1",
        )?
        .execute(params![claim_id, state.status.code(), state.assignee, recommendation, state.is_override, state.batch_id])?;
    }
    if old_category != state.category.code() {
        tx.prepare_cached("UPDATE claims SET category = ?2 WHERE id = ?1")?.execute(params![claim_id, state.category.code()])?;
    }
    // Columns no index covers, in one statement.
    let plain_changed = prev.is_none_or(|p| {
        p.priority != state.priority || p.tags != state.tags || p.duplicate_of != state.duplicate_of
            || p.lease_holder != state.lease_holder || p.version != state.version
    });
    if plain_changed {
        tx.prepare_cached(
            "UPDATE claims SET priority = ?2, tags = ?3, duplicate_of = ?4, lease_holder = ?5, version = ?6, updated_at = ?7 WHERE id = ?1",
        )?
        .execute(params![
            claim_id, state.priority.code(), serde_json::to_string(&state.tags)?, state.duplicate_of, state.lease_holder,
            state.version, crate::now_secs()
        ])?;
    }
    let mut note = tx.prepare_cached(
        "INSERT INTO notes (claim_id, op_id, author, kind, body, created_at, hidden_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(op_id) DO UPDATE SET hidden_by = excluded.hidden_by",
    )?;
    for n in &state.notes {
        if prev.is_some_and(|p| p.notes.contains(n)) {
            continue;
        }
        note.execute(params![claim_id, n.op_id, n.author, n.kind, n.body, n.at_ms / 1000, n.hidden_by])?;
    }
    if prev.is_none() {
        // Notes of ops that are no longer folded in (the server rejected them) are hidden, never removed.
        let kept: HashSet<&str> = state.notes.iter().map(|n| n.op_id.as_str()).collect();
        let stored: Vec<String> = tx
            .prepare_cached("SELECT op_id FROM notes WHERE claim_id = ?1 AND (hidden_by IS NULL OR hidden_by != 'parked')")?
            .query_map([claim_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for op_id in stored.iter().filter(|o| !kept.contains(o.as_str())) {
            tx.execute("UPDATE notes SET hidden_by = 'parked' WHERE op_id = ?1", [op_id])?;
        }
    }
    let mut evidence = tx.prepare_cached(
        "INSERT OR IGNORE INTO evidence (claim_id, op_id, sha256, file_name, mime, size, added_by, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for e in &state.evidence {
        if prev.is_some_and(|p| p.evidence.contains(e)) {
            continue;
        }
        evidence.execute(params![claim_id, e.op_id, e.sha256, e.file_name, e.mime, e.size, e.added_by, e.at_ms / 1000])?;
    }
    if prev.is_none_or(|p| p.conflicts != state.conflicts) {
        tx.prepare_cached("DELETE FROM conflicts WHERE claim_id = ?1")?.execute([claim_id])?;
        let mut conflict = tx.prepare_cached(
            "INSERT INTO conflicts (claim_id, base, ops, joined, resolved_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for c in &state.conflicts {
            conflict.execute(params![claim_id, c.base, serde_json::to_string(&c.ops)?, serde_json::to_string(&c.joined)?, c.resolved_by])?;
        }
    }
    if prev.is_none_or(|p| p.refused != state.refused) {
        tx.prepare_cached("DELETE FROM fold_refusals WHERE claim_id = ?1")?.execute([claim_id])?;
        let mut refusal = tx.prepare_cached(
            "INSERT OR REPLACE INTO fold_refusals (op_id, claim_id, user_id, code, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for r in &state.refused {
            refusal.execute(params![r.op_id, claim_id, r.user, r.code, r.reason])?;
        }
    }
    tx.prepare_cached(
        "INSERT INTO claim_sync (claim_id, decisions, state, through_seq) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(claim_id) DO UPDATE SET decisions = excluded.decisions, state = excluded.state, through_seq = excluded.through_seq",
    )?
    .execute(params![claim_id, state.decisions, serde_json::to_string(state)?, through_seq])?;
    if old_category != state.category.code() {
        let mut ids = crate::claims::group_ids(tx, claim_id)?;
        crate::claims::refresh_claimant_key(tx, claim_id)?;
        ids.extend(crate::claims::group_ids(tx, claim_id)?);
        crate::evaluate::reevaluate_ids(tx, &ids)?;
    }
    Ok(())
}

/// Folds the claim again from its whole log and writes the result.
pub(crate) fn refold_and_write(tx: &Transaction<'_>, external_id: &str, through_seq: i64) -> Result<Option<ClaimState>> {
    let Some((id, filed)) = claim_row(tx, external_id)? else { return Ok(None) };
    let state = refold(tx, external_id, filed)?;
    write_state(tx, id, &state, None, through_seq)?;
    Ok(Some(state))
}

impl Store {
    /// The next ops to push: pending ones in the order they were made.
    pub fn outbox_page(&self, limit: usize) -> Result<Vec<WireOp>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("SELECT {OP_COLUMNS} FROM ops WHERE sync = 'pending' ORDER BY seq LIMIT ?1"))?;
        let rows = stmt.query_map([limit as i64], wire_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the server's answers to a push, in one transaction: accepted
    /// and duplicate ops are acknowledged; a rejected op is parked (it stays
    /// in the log, never goes out again, and its claim is folded again
    /// without it, so its effect is visibly undone and its author sees why).
    pub fn mark_acked(&mut self, results: &[PushResult]) -> Result<AckReport> {
        let tx = self.write_tx()?;
        let mut report = AckReport::default();
        let mut refold: BTreeSet<String> = BTreeSet::new();
        for r in results {
            match &r.outcome {
                PushOutcome::Accepted { .. } | PushOutcome::Duplicate { .. } => {
                    let n = tx
                        .prepare_cached("UPDATE ops SET sync = 'acked' WHERE op_id = ?1 AND sync = 'pending'")?
                        .execute([&r.op_id])?;
                    match (&r.outcome, n) {
                        (_, 0) => report.unknown += 1,
                        (PushOutcome::Accepted { .. }, _) => report.accepted += 1,
                        _ => report.duplicates += 1,
                    }
                }
                PushOutcome::Rejected { code, reason } => {
                    let row: Option<(String, String, String)> = tx
                        .query_row(
                            "SELECT entity, kind, user_id FROM ops WHERE op_id = ?1 AND sync = 'pending'",
                            [&r.op_id],
                            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
                        )
                        .optional()?;
                    let Some((entity, kind, user)) = row else {
                        report.unknown += 1;
                        continue;
                    };
                    tx.execute("UPDATE ops SET sync = 'local' WHERE op_id = ?1", [&r.op_id])?;
                    let at_ms = wall_clock_ms() as i64;
                    tx.execute(
                        "INSERT OR REPLACE INTO parked_ops (op_id, origin, entity, kind, user_id, code, reason, at)
                         VALUES (?1, 'local', ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![r.op_id, entity, kind, user, code, reason, at_ms],
                    )?;
                    if let Some(ext) = entity.strip_prefix("claim:") {
                        refold.insert(ext.to_string());
                    }
                    report.rejected.push(ParkedOp {
                        op_id: r.op_id.clone(), origin: "local".into(), entity, kind, user, code: code.clone(), reason: reason.clone(), at_ms,
                    });
                }
            }
        }
        let through: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM ops", [], |r| r.get(0))?;
        for ext in &refold {
            refold_and_write(&tx, ext, through)?;
        }
        tx.commit()?;
        Ok(report)
    }

    /// Applies a page of pulled ops and, when given, advances the cursor, in
    /// one transaction. Ops already in the log are skipped (applying twice
    /// equals applying once); each new op is appended to this device's chain
    /// and its stamp observed (one too far ahead is parked, not applied).
    pub fn apply_remote(&mut self, ops: &[WireOp], cursor: Option<i64>) -> Result<ApplyReport> {
        self.apply_remote_page(ops, cursor, Bulk::Keep)
    }

    /// [`Store::apply_remote`] for one page of a pull that knows what is left:
    /// a first pull of many ops into a small store drops the queue indexes
    /// at its first page and builds them again (by sorting, several times
    /// faster than growing them) at its last, like a large import. The
    /// store records that they are down; [`Store::open`] rebuilds them if
    /// the pull never finished.
    pub fn apply_pulled(&mut self, ops: &[WireOp], cursor: i64, remaining: i64) -> Result<ApplyReport> {
        let down = get_state(self.conn(), "bulk_pull")?.is_some();
        let bulk = if remaining == 0 {
            if down { Bulk::Rebuild } else { Bulk::Keep }
        } else if down {
            Bulk::Keep
        } else {
            let claims: i64 = self.conn().query_row("SELECT count(*) FROM claims", [], |r| r.get(0))?;
            if remaining + ops.len() as i64 >= BULK_PULL_OPS && claims * 2 < remaining { Bulk::Drop } else { Bulk::Keep }
        };
        self.apply_remote_page(ops, Some(cursor), bulk)
    }

    fn apply_remote_page(&mut self, ops: &[WireOp], cursor: Option<i64>, bulk: Bulk) -> Result<ApplyReport> {
        let tx = self.write_tx()?;
        if bulk == Bulk::Drop {
            crate::schema::drop_bulk_indexes(&tx)?;
            set_state(&tx, "bulk_pull", "1")?;
        }
        let mut writer = OpWriter::begin(&tx)?;
        let page_start = writer.next_seq();
        let mut report = ApplyReport { received: ops.len() as u64, ..ApplyReport::default() };
        // Pulled ops parked earlier get another try first.
        let retry: Vec<WireOp> = {
            let mut stmt = tx.prepare("SELECT op FROM parked_ops WHERE origin = 'remote' AND op IS NOT NULL ORDER BY at, op_id")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.filter_map(|t| t.ok().and_then(|t| serde_json::from_str(&t).ok())).collect()
        };
        let retried: HashSet<String> = retry.iter().map(|o| o.op_id.clone()).collect();
        let mut imports: Vec<ClaimInput> = Vec::new();
        let mut others: Vec<&WireOp> = Vec::new();
        let mut touched: BTreeMap<String, Vec<FoldOp>> = BTreeMap::new();
        for op in retry.iter().chain(ops.iter()) {
            let known: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM ops WHERE op_id = ?1)")?
                .query_row([&op.op_id], |r| r.get(0))?;
            if known {
                if retried.contains(&op.op_id) {
                    tx.execute("DELETE FROM parked_ops WHERE op_id = ?1 AND origin = 'remote'", [&op.op_id])?;
                } else {
                    report.duplicates += 1;
                }
                continue;
            }
            if let Err(e) = writer.observe(op.hlc) {
                let is_retry = retried.contains(&op.op_id);
                if !is_retry {
                    let parked = ParkedOp {
                        op_id: op.op_id.clone(), origin: "remote".into(), entity: op.entity.clone(), kind: op.kind.clone(),
                        user: op.user.clone(), code: "CLOCK_AHEAD".into(), reason: e.to_string(), at_ms: wall_clock_ms() as i64,
                    };
                    tx.execute(
                        "INSERT OR REPLACE INTO parked_ops (op_id, origin, entity, kind, user_id, code, reason, at, op)
                         VALUES (?1, 'remote', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![parked.op_id, parked.entity, parked.kind, parked.user, parked.code, parked.reason, parked.at_ms, serde_json::to_string(op)?],
                    )?;
                    report.parked.push(parked);
                }
                continue;
            }
            if retried.contains(&op.op_id) {
                tx.execute("DELETE FROM parked_ops WHERE op_id = ?1 AND origin = 'remote'", [&op.op_id])?;
                report.unparked += 1;
            }
            let payload = serde_json::to_string(&op.payload)?;
            writer.append_remote(
                &tx,
                &RemoteOp {
                    op_id: &op.op_id, hlc: op.hlc, user: &op.user, device: &op.device, entity: &op.entity, kind: &op.kind,
                    payload: &payload, base: op.base, at_ms: op.at_ms,
                },
            )?;
            report.applied += 1;
            match op.entity.strip_prefix("claim:") {
                Some(ext) if op.kind == "claim.import" => {
                    if let Ok(claim) = <ClaimInput as serde::Deserialize>::deserialize(&op.payload) {
                        imports.push(claim);
                    }
                    // Ops of the claim that came before its import are folded once it is in.
                    let earlier: bool = tx
                        .prepare_cached("SELECT EXISTS (SELECT 1 FROM ops WHERE entity = ?1 AND kind != 'claim.import' AND seq < ?2)")?
                        .query_row(params![op.entity, page_start], |r| r.get(0))?;
                    if earlier {
                        touched.entry(ext.to_string()).or_default();
                    }
                }
                Some(ext) => touched.entry(ext.to_string()).or_default().push(fold_op(op.clone())),
                None => others.push(op),
            }
        }
        // 1. New claims, through the import's statements.
        if !imports.is_empty() {
            let ids = crate::import::insert_synced(&tx, imports)?;
            report.imported_claims = ids.len() as u64;
            let mut group: Vec<i64> = Vec::new();
            // During a bulk pull the claimant index is down: the duplicate
            // groups are evaluated once, when it is rebuilt.
            let bulk_pull = bulk == Bulk::Drop || get_state(&tx, "bulk_pull")?.is_some();
            if !bulk_pull {
                let mut members = tx.prepare_cached(
                    "SELECT c.id FROM claims c JOIN claims me ON me.id = ?1
                     WHERE me.claimant_key IS NOT NULL AND c.claimant_key = me.claimant_key AND c.service = me.service",
                )?;
                for id in &ids {
                    let m: Vec<i64> = members.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
                    if m.len() > 1 {
                        group.extend(m);
                    }
                }
            }
            if !group.is_empty() {
                crate::evaluate::reevaluate_ids(&tx, &group)?;
            }
        }
        // 2. Users, catalog, policies, batches.
        for op in &others {
            apply_other(&tx, op)?;
        }
        // 3. Claims: fold the new ops in.
        let through = writer.next_seq() - 1;
        for (ext, mut new_ops) in touched {
            let Some((id, filed)) = claim_row(&tx, &ext)? else { continue };
            for op in new_ops.iter().filter(|o| o.kind == "claim.update") {
                apply_intake_update(&tx, id, &op.payload)?;
            }
            new_ops.sort_by(|a, b| (a.hlc, &a.device, &a.op_id).cmp(&(b.hlc, &b.device, &b.op_id)));
            let cached = cached_state(&tx, id, &ext, page_start)?;
            // An intake update rewrote the row beside the fold: write it all.
            let intake_update = new_ops.iter().any(|o| o.kind == "claim.update");
            let (state, prev) = match cached {
                Some(prev) if !new_ops.is_empty() && prev.accepts_next(&new_ops[0]) => {
                    let mut state = prev.clone();
                    for op in &new_ops {
                        fold::step(&mut state, op);
                    }
                    report.stepped += 1;
                    (state, (!intake_update).then_some(prev))
                }
                _ => {
                    report.refolded += 1;
                    (refold(&tx, &ext, filed)?, None)
                }
            };
            if state.status == ClaimStatus::Conflict {
                report.in_conflict.push(ext.clone());
            }
            write_state(&tx, id, &state, prev.as_ref(), through)?;
        }
        if let Some(c) = cursor {
            set_state(&tx, "cursor", &c.to_string())?;
        }
        if bulk == Bulk::Rebuild {
            crate::schema::drop_bulk_indexes(&tx)?;
            crate::schema::create_bulk_indexes(&tx)?;
            crate::evaluate::reevaluate_shared_groups(&tx)?;
            tx.execute("DELETE FROM sync_state WHERE key = 'bulk_pull'", [])?;
        }
        writer.finish(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// The server sequence this store has applied up to.
    pub fn sync_cursor(&self) -> Result<i64> {
        Ok(get_state(self.conn(), "cursor")?.and_then(|c| c.parse().ok()).unwrap_or(0))
    }

    /// A value of the sync settings (`server_url`, `user`, `token`, `last_sync_at`, ...).
    pub fn sync_setting(&self, key: &str) -> Result<Option<String>> {
        get_state(self.conn(), key)
    }

    pub fn set_sync_setting(&mut self, key: &str, value: &str) -> Result<()> {
        set_state(self.conn(), key, value)
    }

    /// Pending, parked, conflicts, when the last sync ended and how far it pulled.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let conn = self.conn();
        let count = |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(SyncStatus {
            pending: count("SELECT count(*) FROM ops WHERE sync = 'pending'")?,
            parked: count("SELECT count(*) FROM parked_ops")?,
            conflicts: count("SELECT count(DISTINCT claim_id) FROM conflicts WHERE resolved_by IS NULL")?,
            last_sync_at_ms: get_state(conn, "last_sync_at")?.and_then(|v| v.parse().ok()),
            cursor: self.sync_cursor()?,
            server_url: get_state(conn, "server_url")?,
            user: get_state(conn, "user")?,
        })
    }

    /// Parked ops, newest first.
    pub fn parked_ops(&self) -> Result<Vec<ParkedOp>> {
        let mut stmt = self.conn().prepare(
            "SELECT op_id, origin, entity, kind, user_id, code, reason, at FROM parked_ops ORDER BY at DESC, op_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ParkedOp {
                op_id: r.get(0)?, origin: r.get(1)?, entity: r.get(2)?, kind: r.get(3)?, user: r.get(4)?, code: r.get(5)?,
                reason: r.get(6)?, at_ms: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Conflicts with the ops side by side; open ones only unless `all`.
    pub fn conflicts(&self, all: bool) -> Result<Vec<ConflictInfo>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT c.external_id, k.base, k.ops, k.joined, k.resolved_by FROM conflicts k JOIN claims c ON c.id = k.claim_id
             {} ORDER BY c.external_id, k.base",
            if all { "" } else { "WHERE k.resolved_by IS NULL" }
        ))?;
        let rows: Vec<(String, i64, String, String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<Result<_, _>>()?;
        let mut op = conn.prepare_cached(&format!("SELECT {OP_COLUMNS} FROM ops WHERE op_id = ?1"))?;
        let mut load = |ids: &str| -> Result<Vec<ConflictOp>> {
            let ids: Vec<String> = serde_json::from_str(ids)?;
            let mut out = Vec::new();
            for id in ids {
                if let Some(w) = op.query_row([&id], wire_from_row).optional()? {
                    out.push(ConflictOp {
                        to: w.payload.get("to").and_then(Value::as_str).map(str::to_string),
                        assignee: w.payload.get("assignee").and_then(Value::as_str).map(str::to_string),
                        op_id: w.op_id, user: w.user, device: w.device, kind: w.kind, at_ms: w.at_ms, payload: w.payload,
                    });
                }
            }
            Ok(out)
        };
        let mut out = Vec::new();
        for (external_id, base, ops, joined, resolved_by) in rows {
            out.push(ConflictInfo { external_id, base, ops: load(&ops)?, joined: load(&joined)?, resolved_by });
        }
        Ok(out)
    }

    /// The claim's state folded from its log, as every replica with the same
    /// ops computes it (nothing is written; for checks and tests).
    pub fn folded_state(&self, external_id: &str) -> Result<ClaimState> {
        let (_, filed) = claim_row(self.conn(), external_id)?.ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        refold(self.conn(), external_id, filed)
    }

    /// Folds every claim again from its log and writes the result (repair, and tests).
    pub fn refold_all(&mut self) -> Result<u64> {
        let tx = self.write_tx()?;
        let ids: Vec<String> = tx.prepare("SELECT external_id FROM claims")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let through: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM ops", [], |r| r.get(0))?;
        for ext in &ids {
            refold_and_write(&tx, ext, through)?;
        }
        tx.commit()?;
        Ok(ids.len() as u64)
    }

    /// Takes claims offline: records the actor as their lease holder (advice
    /// to others, visible after sync; never a lock). Returns how many.
    pub fn lease(&mut self, actor: &Actor, external_ids: &[String]) -> Result<u64> {
        self.lease_op(actor, external_ids, true)
    }

    /// Gives back the actor's leases on these claims.
    pub fn release_lease(&mut self, actor: &Actor, external_ids: &[String]) -> Result<u64> {
        self.lease_op(actor, external_ids, false)
    }

    fn lease_op(&mut self, actor: &Actor, external_ids: &[String], take: bool) -> Result<u64> {
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        let mut n = 0;
        for ext in external_ids {
            let (id, holder): (i64, Option<String>) = tx
                .query_row("SELECT id, lease_holder FROM claims WHERE external_id = ?1", [ext], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("claim {ext}")))?;
            let (kind, payload, new_holder) = if take {
                ("claim.lease", json!({"holder": actor.user}), Some(actor.user.clone()))
            } else {
                if holder.as_deref() != Some(actor.user.as_str()) {
                    continue;
                }
                ("claim.release_lease", json!({}), None)
            };
            tx.execute("UPDATE claims SET lease_holder = ?2 WHERE id = ?1", params![id, new_holder])?;
            ops.append(&tx, &author, &format!("claim:{ext}"), kind, &payload.to_string(), None, false, SyncState::Pending)?;
            n += 1;
        }
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// Every claim's reviewable state, notes, evidence, conflicts and fold
    /// refusals as one text, in a fixed order: two stores that converged give
    /// the same text. Notes hidden because their op was parked are left out
    /// (only their author's device has them).
    pub fn canonical_dump(&self) -> Result<String> {
        use std::fmt::Write;
        let conn = self.conn();
        let mut out = String::new();
        let mut stmt = conn.prepare(
            "SELECT c.id, c.external_id, c.status, c.assignee, c.recommendation, c.is_override, c.batch_id, c.category, c.priority,
                    c.tags, c.duplicate_of, c.lease_holder, c.version, coalesce(s.decisions, 0), c.eligible, c.amount
             FROM claims c LEFT JOIN claim_sync s ON s.claim_id = c.id ORDER BY c.external_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let ext: String = r.get(1)?;
            let rec: Option<String> = r.get(4)?;
            let rec: Option<Value> = rec.and_then(|t| serde_json::from_str(&t).ok());
            writeln!(
                out,
                "{ext} status={} assignee={:?} rec={} override={} batch={:?} category={} priority={} tags={} dup={:?} lease={:?} version={} decisions={} eligible={:?} amount={:?}",
                r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?, rec.map(|v| v.to_string()).unwrap_or_default(),
                r.get::<_, bool>(5)?, r.get::<_, Option<String>>(6)?, r.get::<_, String>(7)?, r.get::<_, String>(8)?,
                r.get::<_, String>(9)?, r.get::<_, Option<String>>(10)?, r.get::<_, Option<String>>(11)?, r.get::<_, i64>(12)?,
                r.get::<_, i64>(13)?, r.get::<_, Option<bool>>(14)?, r.get::<_, Option<i64>>(15)?
            )
            .ok();
            let mut notes = conn.prepare_cached(
                "SELECT op_id, author, kind, body, hidden_by FROM notes WHERE claim_id = ?1 AND (hidden_by IS NULL OR hidden_by != 'parked') ORDER BY op_id",
            )?;
            for n in notes.query_map([id], |r| {
                Ok(format!("  note {} {} {} {:?} hidden_by={:?}", r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, Option<String>>(4)?))
            })? {
                writeln!(out, "{}", n?).ok();
            }
            let mut ev = conn.prepare_cached("SELECT op_id, sha256, file_name FROM evidence WHERE claim_id = ?1 ORDER BY op_id")?;
            for e in ev.query_map([id], |r| Ok(format!("  evidence {} {} {}", r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))? {
                writeln!(out, "{}", e?).ok();
            }
            let mut cf = conn.prepare_cached("SELECT base, ops, joined, resolved_by FROM conflicts WHERE claim_id = ?1 ORDER BY base")?;
            for c in cf.query_map([id], |r| {
                Ok(format!("  conflict base={} ops={} joined={} resolved_by={:?}", r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
            })? {
                writeln!(out, "{}", c?).ok();
            }
            let mut rf = conn.prepare_cached("SELECT op_id, code FROM fold_refusals WHERE claim_id = ?1 ORDER BY op_id")?;
            for x in rf.query_map([id], |r| Ok(format!("  refused {} {}", r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
                writeln!(out, "{}", x?).ok();
            }
        }
        Ok(out)
    }
}

/// A pull of at least this many ops into a store with fewer than half as
/// many claims loads in bulk (see [`Store::apply_pulled`]).
const BULK_PULL_OPS: i64 = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bulk {
    Keep,
    Drop,
    Rebuild,
}

/// After a bulk pull that did not finish: the queue indexes come back.
pub(crate) fn restore_bulk_indexes(conn: &Connection) -> Result<()> {
    if get_state(conn, "bulk_pull")?.is_some() {
        let tx = conn.unchecked_transaction()?;
        crate::schema::drop_bulk_indexes(&tx)?;
        crate::schema::create_bulk_indexes(&tx)?;
        crate::evaluate::reevaluate_shared_groups(&tx)?;
        tx.execute("DELETE FROM sync_state WHERE key = 'bulk_pull'", [])?;
        tx.commit()?;
    }
    Ok(())
}

/// The cached folded state of a claim, if it is still that of every op of
/// the claim before this page (no local op was made on it since).
fn cached_state(tx: &Transaction<'_>, claim_id: i64, external_id: &str, page_start: i64) -> Result<Option<ClaimState>> {
    let row: Option<(Option<String>, i64)> = tx
        .prepare_cached("SELECT state, through_seq FROM claim_sync WHERE claim_id = ?1")?
        .query_row([claim_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((Some(text), through)) = row else { return Ok(None) };
    let last_before: i64 = tx
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM ops WHERE entity = ?1 AND seq < ?2")?
        .query_row(params![format!("claim:{external_id}"), page_start], |r| r.get(0))?;
    if last_before > through {
        return Ok(None);
    }
    Ok(serde_json::from_str(&text).ok())
}

/// Applies a pulled `claim.update` (a changed intake row) to the claim's intake fields.
fn apply_intake_update(tx: &Transaction<'_>, claim_id: i64, payload: &Value) -> Result<()> {
    let Some(claim) = payload.get("claim").and_then(|c| serde_json::from_value::<ClaimInput>(c.clone()).ok()) else {
        return Ok(());
    };
    let won = |d: Option<rust_decimal::Decimal>| crate::import::won(d);
    let extra = if claim.extra.is_empty() { None } else { Some(serde_json::to_string(&claim.extra)?) };
    let hash = crate::import::content_hash(&serde_json::to_string(&claim)?);
    tx.execute(
        "UPDATE claims SET content_hash = ?2, received_at = ?3, filed_category = ?4, name = ?5, phone = ?6, brn = ?7,
             bank_name = ?8, account_no = ?9, service = ?10, damage_start = ?11, damage_end = ?12, claimed_amount = ?13,
             daily_income = ?14, documented_loss = ?15, ad_spend = ?16, description = ?17, extra = ?18 WHERE id = ?1",
        params![
            claim_id, &hash[..], claim.received_at.timestamp(), claim.category.code(), claim.name, claim.phone, claim.brn,
            claim.bank_name, claim.account_no, claim.service, claim.damage_start.timestamp(), claim.damage_end.timestamp(),
            won(claim.claimed_amount), won(claim.daily_income), won(claim.documented_loss), won(claim.ad_spend),
            claim.description, extra
        ],
    )?;
    tx.execute("DELETE FROM claims_fts WHERE rowid = ?1", [claim_id])?;
    tx.execute(
        "INSERT INTO claims_fts (rowid, name, description) VALUES (?1, ?2, ?3)",
        params![claim_id, crate::search::index_text(&claim.name), crate::search::index_text(&claim.description)],
    )?;
    crate::claims::refresh_claimant_key(tx, claim_id)?;
    let ids = crate::claims::group_ids(tx, claim_id)?;
    crate::evaluate::reevaluate_ids(tx, &ids)?;
    Ok(())
}

/// Applies a pulled op that is not about one claim.
fn apply_other(tx: &Transaction<'_>, op: &WireOp) -> Result<()> {
    let p = &op.payload;
    let s = |f: &str| p.get(f).and_then(Value::as_str).map(str::to_string);
    match op.kind.as_str() {
        "user.create" => {
            let Some(id) = s("id") else { return Ok(()) };
            let role = s("role").and_then(|r| Role::parse(&r)).unwrap_or(Role::Reviewer);
            tx.execute(
                "INSERT OR IGNORE INTO users (id, display_name, role, approval_limit, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, s("display_name").unwrap_or_else(|| id.clone()), role.code(), p.get("approval_limit").and_then(Value::as_i64), op.at_ms / 1000],
            )?;
        }
        "user.update" => {
            let Some(id) = s("id") else { return Ok(()) };
            tx.execute(
                "UPDATE users SET display_name = coalesce(?2, display_name), role = coalesce(?3, role),
                     approval_limit = coalesce(?4, approval_limit), active = coalesce(?5, active) WHERE id = ?1",
                params![
                    id, s("display_name"), s("role").and_then(|r| Role::parse(&r)).map(Role::code),
                    p.get("approval_limit").and_then(Value::as_i64), p.get("active").and_then(Value::as_bool)
                ],
            )?;
        }
        "catalog.replace" => {
            if let Ok(catalog) = serde_json::from_value::<Catalog>(p.clone()) {
                crate::policies::replace_catalog_in_tx(tx, &catalog)?;
            }
        }
        "policy.create" => {
            let (Some(version), Some(toml)) = (p.get("version").and_then(Value::as_i64), s("toml")) else { return Ok(()) };
            tx.execute(
                "INSERT OR IGNORE INTO policy_versions (version, name, toml, note, created_by, created_at, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
                params![version, s("name").unwrap_or_else(|| format!("정책 {version}")), toml, s("note").unwrap_or_default(), op.user, op.at_ms / 1000],
            )?;
        }
        "policy.activate" => {
            // The latest activation (by clock stamp) wins, whatever order they arrive in.
            let Some(version) = p.get("version").and_then(Value::as_i64) else { return Ok(()) };
            let later: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM ops WHERE kind = 'policy.activate' AND outcome = 'applied' AND sync != 'local'
                     AND op_id != ?1 AND (hlc > ?2 OR (hlc = ?2 AND device > ?3)))",
                params![op.op_id, op.hlc, op.device],
                |r| r.get(0),
            )?;
            let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM policy_versions WHERE version = ?1)", [version], |r| r.get(0))?;
            let active: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM policy_versions WHERE version = ?1 AND active = 1)", [version], |r| r.get(0))?;
            if !later && exists && !active {
                tx.execute("UPDATE policy_versions SET active = 0 WHERE active = 1", [])?;
                tx.execute("UPDATE policy_versions SET active = 1 WHERE version = ?1", [version])?;
                crate::evaluate::reevaluate_in(tx, &mut |_| true)?;
            }
        }
        "batch.create" => {
            let Some(id) = s("id") else { return Ok(()) };
            tx.execute(
                "INSERT INTO batches (id, name, created_by, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, created_by = excluded.created_by, created_at = excluded.created_at",
                params![id, s("name").unwrap_or_default(), op.user, op.at_ms / 1000],
            )?;
        }
        "batch.approve" => {
            let Some(id) = op.entity.strip_prefix("batch:") else { return Ok(()) };
            if p.get("refused").and_then(Value::as_i64) == Some(0) {
                tx.execute(
                    "UPDATE batches SET status = 'approved', approved_by = ?2, approved_at = ?3 WHERE id = ?1",
                    params![id, op.user, op.at_ms / 1000],
                )?;
            }
        }
        // Payout files are this desktop's bookkeeping (local ids); the claims'
        // mark_paid ops carry what others need. Kept in the log as audit.
        _ => {}
    }
    Ok(())
}

fn local_error(e: StoreError) -> claimdesk_sync::engine::SyncError {
    claimdesk_sync::engine::SyncError::Local { code: e.code().to_string(), message: e.to_string() }
}

fn rejected(p: ParkedOp) -> claimdesk_sync::engine::Rejected {
    claimdesk_sync::engine::Rejected { op_id: p.op_id, kind: p.kind, entity: p.entity, code: p.code, reason: p.reason }
}

/// The store as the sync engine sees it.
impl claimdesk_sync::engine::Replica for Store {
    fn device_id(&self) -> String {
        self.device().to_string()
    }

    fn outbox_page(&mut self, limit: usize) -> std::result::Result<Vec<WireOp>, claimdesk_sync::engine::SyncError> {
        Store::outbox_page(self, limit).map_err(local_error)
    }

    fn record_push(&mut self, results: &[PushResult]) -> std::result::Result<claimdesk_sync::engine::PushTally, claimdesk_sync::engine::SyncError> {
        let r = self.mark_acked(results).map_err(local_error)?;
        Ok(claimdesk_sync::engine::PushTally {
            accepted: r.accepted,
            duplicates: r.duplicates,
            rejected: r.rejected.into_iter().map(rejected).collect(),
        })
    }

    fn cursor(&mut self) -> std::result::Result<i64, claimdesk_sync::engine::SyncError> {
        self.sync_cursor().map_err(local_error)
    }

    fn apply_page(
        &mut self,
        page: &claimdesk_sync::protocol::PullResponse,
    ) -> std::result::Result<claimdesk_sync::engine::PullTally, claimdesk_sync::engine::SyncError> {
        let ops: Vec<WireOp> = page.ops.iter().map(|p| p.op.clone()).collect();
        let remaining = if page.more { (page.head - page.cursor).max(1) } else { 0 };
        let r = self.apply_pulled(&ops, page.cursor, remaining).map_err(local_error)?;
        Ok(claimdesk_sync::engine::PullTally {
            applied: r.applied,
            duplicates: r.duplicates,
            parked: r.parked.into_iter().map(rejected).collect(),
            in_conflict: r.in_conflict,
        })
    }

    fn finished(&mut self, at_ms: i64) -> std::result::Result<(), claimdesk_sync::engine::SyncError> {
        self.set_sync_setting("last_sync_at", &at_ms.to_string()).map_err(local_error)
    }
}
