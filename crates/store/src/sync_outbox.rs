//! The store's side of a push (sync.md): the outbox in the order ops were
//! made, and the server's answers: an accepted op is acknowledged with the
//! stamp the server recorded (its claim is folded again when that stamp says
//! something else than this desktop's); a rejected op is parked, stays in
//! the log as `local`, and its claim is folded again without it, so its
//! effect is visibly undone and its author sees why. The ops behind it go on.

use std::collections::BTreeSet;

use claimdesk_core::hlc::wall_clock_ms;
use claimdesk_core::ops::Stamp;
use claimdesk_sync::protocol::{PushOutcome, PushResult, WireOp};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

use crate::claim_state::refold_and_write;
use crate::error::Result;
use crate::sync_views::ParkedOp;
use crate::Store;

/// What an acknowledgement from the server did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AckReport {
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: Vec<ParkedOp>,
    /// Results naming ops this device does not have pending (ignored).
    pub unknown: u64,
    /// Claims folded again because the server's stamp differed from this desktop's.
    pub restamped: u64,
}

const OP_COLUMNS: &str = "op_id, hlc, user_id, device, entity, kind, payload, base, at";

pub(crate) fn wire_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WireOp> {
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

impl Store {
    /// The next ops to push: pending ones in the order they were made.
    pub fn outbox_page(&self, limit: usize) -> Result<Vec<WireOp>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {OP_COLUMNS} FROM ops WHERE sync = 'pending' ORDER BY seq LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], wire_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the server's answers to a push, in one transaction.
    pub fn mark_acked(&mut self, results: &[PushResult]) -> Result<AckReport> {
        let tx = self.write_tx()?;
        let mut report = AckReport::default();
        let mut refold: BTreeSet<String> = BTreeSet::new();
        for r in results {
            match &r.outcome {
                PushOutcome::Accepted { seq, stamp } | PushOutcome::Duplicate { seq, stamp } => {
                    let row: Option<(String, StampColumns)> = tx
                        .prepare_cached("SELECT entity, role, approval_limit, proposal, cited FROM ops WHERE op_id = ?1 AND sync = 'pending'")?
                        .query_row([&r.op_id], |x| Ok((x.get(0)?, (x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?))))
                        .optional()?;
                    let Some((entity, mine)) = row else {
                        report.unknown += 1;
                        continue;
                    };
                    tx.prepare_cached("UPDATE ops SET sync = 'acked', server_seq = ?2 WHERE op_id = ?1")?
                        .execute(params![r.op_id, seq])?;
                    if let Some(stamp) = stamp {
                        let theirs = stamp_columns(stamp)?;
                        if mine != theirs {
                            // Every other replica decides this op with the server's stamp: so does this one.
                            tx.prepare_cached("UPDATE ops SET role = ?2, approval_limit = ?3, proposal = ?4, cited = ?5 WHERE op_id = ?1")?
                                .execute(params![r.op_id, theirs.0, theirs.1, theirs.2, theirs.3])?;
                            if let Some(ext) = entity.strip_prefix("claim:") {
                                refold.insert(ext.to_string());
                                report.restamped += 1;
                            }
                        }
                    }
                    if matches!(r.outcome, PushOutcome::Accepted { .. }) {
                        report.accepted += 1;
                    } else {
                        report.duplicates += 1;
                    }
                }
                PushOutcome::Rejected { code, reason, explain } => {
                    let explain = explain
                        .clone()
                        .unwrap_or_else(|| claimdesk_core::message::for_code(code).with("detail", reason));
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
                        "INSERT OR REPLACE INTO parked_ops (op_id, origin, entity, kind, user_id, code, reason, at, retry, explain)
                         VALUES (?1, 'local', ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
                        params![r.op_id, entity, kind, user, code, reason, at_ms, serde_json::to_string(&explain)?],
                    )?;
                    // A reservation another payout or fulfilment beat: the claim leaves this desktop's.
                    crate::delivery::reservation_refused(&tx, &r.op_id, reason)?;
                    if let Some(ext) = entity.strip_prefix("claim:") {
                        refold.insert(ext.to_string());
                    }
                    report.rejected.push(ParkedOp {
                        op_id: r.op_id.clone(),
                        origin: "local".into(),
                        entity,
                        kind,
                        user,
                        code: code.clone(),
                        reason: reason.clone(),
                        explain: Some(explain),
                        at_ms,
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
}

/// A stamp as the ops table holds it: role, approval limit, proposal (JSON), cited reason (JSON).
pub(crate) type StampColumns = (Option<String>, Option<i64>, Option<String>, Option<String>);

pub(crate) fn stamp_columns(stamp: &Stamp) -> Result<StampColumns> {
    let proposal = stamp.proposal.as_ref().map(serde_json::to_string).transpose()?;
    let cited = stamp.cited.as_ref().map(serde_json::to_string).transpose()?;
    Ok((Some(stamp.role.code().to_string()), stamp.approval_limit, proposal, cited))
}

fn local_error(e: crate::StoreError) -> claimdesk_sync::engine::SyncError {
    claimdesk_sync::engine::SyncError::Local { code: e.code().to_string(), message: e.to_string() }
}

fn rejected(p: ParkedOp) -> claimdesk_sync::engine::Rejected {
    claimdesk_sync::engine::Rejected {
        op_id: p.op_id,
        kind: p.kind,
        entity: p.entity,
        code: p.code,
        reason: p.reason,
    }
}

/// The store as the sync engine sees it.
impl claimdesk_sync::engine::Replica for Store {
    fn device_id(&self) -> String {
        self.device().to_string()
    }

    fn outbox_page(
        &mut self,
        limit: usize,
    ) -> std::result::Result<Vec<WireOp>, claimdesk_sync::engine::SyncError> {
        Store::outbox_page(self, limit).map_err(local_error)
    }

    fn record_push(
        &mut self,
        results: &[PushResult],
    ) -> std::result::Result<claimdesk_sync::engine::PushTally, claimdesk_sync::engine::SyncError> {
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
        let remaining = if page.more { (page.head - page.cursor).max(1) } else { 0 };
        let r = self.apply_pulled(&page.ops, page.cursor, remaining).map_err(local_error)?;
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
