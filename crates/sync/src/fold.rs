//! The merge rules of sync.md as a pure fold: a claim's state is
//! `fold(import state, its ops sorted by key)`, where an op's key is
//! `(hlc, device, op_id)`. Every replica that holds the same set of ops folds
//! them to the same state, whatever order they arrived in.
//!
//! - **Scalar fields** (category correction, priority, tags, duplicate mark,
//!   lease holder): ops are processed in key order and each sets the fields
//!   it mentions, so per field the op with the greatest key wins (ties of
//!   the clock broken by device id, then op id).
//! - **Notes, info requests and answers, return comments, evidence**:
//!   append-only by op id; a withdrawal hides a note, nothing is removed.
//! - **Decisions** (ops that move status, holder, recommendation or batch)
//!   are events with `base` = the claim's *decision count* the author saw.
//!   A decision on the current count is applied and raises the count. A
//!   decision on an older count met a decision it did not see: if both lead
//!   to the same outcome it is a *parallel update* (kept in the log, nothing
//!   to do); otherwise it is a *conflict*: both are kept, the claim goes to
//!   `conflict`, and one conflict record per (claim, base) lists the ops side
//!   by side. While in conflict only `resolve_conflict` is applied; other
//!   decisions join the conflict record as events.
//! - **Approvals** name the recommendation op they approve; when the claim's
//!   recommendation at that point of the fold is another op, the approval is
//!   not applied and is recorded as refused (superseded) for that claim.
//!
//! No I/O: the store, the server and the tests all call the same code.

use std::cmp::Ordering;

use claimdesk_core::workflow::{Priority, Recommendation};
use claimdesk_core::{Category, ClaimStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The total order of ops: clock stamp, then device id, then op id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OpKey {
    pub hlc: i64,
    pub device: String,
    pub op_id: String,
}

/// One op as the fold reads it (a [`crate::protocol::WireOp`] or a row of the store's log).
#[derive(Debug, Clone, PartialEq)]
pub struct FoldOp {
    pub op_id: String,
    pub hlc: i64,
    pub device: String,
    pub user: String,
    /// `claim.take`, `claim.add_note`, ...
    pub kind: String,
    pub payload: Value,
    pub base: Option<i64>,
    pub at_ms: i64,
}

impl FoldOp {
    pub fn key(&self) -> OpKey {
        OpKey { hlc: self.hlc, device: self.device.clone(), op_id: self.op_id.clone() }
    }

    fn cmp_key(&self, other: &FoldOp) -> Ordering {
        (self.hlc, &self.device, &self.op_id).cmp(&(other.hlc, &other.device, &other.op_id))
    }
}

impl From<&crate::protocol::WireOp> for FoldOp {
    fn from(w: &crate::protocol::WireOp) -> FoldOp {
        FoldOp {
            op_id: w.op_id.clone(),
            hlc: w.hlc,
            device: w.device.clone(),
            user: w.user.clone(),
            kind: w.kind.clone(),
            payload: w.payload.clone(),
            base: w.base,
            at_ms: w.at_ms,
        }
    }
}

/// A note, info request or answer, or return comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteEntry {
    pub op_id: String,
    pub author: String,
    /// note | info_request | info_received | return_comment
    pub kind: String,
    pub body: String,
    pub at_ms: i64,
    /// The op that withdrew it.
    pub hidden_by: Option<String>,
}

/// Evidence metadata (the file itself travels separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceEntry {
    pub op_id: String,
    pub sha256: String,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub added_by: String,
    pub at_ms: i64,
}

/// Two or more decisions made on the same base with different outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictRecord {
    /// The decision count the colliding ops were made on.
    pub base: i64,
    /// The colliding decisions, in key order: the one applied first, then the others.
    pub ops: Vec<String>,
    /// Decisions that arrived while the claim was in conflict (not applied).
    pub joined: Vec<String>,
    /// The `resolve_conflict` op that settled it.
    pub resolved_by: Option<String>,
}

/// An op the fold did not apply to the claim, and why (superseded approvals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedOp {
    pub op_id: String,
    pub user: String,
    pub code: String,
    pub reason: String,
}

/// What a decision leads to; two decisions on the same base collide when these differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub to: ClaimStatus,
    pub assignee: Option<String>,
    /// The recommended decision (as JSON), for recommendations.
    pub decision: Option<Value>,
    /// The batch, for batch moves.
    pub batch: Option<String>,
}

/// A decision that was applied, at the count it was applied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedDecision {
    pub op_id: String,
    pub outcome: Outcome,
}

/// The reviewable state of one claim (the intake fields stay in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimState {
    pub status: ClaimStatus,
    pub assignee: Option<String>,
    pub recommendation: Option<Recommendation>,
    pub is_override: bool,
    pub batch_id: Option<String>,
    pub category: Category,
    pub filed_category: Category,
    pub priority: Priority,
    pub tags: Vec<String>,
    pub duplicate_of: Option<String>,
    pub lease_holder: Option<String>,
    /// Bumped by every op that changes the reviewable state (the UI's staleness token).
    pub version: i64,
    /// Decisions applied so far: the `base` of the next decision.
    pub decisions: i64,
    /// The applied decisions, index = the count they were applied on.
    pub history: Vec<AppliedDecision>,
    pub notes: Vec<NoteEntry>,
    pub evidence: Vec<EvidenceEntry>,
    pub conflicts: Vec<ConflictRecord>,
    pub refused: Vec<RefusedOp>,
    /// Decisions that met an identical decision on the same base (parallel updates).
    pub parallel: Vec<String>,
    /// The key of the last op folded in.
    pub last_key: Option<OpKey>,
}

impl ClaimState {
    /// A claim as imported: new, unheld, filed under `category`.
    pub fn imported(category: Category) -> ClaimState {
        ClaimState {
            status: ClaimStatus::New,
            assignee: None,
            recommendation: None,
            is_override: false,
            batch_id: None,
            category,
            filed_category: category,
            priority: Priority::Normal,
            tags: Vec::new(),
            duplicate_of: None,
            lease_holder: None,
            version: 1,
            decisions: 0,
            history: Vec::new(),
            notes: Vec::new(),
            evidence: Vec::new(),
            conflicts: Vec::new(),
            refused: Vec::new(),
            parallel: Vec::new(),
            last_key: None,
        }
    }

    /// Whether `op` sorts after every op folded so far (so [`step`] may apply it incrementally).
    pub fn accepts_next(&self, op: &FoldOp) -> bool {
        match &self.last_key {
            None => true,
            Some(k) => (op.hlc, &op.device, &op.op_id) > (k.hlc, &k.device, &k.op_id),
        }
    }

    /// The conflict the claim is in, if any.
    pub fn open_conflict(&self) -> Option<&ConflictRecord> {
        self.conflicts.iter().find(|c| c.resolved_by.is_none())
    }
}

/// The claim commands that are decisions: they move status, holder,
/// recommendation or batch. Triage is one only when it moves the status.
pub fn is_decision(kind: &str, payload: &Value) -> bool {
    match kind.strip_prefix("claim.").unwrap_or(kind) {
        "take" | "release" | "request_info" | "info_received" | "recommend" | "add_to_batch" | "remove_from_batch"
        | "return_to_reviewer" | "approve" | "mark_paid" | "resolve_conflict" => true,
        "triage" => {
            let from = payload.get("from").and_then(Value::as_str);
            let to = payload.get("to").and_then(Value::as_str);
            from.is_some() && from != to
        }
        _ => false,
    }
}

/// Whether an op of this kind bumps the claim's version (the same set as the local path).
pub fn bumps_version(kind: &str) -> bool {
    matches!(
        kind.strip_prefix("claim.").unwrap_or(kind),
        "triage" | "take" | "release" | "request_info" | "info_received" | "recommend" | "annotate" | "add_to_batch"
            | "remove_from_batch" | "return_to_reviewer" | "approve" | "mark_paid" | "resolve_conflict" | "update"
    )
}

/// Folds `ops` (any order; sorted here by key) onto `state`.
pub fn fold(mut state: ClaimState, ops: &mut [FoldOp]) -> ClaimState {
    ops.sort_by(FoldOp::cmp_key);
    for op in ops.iter() {
        step(&mut state, op);
    }
    state
}

fn text(payload: &Value, field: &str) -> Option<String> {
    payload.get(field).and_then(Value::as_str).map(str::to_string)
}

/// The op named by an approval: `recommendation_op`, or `recommendation` in older payloads.
pub fn approved_recommendation(payload: &Value) -> Option<String> {
    text(payload, "recommendation_op").or_else(|| text(payload, "recommendation"))
}

fn outcome_of(kind: &str, op: &FoldOp, state: &ClaimState) -> Outcome {
    let p = &op.payload;
    let to = text(p, "to").and_then(|t| t.parse().ok()).unwrap_or(state.status);
    let assignee = match p.get("assignee") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) => None,
        _ => state.assignee.clone(),
    };
    // The recommended decision itself, not who made it or when.
    let decision = if kind == "recommend" { p.get("decision").cloned() } else { None };
    let batch = if kind == "add_to_batch" { text(p, "batch_id") } else { None };
    Outcome { to, assignee, decision, batch }
}

/// Folds one op into the state. Ops must come in key order (see [`ClaimState::accepts_next`]).
pub fn step(state: &mut ClaimState, op: &FoldOp) {
    let kind = op.kind.strip_prefix("claim.").unwrap_or(&op.kind);
    let p = &op.payload;
    state.last_key = Some(op.key());
    if bumps_version(kind) {
        state.version += 1;
    }
    // Scalar fields: set what the op mentions (the op with the greatest key wins).
    match kind {
        "triage" | "annotate" => {
            if kind == "triage" {
                if let Some(c) = text(p, "category").and_then(|c| Category::parse(&c)) {
                    state.category = c;
                }
                match p.get("duplicate_of") {
                    Some(Value::String(d)) => state.duplicate_of = Some(d.clone()),
                    Some(Value::Null) if p.get("duplicate_cleared").and_then(Value::as_bool) == Some(true) => {
                        state.duplicate_of = None
                    }
                    _ => {}
                }
            }
            if let Some(pr) = text(p, "priority").and_then(|t| Priority::parse(&t)) {
                state.priority = pr;
            }
            if let Some(tags) = p.get("tags").and_then(Value::as_array) {
                state.tags = tags.iter().filter_map(Value::as_str).map(str::to_string).collect();
            }
        }
        "lease" => state.lease_holder = text(p, "holder"),
        "release_lease" => {
            // Only the holder's release clears the lease.
            if state.lease_holder.as_deref() == Some(op.user.as_str()) {
                state.lease_holder = None;
            }
        }
        "update" => {
            if let Some(c) = p.get("claim").and_then(|c| c.get("category")).and_then(Value::as_str).and_then(Category::parse) {
                if state.category == state.filed_category {
                    state.category = c;
                }
                state.filed_category = c;
            }
        }
        _ => {}
    }
    // Append-only entries.
    let note = |state: &mut ClaimState, note_kind: &str, body: Option<String>| {
        if let Some(body) = body.filter(|b| !b.is_empty()) {
            if !state.notes.iter().any(|n| n.op_id == op.op_id) {
                state.notes.push(NoteEntry {
                    op_id: op.op_id.clone(),
                    author: op.user.clone(),
                    kind: note_kind.to_string(),
                    body,
                    at_ms: op.at_ms,
                    hidden_by: None,
                });
            }
        }
    };
    match kind {
        "add_note" => match text(p, "withdraws") {
            Some(target) => {
                if let Some(n) = state.notes.iter_mut().find(|n| n.op_id == target && n.hidden_by.is_none()) {
                    n.hidden_by = Some(op.op_id.clone());
                }
            }
            None => note(state, "note", text(p, "body")),
        },
        "request_info" => note(state, "info_request", text(p, "message")),
        "info_received" => note(state, "info_received", text(p, "note")),
        "return_to_reviewer" => note(state, "return_comment", text(p, "comment")),
        "resolve_conflict" => note(state, "note", text(p, "note")),
        "add_evidence" => {
            if !state.evidence.iter().any(|e| e.op_id == op.op_id) {
                state.evidence.push(EvidenceEntry {
                    op_id: op.op_id.clone(),
                    sha256: text(p, "sha256").unwrap_or_default(),
                    file_name: text(p, "file_name").unwrap_or_default(),
                    mime: text(p, "mime").unwrap_or_default(),
                    size: p.get("size").and_then(Value::as_i64).unwrap_or(0),
                    added_by: op.user.clone(),
                    at_ms: op.at_ms,
                });
            }
        }
        _ => {}
    }
    if is_decision(kind, p) {
        decide_event(state, kind, op);
    }
}

fn decide_event(state: &mut ClaimState, kind: &str, op: &FoldOp) {
    // A conflict stays until a supervisor resolves it; other decisions join it.
    if let Some(index) = state.conflicts.iter().position(|c| c.resolved_by.is_none()) {
        let base = op.base.unwrap_or(state.decisions).max(0);
        if kind == "resolve_conflict" {
            state.conflicts[index].resolved_by = Some(op.op_id.clone());
            let outcome = outcome_of(kind, op, state);
            apply_outcome(state, kind, op, outcome);
        } else if base == state.conflicts[index].base && base < state.decisions {
            // Another decision on the colliding base: same group, unless it agrees with the first.
            let outcome = outcome_of(kind, op, state);
            if state.history[base as usize].outcome == outcome {
                state.parallel.push(op.op_id.clone());
            } else if !state.conflicts[index].ops.contains(&op.op_id) {
                state.conflicts[index].ops.push(op.op_id.clone());
            }
        } else if !state.conflicts[index].joined.contains(&op.op_id) {
            state.conflicts[index].joined.push(op.op_id.clone());
        }
        return;
    }
    if kind == "approve" {
        let named = approved_recommendation(&op.payload);
        let current = state.recommendation.as_ref().map(|r| r.op_id.clone());
        if named.is_none() || named != current {
            if !state.refused.iter().any(|r| r.op_id == op.op_id) {
                state.refused.push(RefusedOp {
                    op_id: op.op_id.clone(),
                    user: op.user.clone(),
                    code: "RECOMMENDATION_SUPERSEDED".into(),
                    reason: "the recommendation this approval names was superseded before the approval arrived; review the claim again".into(),
                });
            }
            return;
        }
    }
    let outcome = outcome_of(kind, op, state);
    let base = op.base.unwrap_or(state.decisions).max(0);
    if base < state.decisions {
        let earlier = &state.history[base as usize];
        if earlier.outcome == outcome {
            state.parallel.push(op.op_id.clone());
            return;
        }
        let earlier_op = earlier.op_id.clone();
        match state.conflicts.iter_mut().find(|c| c.base == base) {
            Some(c) => {
                // The same divergent group: one record, reopened.
                if !c.ops.contains(&op.op_id) {
                    c.ops.push(op.op_id.clone());
                }
                c.resolved_by = None;
            }
            None => state.conflicts.push(ConflictRecord {
                base,
                ops: vec![earlier_op, op.op_id.clone()],
                joined: Vec::new(),
                resolved_by: None,
            }),
        }
        state.status = ClaimStatus::Conflict;
        return;
    }
    apply_outcome(state, kind, op, outcome);
}

fn apply_outcome(state: &mut ClaimState, kind: &str, op: &FoldOp, outcome: Outcome) {
    let p = &op.payload;
    match kind {
        "recommend" => {
            if let Ok(rec) = serde_json::from_value::<Recommendation>(p.clone()) {
                state.is_override = rec.is_override;
                state.recommendation = Some(rec);
            }
        }
        "add_to_batch" => state.batch_id = outcome.batch.clone(),
        "remove_from_batch" | "return_to_reviewer" => state.batch_id = None,
        _ => {}
    }
    state.status = outcome.to;
    state.assignee = outcome.assignee.clone();
    state.history.push(AppliedDecision { op_id: op.op_id.clone(), outcome });
    state.decisions += 1;
}

#[cfg(test)]
mod tests;
