//! What the desktop shows of sync: the status line, parked ops, conflicts
//! side by side, leases, the folded state of a claim, and the canonical dump
//! that the convergence tests compare.

use claimdesk_core::workflow::ClaimCommand;
use claimdesk_core::Actor;
use claimdesk_sync::fold::{self, ClaimState};
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::Value;

use crate::claim_state::{claim_row, fold_op_from_row, load_state, refold, refold_and_write, FOLD_COLUMNS};
use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter};
use crate::sync_apply::get_state;
use crate::Store;

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
    /// English.
    pub reason: String,
    /// The reason in the reader's language (rows parked before it existed have none).
    pub explain: Option<claimdesk_core::message::Message>,
    pub at_ms: i64,
}

/// A stored message (JSON), if the row has one that reads.
fn message_column(json: Option<String>) -> Option<claimdesk_core::message::Message> {
    json.and_then(|j| serde_json::from_str(&j).ok())
}

/// The sync summary the app shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncStatus {
    /// Ops waiting to be pushed.
    pub pending: u64,
    pub parked: u64,
    /// Claims in an open conflict.
    pub conflicts: u64,
    /// Ops of others that the rules refused on claims here (kept, visible on the claims' history).
    pub refused: u64,
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
    /// Where the op would take the claim, decided on the state its author saw.
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

impl Store {
    /// Pending, parked, conflicts, refusals, when the last sync ended and how far it pulled.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let conn = self.conn();
        let count =
            |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(SyncStatus {
            pending: count("SELECT count(*) FROM ops WHERE sync = 'pending'")?,
            parked: count("SELECT count(*) FROM parked_ops")?,
            conflicts: count("SELECT count(DISTINCT claim_id) FROM conflicts WHERE resolved_by IS NULL")?,
            refused: count("SELECT count(*) FROM fold_refusals")?,
            last_sync_at_ms: get_state(conn, "last_sync_at")?.and_then(|v| v.parse().ok()),
            cursor: self.sync_cursor()?,
            server_url: get_state(conn, "server_url")?,
            user: get_state(conn, "user")?,
        })
    }

    /// Parked ops, newest first.
    pub fn parked_ops(&self) -> Result<Vec<ParkedOp>> {
        let mut stmt = self.conn().prepare(
            "SELECT op_id, origin, entity, kind, user_id, code, reason, at, explain FROM parked_ops ORDER BY at DESC, op_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ParkedOp {
                op_id: r.get(0)?,
                origin: r.get(1)?,
                entity: r.get(2)?,
                kind: r.get(3)?,
                user: r.get(4)?,
                code: r.get(5)?,
                reason: r.get(6)?,
                at_ms: r.get(7)?,
                explain: message_column(r.get(8)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ops of others that the rules refused on claims here, newest first (what `sync status` counts).
    pub fn refused_ops(&self, limit: u64) -> Result<Vec<ParkedOp>> {
        let mut stmt = self.conn().prepare(
            "SELECT f.op_id, c.external_id, o.kind, f.user_id, f.code, f.reason, coalesce(o.at, 0), f.explain
             FROM fold_refusals f JOIN claims c ON c.id = f.claim_id LEFT JOIN ops o ON o.op_id = f.op_id
             ORDER BY o.seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(ParkedOp {
                op_id: r.get(0)?,
                origin: "remote".into(),
                entity: format!("claim:{}", r.get::<_, String>(1)?),
                kind: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                user: r.get(3)?,
                code: r.get(4)?,
                reason: r.get(5)?,
                at_ms: r.get(6)?,
                explain: message_column(r.get(7)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Conflicts with the ops side by side; open ones only unless `all`.
    pub fn conflicts(&self, all: bool) -> Result<Vec<ConflictInfo>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT c.id, c.external_id, c.filed_category, k.base, k.ops, k.joined, k.resolved_by
             FROM conflicts k JOIN claims c ON c.id = k.claim_id {} ORDER BY c.external_id, k.base",
            if all { "" } else { "WHERE k.resolved_by IS NULL" }
        ))?;
        type Row = (i64, String, String, i64, String, String, Option<String>);
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut op =
            conn.prepare_cached(&format!("SELECT {FOLD_COLUMNS}, entity FROM ops WHERE op_id = ?1"))?;
        let mut out = Vec::new();
        for (claim_id, external_id, filed, base, ops, joined, resolved_by) in rows {
            let filed = claimdesk_core::Category::parse(&filed).unwrap_or(claimdesk_core::Category::Other);
            let state = load_state(conn, claim_id, &external_id, filed)?;
            let mut load = |ids: &str| -> Result<Vec<ConflictOp>> {
                let ids: Vec<String> = serde_json::from_str(ids)?;
                let mut side = Vec::new();
                for id in ids {
                    let row = op
                        .query_row([&id], |r| {
                            let payload: String = r.get(5)?;
                            Ok((fold_op_from_row(conn, r)?, r.get::<_, String>(4)?, payload))
                        })
                        .optional()?;
                    if let Some((Some(f), kind, payload)) = row {
                        let outcome = fold::outcome_at(&state, &f, base);
                        side.push(ConflictOp {
                            to: outcome.as_ref().map(|o| o.to.code().to_string()),
                            assignee: outcome.and_then(|o| o.assignee),
                            op_id: f.op_id,
                            user: f.user,
                            device: f.device,
                            kind,
                            at_ms: f.at_ms,
                            // Personal data masked, as on the claim's history.
                            payload: crate::claims::masked_payload(
                                serde_json::from_str(&payload).unwrap_or(Value::Null),
                            ),
                        });
                    }
                }
                Ok(side)
            };
            out.push(ConflictInfo {
                external_id,
                base,
                ops: load(&ops)?,
                joined: load(&joined)?,
                resolved_by,
            });
        }
        Ok(out)
    }

    /// The claim's state folded from its log, as every replica with the same
    /// ops computes it (nothing is written; for checks and tests).
    pub fn folded_state(&self, external_id: &str) -> Result<ClaimState> {
        let (_, filed) = claim_row(self.conn(), external_id)?
            .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        refold(self.conn(), external_id, filed)
    }

    /// Folds every claim again from its log and writes the result (repair,
    /// an upgrade of the rules, and tests).
    pub fn refold_all(&mut self) -> Result<u64> {
        let tx = self.write_tx()?;
        let ids: Vec<String> = tx
            .prepare("SELECT external_id FROM claims")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
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
            let holder: Option<String> = tx
                .query_row("SELECT lease_holder FROM claims WHERE external_id = ?1", [ext], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("claim {ext}")))?;
            let cmd = if take {
                ClaimCommand::Lease
            } else if holder.as_deref() == Some(actor.user.as_str()) {
                ClaimCommand::ReleaseLease
            } else {
                continue;
            };
            crate::claim_state::apply_local(&tx, &mut ops, &author, actor, ext, None, cmd)?;
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
                    c.tags, c.duplicate_of, c.lease_holder, c.version, coalesce(s.decisions, 0), c.eligible, c.amount, c.reserved_for, c.reserved_by
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
                "{ext} status={} assignee={:?} rec={} override={} batch={:?} category={} priority={} tags={} dup={:?} lease={:?} version={} decisions={} eligible={:?} amount={:?} reserved={:?} by={:?}",
                r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?, rec.map(|v| v.to_string()).unwrap_or_default(),
                r.get::<_, bool>(5)?, r.get::<_, Option<String>>(6)?, r.get::<_, String>(7)?, r.get::<_, String>(8)?,
                r.get::<_, String>(9)?, r.get::<_, Option<String>>(10)?, r.get::<_, Option<String>>(11)?, r.get::<_, i64>(12)?,
                r.get::<_, i64>(13)?, r.get::<_, Option<bool>>(14)?, r.get::<_, Option<i64>>(15)?, r.get::<_, Option<String>>(16)?, r.get::<_, Option<String>>(17)?
            )
            .ok();
            let mut notes = conn.prepare_cached(
                "SELECT op_id, author, kind, body, hidden_by FROM notes WHERE claim_id = ?1 AND (hidden_by IS NULL OR hidden_by != 'parked') ORDER BY op_id",
            )?;
            for n in notes.query_map([id], |r| {
                Ok(format!(
                    "  note {} {} {} {:?} hidden_by={:?}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?
                ))
            })? {
                writeln!(out, "{}", n?).ok();
            }
            let mut ev = conn.prepare_cached(
                "SELECT op_id, sha256, file_name FROM evidence WHERE claim_id = ?1 ORDER BY op_id",
            )?;
            for e in ev.query_map([id], |r| {
                Ok(format!(
                    "  evidence {} {} {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?
                ))
            })? {
                writeln!(out, "{}", e?).ok();
            }
            let mut cf = conn.prepare_cached(
                "SELECT base, ops, joined, resolved_by FROM conflicts WHERE claim_id = ?1 ORDER BY base",
            )?;
            for c in cf.query_map([id], |r| {
                Ok(format!(
                    "  conflict base={} ops={} joined={} resolved_by={:?}",
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?
                ))
            })? {
                writeln!(out, "{}", c?).ok();
            }
            let mut rf = conn
                .prepare_cached("SELECT op_id, code FROM fold_refusals WHERE claim_id = ?1 ORDER BY op_id")?;
            for x in rf.query_map([id], |r| {
                Ok(format!("  refused {} {}", r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })? {
                writeln!(out, "{}", x?).ok();
            }
        }
        Ok(out)
    }
}
