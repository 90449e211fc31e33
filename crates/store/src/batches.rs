//! Batches: a supervisor gathers recommended claims, looks at the totals
//! (overrides first), takes claims out or returns them to their reviewer,
//! and approves the rest at once. Each claim's approval is its own op that
//! names the recommendation it approves; refusals are reported claim by claim.

use claimdesk_core::msg;
use std::collections::BTreeMap;

use claimdesk_core::ops::Op;
use claimdesk_core::workflow::{AdminAction, ClaimCommand, Decision};
use claimdesk_core::{Actor, ClaimStatus};
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::claim_state::apply_local;
use crate::claims::{load_records_where, ClaimRecord};
use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter};
use crate::queue::QueueFilter;
use crate::users::team_op_in_tx;
use crate::Store;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct BatchInfo {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: i64,
    pub status: String,
    pub approved_by: Option<String>,
    pub claims: u64,
}

/// Totals for one (category, remedy) of a batch.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct BatchTotal {
    pub category: String,
    pub remedy: String,
    pub claims: u64,
    pub amount: i64,
    pub extension_days: i64,
}

/// One claim of a batch as a supervisor reviews it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct BatchLine {
    pub external_id: String,
    pub category: String,
    pub recommended_by: String,
    pub decision: Decision,
    pub is_override: bool,
    pub justification: Option<String>,
    pub policy_amount: Option<i64>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct BatchReview {
    pub batch: BatchInfo,
    pub totals: Vec<BatchTotal>,
    /// What the recommendations give, by kind of grant (cash and each
    /// non-cash kind): what the batch's approval grants.
    pub grants: Vec<claimdesk_core::policy::GrantTotal>,
    /// Overrides first, then by external id.
    pub lines: Vec<BatchLine>,
}

/// A claim whose approval was refused, and why.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClaimRefusal {
    pub external_id: String,
    pub code: String,
    /// English.
    pub message: String,
    /// The same for the reader's language.
    pub explain: claimdesk_core::message::Message,
}

impl ClaimRefusal {
    /// Claim `external_id` was refused for `why` (a refusal or a store error).
    pub fn new(
        external_id: &str,
        code: &str,
        why: &(impl claimdesk_core::message::Explain + std::fmt::Display),
    ) -> ClaimRefusal {
        ClaimRefusal {
            external_id: external_id.to_string(),
            code: code.to_string(),
            message: why.to_string(),
            explain: why.message(),
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApprovalReport {
    pub approved: u64,
    pub closed_denied: u64,
    pub refused: Vec<ClaimRefusal>,
}

/// What one command applied to many claims did (one transaction).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct ManyApplied {
    pub applied: u64,
    pub refused: Vec<ClaimRefusal>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchBuild {
    pub batch_id: String,
    pub added: u64,
    /// Claims the filter matched that could not join (not recommended, say).
    pub skipped: Vec<ClaimRefusal>,
}

impl Store {
    /// Supervisor: makes a batch of the recommended claims that match the filter.
    pub fn create_batch(&mut self, actor: &Actor, name: &str, filter: &QueueFilter) -> Result<BatchBuild> {
        let mut filter = filter.clone();
        filter.statuses = vec![ClaimStatus::Recommended];
        let ids = self.queue_ids(&filter)?;
        self.create_batch_of(actor, name, &ids)
    }

    /// Supervisor: makes a batch of the named claims.
    pub fn create_batch_of(
        &mut self,
        actor: &Actor,
        name: &str,
        external_ids: &[String],
    ) -> Result<BatchBuild> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(msg!("store.batch_name")));
        }
        self.require(actor, AdminAction::CreateBatch, "batch")?;
        let batch_id = uuid::Uuid::now_v7().to_string();
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        let create = Op::BatchCreate(claimdesk_core::ops::BatchCreate {
            id: batch_id.clone(),
            name: name.to_string(),
        });
        team_op_in_tx(&tx, &mut ops, &author, actor, &format!("batch:{batch_id}"), &create)?;
        let mut build = BatchBuild { batch_id: batch_id.clone(), ..BatchBuild::default() };
        for external_id in external_ids {
            let cmd = ClaimCommand::AddToBatch { batch_id: batch_id.clone() };
            match apply_local(&tx, &mut ops, &author, actor, external_id, None, cmd) {
                Ok(_) => build.added += 1,
                Err(StoreError::Refused(r)) => {
                    build.skipped.push(ClaimRefusal::new(external_id, r.code(), &r))
                }
                Err(e) => return Err(e),
            }
        }
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(build)
    }

    /// The batches of the current incident's claims (and those still empty).
    pub fn batches(&self) -> Result<Vec<BatchInfo>> {
        let incident = self.current_incident()?;
        let mut stmt = self.conn().prepare(&format!(
            "SELECT b.id, b.name, b.created_by, b.created_at, {BATCH_STATUS}, b.approved_by,
                    (SELECT count(*) FROM claims c WHERE c.batch_id = b.id)
             FROM batches b
             WHERE NOT EXISTS (SELECT 1 FROM claims o WHERE o.batch_id = b.id AND o.incident_id <> ?1)
             ORDER BY b.created_at DESC, b.id DESC"
        ))?;
        let rows = stmt.query_map([incident], batch_info)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The batch with totals by category and remedy, overrides listed first.
    pub fn batch_review(&self, batch_id: &str) -> Result<BatchReview> {
        let batch = self
            .conn()
            .query_row(
                &format!(
                    "SELECT b.id, b.name, b.created_by, b.created_at, {BATCH_STATUS}, b.approved_by,
                        (SELECT count(*) FROM claims c WHERE c.batch_id = b.id)
                 FROM batches b WHERE b.id = ?1"
                ),
                [batch_id],
                batch_info,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("batch {batch_id}")))?;
        let mut stmt = self.conn().prepare(
            "SELECT external_id, category, recommendation, is_override, amount FROM claims WHERE batch_id = ?1 ORDER BY is_override DESC, external_id",
        )?;
        let mut totals: BTreeMap<(String, String), BatchTotal> = BTreeMap::new();
        let mut grants: BTreeMap<usize, claimdesk_core::policy::GrantTotal> = BTreeMap::new();
        let mut lines = Vec::new();
        let rows = stmt.query_map([batch_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        for row in rows {
            let (external_id, category, rec, is_override, policy_amount) = row?;
            let Some(rec) =
                rec.and_then(|t| serde_json::from_str::<claimdesk_core::workflow::Recommendation>(&t).ok())
            else {
                continue;
            };
            let (remedy, amount, days) = match &rec.decision {
                Decision::Approve { remedy, amount, extension_days, .. } => (
                    remedy.code().to_string(),
                    crate::import::won(Some(*amount)).unwrap_or(0),
                    i64::from(*extension_days),
                ),
                Decision::Deny { .. } => ("denied".to_string(), 0, 0),
            };
            let t = totals.entry((category.clone(), remedy.clone())).or_insert_with(|| BatchTotal {
                category: category.clone(),
                remedy: remedy.clone(),
                ..BatchTotal::default()
            });
            t.claims += 1;
            t.amount += amount;
            t.extension_days += days;
            let mut seen = Vec::new();
            for g in rec.decision.grants() {
                let k = grants.entry(g.kind as usize).or_insert_with(|| claimdesk_core::policy::GrantTotal {
                    kind: g.kind,
                    claims: 0,
                    grants: 0,
                    amount: rust_decimal::Decimal::ZERO,
                    quantity: 0,
                });
                if !seen.contains(&g.kind) {
                    k.claims += 1;
                    seen.push(g.kind);
                }
                k.grants += 1;
                k.amount = k.amount.saturating_add(g.amount);
                k.quantity = k.quantity.saturating_add(u64::from(g.quantity));
            }
            lines.push(BatchLine {
                external_id,
                category,
                recommended_by: rec.by,
                decision: rec.decision,
                is_override,
                justification: rec.justification,
                policy_amount,
            });
        }
        Ok(BatchReview {
            batch,
            totals: totals.into_values().collect(),
            grants: grants.into_values().collect(),
            lines,
        })
    }

    /// Supervisor: takes a claim out of its batch; it returns to recommended.
    pub fn remove_from_batch(&mut self, actor: &Actor, external_id: &str) -> Result<()> {
        self.claim_change(actor, external_id, None, ClaimCommand::RemoveFromBatch)?;
        Ok(())
    }

    /// Supervisor: sends a claim back to the reviewer who recommended it, with a comment.
    pub fn return_to_reviewer(&mut self, actor: &Actor, external_id: &str, comment: &str) -> Result<()> {
        self.claim_change(
            actor,
            external_id,
            None,
            ClaimCommand::ReturnToReviewer { comment: comment.trim().to_string() },
        )?;
        Ok(())
    }

    /// Supervisor: approves every claim of the batch in one transaction.
    /// Each claim is checked on its own (maker-checker, approval limit, the
    /// recommendation still current); refused claims stay in the batch and
    /// are reported with the reason.
    pub fn approve_batch(&mut self, actor: &Actor, batch_id: &str) -> Result<ApprovalReport> {
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let exists: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM batches WHERE id = ?1)", [batch_id], |r| r.get(0))?;
        if !exists {
            return Err(StoreError::NotFound(format!("batch {batch_id}")));
        }
        let records: Vec<ClaimRecord> =
            load_records_where(&tx, "batch_id = ?1 AND status = 'batched'", batch_id)?;
        let mut ops = OpWriter::begin(&tx)?;
        let mut report = ApprovalReport::default();
        for record in &records {
            // The approval names the recommendation the supervisor is looking at.
            let recommendation_op =
                record.recommendation.as_ref().map(|r| r.op_id.clone()).unwrap_or_default();
            let cmd = ClaimCommand::Approve { recommendation_op };
            // Approved claims keep their batch_id: the batch stays their record.
            match apply_local(&tx, &mut ops, &author, actor, &record.external_id, None, cmd) {
                Ok(change) => {
                    if change.after.status == ClaimStatus::ClosedDenied {
                        report.closed_denied += 1;
                    } else {
                        report.approved += 1;
                    }
                }
                Err(StoreError::Refused(r)) => {
                    report.refused.push(ClaimRefusal::new(&record.external_id, r.code(), &r))
                }
                Err(e) => return Err(e),
            }
        }
        let approve = Op::BatchApprove(claimdesk_core::ops::BatchApprove {
            approved: report.approved,
            closed_denied: report.closed_denied,
            refused: report.refused.len() as u64,
        });
        team_op_in_tx(&tx, &mut ops, &author, actor, &format!("batch:{batch_id}"), &approve)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(report)
    }
}

/// A batch is approved once someone approved it and none of its claims waits in it any more.
const BATCH_STATUS: &str = "CASE WHEN b.approved_by IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM claims w WHERE w.batch_id = b.id AND w.status = 'batched') THEN 'approved' ELSE 'open' END";

fn batch_info(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchInfo> {
    Ok(BatchInfo {
        id: r.get(0)?,
        name: r.get(1)?,
        created_by: r.get(2)?,
        created_at: r.get(3)?,
        status: r.get(4)?,
        approved_by: r.get(5)?,
        claims: r.get::<_, i64>(6)? as u64,
    })
}
