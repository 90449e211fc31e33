//! The merge rules of sync.md as a pure fold that *decides*: a claim's state
//! is `fold(import state, its ops sorted by key)`, where an op's key is
//! `(hlc, device, op_id)`. Every op is a [`ClaimCommand`] (what the person
//! did) with the envelope it came in (author, device, the [`Stamp`] of the
//! author's role, approval limit and, for a recommendation, the policy's
//! result, as the server recorded them). Each op is decided again here with
//! the core's [`decide`], against the state folded so far; what it results
//! in (status, holder, take-over, the recommendation's author and op id, the
//! override flag, the payout reservation) comes from that decision, never
//! from the op. Every replica that holds the same set of ops folds them to
//! the same state, whatever order they arrived in, and it equals the local
//! path, which folds its own ops the same way.
//!
//! - **The state an op is decided against** is the state its author saw:
//!   `base` is the claim's *decision count* when the op was made. With
//!   `base` = the current count (or none, or a count that does not exist
//!   yet) that is the current state; with an older one, it is the state
//!   after `base` decisions, kept in [`ClaimState::history`].
//! - **Refused**: an op the rules refuse changes nothing, and is kept,
//!   visible, with its reason ([`ClaimState::refused`]).
//! - **Scalar fields** (category correction, priority, tags, duplicate mark,
//!   lease holder): ops are processed in key order and each sets the fields
//!   it mentions, so per field the op with the greatest key wins.
//! - **Notes, info requests and answers, return comments, evidence**:
//!   append-only by op id; a withdrawal hides a note, nothing is removed.
//! - **Decisions** (commands that may move status, holder, recommendation,
//!   batch or reservation; triage when it moves the status) on the current
//!   count are applied and raise the count. A decision on an older count met
//!   a decision its author did not see: if both lead to the same outcome it
//!   is a *parallel update* (kept, nothing to do); otherwise it is a
//!   *conflict*: both are kept, the claim goes to `conflict`, and one
//!   conflict record per (claim, base) lists the ops side by side. While in
//!   conflict only `resolve_conflict` is applied; other decisions join the
//!   conflict record.
//!
//! No I/O: the store, the server and the tests all call the same code.

use std::cmp::Ordering;

use chrono::NaiveDate;
use claimdesk_core::message::Lang;
use claimdesk_core::ops::{Op, OpError, Stamp};
use claimdesk_core::workflow::{
    decide, ClaimCommand, ClaimView, Decision, OpenRequest, Priority, Recommendation, Refusal, Transition,
    NOT_CURED,
};
use claimdesk_core::{
    Actor, Category, ClaimInput, ClaimStatus, LetterKind, NoteKind, NoticeChannel, ReportType,
};
use serde::{Deserialize, Serialize};

/// The total order of ops: clock stamp, then device id, then op id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OpKey {
    pub hlc: i64,
    pub device: String,
    pub op_id: String,
}

/// One claim op as the fold reads it: the command and its envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldOp {
    pub op_id: String,
    pub hlc: i64,
    pub device: String,
    pub user: String,
    pub cmd: ClaimCommand,
    pub base: Option<i64>,
    pub at_ms: i64,
    pub stamp: Stamp,
}

impl FoldOp {
    pub fn key(&self) -> OpKey {
        OpKey { hlc: self.hlc, device: self.device.clone(), op_id: self.op_id.clone() }
    }

    fn cmp_key(&self, other: &FoldOp) -> Ordering {
        (self.hlc, &self.device, &self.op_id).cmp(&(other.hlc, &other.device, &other.op_id))
    }

    /// The author as the rules see them: the op's user with the role and
    /// limit of its stamp.
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user.clone(),
            role: self.stamp.role,
            approval_limit: self.stamp.approval_limit_won(),
            device: self.device.clone(),
        }
    }

    /// Reads a claim op from its wire form: `Ok(None)` for the claim's import
    /// (the fold's starting point, not a step) and for ops not about one claim.
    pub fn from_wire(op: &crate::protocol::WireOp, stamp: Stamp) -> Result<Option<FoldOp>, OpError> {
        match Op::decode(&op.kind, &op.payload)? {
            Op::Claim(cmd) => Ok(Some(FoldOp::of_wire(op, cmd, stamp))),
            _ => Ok(None),
        }
    }

    /// The command `cmd`, already read from the wire op `op`, in `op`'s envelope.
    pub fn of_wire(op: &crate::protocol::WireOp, cmd: ClaimCommand, stamp: Stamp) -> FoldOp {
        FoldOp {
            op_id: op.op_id.clone(),
            hlc: op.hlc,
            device: op.device.clone(),
            user: op.user.clone(),
            cmd,
            base: op.base,
            at_ms: op.at_ms,
            stamp,
        }
    }
}

/// A note, info request or answer, or return comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteEntry {
    pub op_id: String,
    pub author: String,
    pub kind: NoteKind,
    pub body: String,
    /// The reason code it cites (an info request's deficiency, a closure's reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub at_ms: i64,
    /// The op that withdrew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_by: Option<String>,
}

/// A decision notice the claimant was sent (`claim.notify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeEntry {
    pub op_id: String,
    /// Who sent it.
    pub by: String,
    /// What it told: decided by the fold from the claim's status the op was made on.
    pub kind: LetterKind,
    /// The decision count it was made on (the notice covers the decision the claim had then).
    pub base: i64,
    pub channels: Vec<NoticeChannel>,
    pub lang: Lang,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resend: bool,
    pub at_ms: i64,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joined: Vec<String>,
    /// The `resolve_conflict` op that settled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
}

/// An op the rules refused for this claim, and why (the core's code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedOp {
    pub op_id: String,
    pub user: String,
    pub code: String,
    /// English.
    pub reason: String,
    /// The same in the reader's language (states folded before it existed have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<claimdesk_core::message::Message>,
}

/// What a decision leads to; two decisions on the same base collide when these differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub to: ClaimStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The recommended decision, for recommendations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// The batch, for batch moves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    /// The payout reservation after the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_for: Option<String>,
    /// Who made it (dual control).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_by: Option<String>,
}

/// The part of a claim's state that the rules look at, as it was before a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub status: ClaimStatus,
    pub assignee: Option<String>,
    pub recommendation: Option<Recommendation>,
    pub batch_id: Option<String>,
    #[serde(default)]
    pub reserved_for: Option<String>,
    #[serde(default)]
    pub reserved_by: Option<String>,
    /// The report type (a scalar field: the claim's current one).
    #[serde(default)]
    pub report_type: ReportType,
    /// Whether the notice this state owes was sent ([`ClaimState::notified_after`]).
    #[serde(default)]
    pub notified: bool,
    /// The request for information the claim waits for (needs_info).
    #[serde(default)]
    pub request: Option<OpenRequest>,
    /// Requests for information applied so far.
    #[serde(default)]
    pub requests: u32,
}

impl DecisionView {
    /// The view as [`decide`] takes it, with what the op was stamped with
    /// (the policy's result and the catalog entry its reason code names)
    /// and the day it was made on.
    pub fn claim_view(&self, stamp: Option<&Stamp>, as_of: Option<NaiveDate>) -> ClaimView {
        ClaimView {
            status: self.status,
            assignee: self.assignee.clone(),
            recommendation: self.recommendation.clone(),
            batch_id: self.batch_id.clone(),
            proposal: stamp.and_then(|s| s.proposal.clone()),
            reserved_for: self.reserved_for.clone(),
            reserved_by: self.reserved_by.clone(),
            report_type: self.report_type,
            cited: stamp.and_then(|s| s.cited.clone()),
            notified: self.notified,
            request: self.request,
            requests: self.requests,
            as_of,
        }
    }
}

/// A request for information that was applied (`claim.request_info`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEntry {
    pub op_id: String,
    /// The decision count it was applied on (it is decision `at`).
    pub at: i64,
    /// The day (KST) of its clock stamp.
    pub requested_on: NaiveDate,
    /// The due date it gave, or its day + the cure window its deficiency
    /// was cited under (the default window for a stamp without one).
    pub due_on: NaiveDate,
}

/// A decision that was applied, at the count it was applied on. The state
/// before decision `k` is what decisions `0..k` left (see
/// [`ClaimState::view_at`]), so it is not kept twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedDecision {
    pub op_id: String,
    pub outcome: Outcome,
    /// The recommendation a recommend decision made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
}

/// What the fold did with one op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Applied to the claim.
    Applied,
    /// The same decision as one already applied on its base: nothing to do.
    Parallel,
    /// A different decision on a base that already had one: the claim is in conflict.
    Conflict,
    /// A decision that arrived while the claim was in conflict (not applied).
    Joined,
    /// The rules refused it: nothing changed. `reason` is English, `explain` says it in either language.
    Refused { code: String, reason: String, explain: claimdesk_core::message::Message },
}

/// The reviewable state of one claim (the intake fields stay in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimState {
    pub status: ClaimStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_override: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_for: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_by: Option<String>,
    pub category: Category,
    pub filed_category: Category,
    pub priority: Priority,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_holder: Option<String>,
    /// What the report is: from intake, changed by `set_report_type` (last writer wins).
    #[serde(default, skip_serializing_if = "is_damage_claim")]
    pub report_type: ReportType,
    /// The type the intake row gave (a change in triage survives a new intake row).
    #[serde(default, skip_serializing_if = "is_damage_claim")]
    pub filed_report_type: ReportType,
    /// The intake row as the latest applied intake update left it (None: as imported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake: Option<Box<ClaimInput>>,
    /// Bumped by every op that changes the reviewable state (the UI's staleness token).
    pub version: i64,
    /// Decisions applied so far: the `base` of the next decision.
    pub decisions: i64,
    /// The applied decisions, index = the count they were applied on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<AppliedDecision>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceEntry>,
    /// Decision notices sent, in fold order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<NoticeEntry>,
    /// Requests for information applied, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<RequestEntry>,
    /// The documents of the policy's checklist ticked as received (codes, sorted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// The expiry that closed the claim as not cured, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<ConflictRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedOp>,
    /// Decisions that met an identical decision on the same base (parallel updates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parallel: Vec<String>,
    /// The key of the last op folded in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
            reserved_for: None,
            reserved_by: None,
            category,
            filed_category: category,
            priority: Priority::Normal,
            tags: Vec::new(),
            duplicate_of: None,
            lease_holder: None,
            report_type: ReportType::DamageClaim,
            filed_report_type: ReportType::DamageClaim,
            intake: None,
            version: 1,
            decisions: 0,
            history: Vec::new(),
            notes: Vec::new(),
            evidence: Vec::new(),
            notices: Vec::new(),
            requests: Vec::new(),
            documents: Vec::new(),
            expired_by: None,
            conflicts: Vec::new(),
            refused: Vec::new(),
            parallel: Vec::new(),
            last_key: None,
        }
    }

    /// A claim as imported from `input` (its category and report type).
    pub fn of_import(input: &ClaimInput) -> ClaimState {
        ClaimState::imported(input.category).with_report_type(input.report_type())
    }

    /// The same state filed as `report_type` (the import's).
    pub fn with_report_type(mut self, report_type: ReportType) -> ClaimState {
        self.report_type = report_type;
        self.filed_report_type = report_type;
        self
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

    /// What the rules look at now.
    pub fn view(&self) -> DecisionView {
        DecisionView {
            status: self.status,
            assignee: self.assignee.clone(),
            recommendation: self.recommendation.clone(),
            batch_id: self.batch_id.clone(),
            reserved_for: self.reserved_for.clone(),
            reserved_by: self.reserved_by.clone(),
            report_type: self.report_type,
            notified: self.notified_after(self.history.len()),
            request: self.request_after(self.history.len()),
            requests: self.requests_before(self.history.len()),
        }
    }

    /// Requests for information among the first `k` decisions.
    fn requests_before(&self, k: usize) -> u32 {
        self.requests.iter().filter(|r| (r.at as usize) < k).count() as u32
    }

    /// The request the claim waited for after `k` decisions: the latest one
    /// among them, while the claim is in needs_info.
    fn request_after(&self, k: usize) -> Option<OpenRequest> {
        if self.status_after(k) != ClaimStatus::NeedsInfo {
            return None;
        }
        self.requests
            .iter()
            .rev()
            .find(|r| (r.at as usize) < k)
            .map(|r| OpenRequest { requested_on: r.requested_on, due_on: r.due_on })
    }

    /// The request for information the claim waits for now (needs_info), with its due date.
    pub fn open_request(&self) -> Option<&RequestEntry> {
        (self.status == ClaimStatus::NeedsInfo).then(|| self.requests.last()).flatten()
    }

    /// The status after `k` decisions.
    fn status_after(&self, k: usize) -> ClaimStatus {
        match k.checked_sub(1).and_then(|i| self.history.get(i)) {
            None => ClaimStatus::New,
            Some(d) => d.outcome.to,
        }
    }

    /// Whether the notice the claim owed after `k` decisions had been sent
    /// by then: a notice of that kind made on a base since the claim entered
    /// a status of the kind (approved then paid owe one approval notice; a
    /// second request for information after an answer owes a new one).
    pub fn notified_after(&self, k: usize) -> bool {
        let k = k.min(self.history.len());
        let Some(kind) = LetterKind::of_status(self.status_after(k)) else { return false };
        let mut entered = k;
        while entered > 0 && LetterKind::of_status(self.status_after(entered - 1)) == Some(kind) {
            entered -= 1;
        }
        let covered = entered as i64..=k as i64;
        self.notices.iter().any(|n| n.kind == kind && covered.contains(&n.base))
    }

    /// The notice the claim owes now and has not been sent, if any.
    pub fn notice_due(&self) -> Option<LetterKind> {
        LetterKind::of_status(self.status).filter(|_| !self.notified_after(self.history.len()))
    }

    /// Whether the claimant was told of the decision the claim is in now
    /// (false while nothing is decided: the claims row's `notified`).
    pub fn notified(&self) -> bool {
        LetterKind::of_status(self.status).is_some() && self.notice_due().is_none()
    }

    /// The decision count `op` was made on: its `base`, or the current count
    /// when it names none or one the claim has not reached (nobody saw that).
    fn base_of(&self, op: &FoldOp) -> i64 {
        op.base.unwrap_or(self.decisions).clamp(0, self.decisions)
    }

    /// What the author of an op made on `base` decisions saw: the state
    /// after that many decisions. For the current count that is the current
    /// state, except that a conflict raised since is not something its author
    /// saw (their decision joins the conflict rather than being refused for
    /// it); a resolution is decided against the conflict itself.
    pub fn view_at(&self, base: i64, cmd: &ClaimCommand) -> DecisionView {
        if let Some(k) = usize::try_from(base).ok().filter(|b| *b < self.history.len()) {
            return DecisionView { report_type: self.report_type, ..self.before(k) };
        }
        let mut view = self.view();
        if self.status == ClaimStatus::Conflict && !matches!(cmd, ClaimCommand::ResolveConflict { .. }) {
            // Status moves only by applied decisions; before the conflict it was the last one's.
            view.status = self.history.last().map(|h| h.outcome.to).unwrap_or(ClaimStatus::New);
        }
        view
    }

    /// The state decision `k` was decided against: what decisions `0..k` left.
    pub fn before(&self, k: usize) -> DecisionView {
        let done = &self.history[..k.min(self.history.len())];
        match done.last() {
            None => DecisionView {
                status: ClaimStatus::New,
                assignee: None,
                recommendation: None,
                batch_id: None,
                reserved_for: None,
                reserved_by: None,
                report_type: self.report_type,
                notified: false,
                request: None,
                requests: 0,
            },
            Some(last) => DecisionView {
                status: last.outcome.to,
                assignee: last.outcome.assignee.clone(),
                recommendation: done.iter().rev().find_map(|d| d.recommendation.clone()),
                batch_id: last.outcome.batch.clone(),
                reserved_for: last.outcome.reserved_for.clone(),
                reserved_by: last.outcome.reserved_by.clone(),
                report_type: self.report_type,
                notified: self.notified_after(done.len()),
                request: self.request_after(done.len()),
                requests: self.requests_before(done.len()),
            },
        }
    }

    /// How the fold treated `op_id`, if it was folded in.
    pub fn verdict_of(&self, op_id: &str) -> Verdict {
        if let Some(r) = self.refused.iter().find(|r| r.op_id == op_id) {
            let explain = r.explain.clone().unwrap_or_else(|| generic_explain(&r.code, &r.reason));
            return Verdict::Refused { code: r.code.clone(), reason: r.reason.clone(), explain };
        }
        if self.parallel.iter().any(|p| p == op_id) {
            return Verdict::Parallel;
        }
        for c in &self.conflicts {
            if c.joined.iter().any(|j| j == op_id) {
                return Verdict::Joined;
            }
            if c.ops.iter().skip(1).any(|o| o == op_id) {
                return Verdict::Conflict;
            }
        }
        Verdict::Applied
    }
}

fn is_damage_claim(t: &ReportType) -> bool {
    t.is_damage()
}

/// Whether an op of this command bumps the claim's version (when decided).
fn bumps_version(cmd: &ClaimCommand) -> bool {
    !matches!(
        cmd,
        ClaimCommand::AddNote { .. }
            | ClaimCommand::WithdrawNote { .. }
            | ClaimCommand::AddEvidence { .. }
            | ClaimCommand::RevealPersonalData { .. }
            | ClaimCommand::Lease
            | ClaimCommand::ReleaseLease
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

/// Tags trimmed, without empties or repeats, in a stable order.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}

fn outcome_of(cmd: &ClaimCommand, t: &Transition, before: &DecisionView) -> Outcome {
    let decision = match cmd {
        // Grants in a stable order: the same grants listed in another order are the same decision.
        ClaimCommand::Recommend { decision, .. } => Some(decision.canonical()),
        _ => None,
    };
    let batch = match cmd {
        ClaimCommand::AddToBatch { batch_id } => Some(batch_id.clone()),
        ClaimCommand::RemoveFromBatch | ClaimCommand::ReturnToReviewer { .. } => None,
        _ => before.batch_id.clone(),
    };
    Outcome {
        to: t.to,
        assignee: t.assignee.clone(),
        decision,
        batch,
        reserved_for: t.reserved_for.clone(),
        reserved_by: t.reserved_by.clone(),
    }
}

fn refuse(state: &mut ClaimState, op: &FoldOp, refusal: &Refusal) -> Verdict {
    use claimdesk_core::message::Explain;
    refuse_explained(state, op, refusal.code(), refusal.to_string(), refusal.message())
}

fn refuse_with(state: &mut ClaimState, op: &FoldOp, code: &str, reason: String) -> Verdict {
    let explain = generic_explain(code, &reason);
    refuse_explained(state, op, code, reason, explain)
}

/// A code's own message, with the English sentence as its detail.
fn generic_explain(code: &str, reason: &str) -> claimdesk_core::message::Message {
    claimdesk_core::message::for_code(code).with("detail", reason)
}

fn refuse_explained(
    state: &mut ClaimState,
    op: &FoldOp,
    code: &str,
    reason: String,
    explain: claimdesk_core::message::Message,
) -> Verdict {
    if !state.refused.iter().any(|r| r.op_id == op.op_id) {
        state.refused.push(RefusedOp {
            op_id: op.op_id.clone(),
            user: op.user.clone(),
            code: code.to_string(),
            reason: reason.clone(),
            explain: Some(explain.clone()),
        });
    }
    Verdict::Refused { code: code.to_string(), reason, explain }
}

/// Folds one op into the state and says what it did. Ops must come in key
/// order (see [`ClaimState::accepts_next`]).
pub fn step(state: &mut ClaimState, op: &FoldOp) -> Verdict {
    state.last_key = Some(op.key());
    let base = state.base_of(op);
    let seen = state.view_at(base, &op.cmd);
    let actor = op.actor();
    let as_of = claimdesk_core::time::kst_day_of_hlc(op.hlc);
    let transition = match decide(&actor, &seen.claim_view(Some(&op.stamp), as_of), &op.cmd) {
        Ok(t) => t,
        Err(refusal) => return refuse(state, op, &refusal),
    };
    // Rules that need more of the claim than the decision view.
    match &op.cmd {
        ClaimCommand::WithdrawNote { note_op } => match state.notes.iter().find(|n| n.op_id == *note_op) {
            None => {
                return refuse_with(
                    state,
                    op,
                    "NOT_FOUND",
                    format!("the note {note_op} is not on this claim"),
                );
            }
            Some(n) if n.author != op.user => return refuse(state, op, &Refusal::NotNoteAuthor),
            Some(_) => {}
        },
        ClaimCommand::Triage { duplicate_of: Some(d), .. } if d.trim().is_empty() => {
            return refuse(state, op, &Refusal::Invalid(claimdesk_core::msg!("invalid.duplicate_unnamed")));
        }
        _ => {}
    }
    let is_decision = op.cmd.is_decision_kind() || transition.moves(&seen.claim_view(None, None));

    if let Some(index) = state.conflicts.iter().position(|c| c.resolved_by.is_none()) {
        // A conflict stays until a supervisor resolves it; other decisions join it.
        if let ClaimCommand::ResolveConflict { .. } = op.cmd {
            state.conflicts[index].resolved_by = Some(op.op_id.clone());
        } else if is_decision {
            let conflict_base = state.conflicts[index].base;
            if base == conflict_base && base < state.decisions {
                // Another decision on the colliding base: same group, unless it agrees with the first.
                if state.history[base as usize].outcome == outcome_of(&op.cmd, &transition, &seen) {
                    state.parallel.push(op.op_id.clone());
                    record(state, op);
                    return Verdict::Parallel;
                }
                if !state.conflicts[index].ops.contains(&op.op_id) {
                    state.conflicts[index].ops.push(op.op_id.clone());
                }
                record(state, op);
                return Verdict::Conflict;
            }
            if !state.conflicts[index].joined.contains(&op.op_id) {
                state.conflicts[index].joined.push(op.op_id.clone());
            }
            record(state, op);
            return Verdict::Joined;
        }
    } else if is_decision && base < state.decisions {
        // A decision its author made without seeing the ones since `base`.
        let outcome = outcome_of(&op.cmd, &transition, &seen);
        let earlier = &state.history[base as usize];
        if earlier.outcome == outcome {
            state.parallel.push(op.op_id.clone());
            record(state, op);
            return Verdict::Parallel;
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
        record(state, op);
        return Verdict::Conflict;
    }

    if bumps_version(&op.cmd) {
        state.version += 1;
    }
    record(state, op);
    if is_decision {
        let outcome = outcome_of(&op.cmd, &transition, &seen);
        let mut recommendation = None;
        if let ClaimCommand::Recommend { decision, justification } = &op.cmd {
            let made = Recommendation {
                op_id: op.op_id.clone(),
                by: op.user.clone(),
                decision: decision.clone(),
                is_override: transition.is_override,
                justification: justification.clone().filter(|j| !j.trim().is_empty()),
            };
            state.is_override = transition.is_override;
            state.recommendation = Some(made.clone());
            recommendation = Some(made);
        }
        state.batch_id = outcome.batch.clone();
        state.status = transition.to;
        state.assignee = transition.assignee.clone();
        state.reserved_for = transition.reserved_for.clone();
        state.reserved_by = transition.reserved_by.clone();
        match &op.cmd {
            ClaimCommand::RequestInfo { due_on, .. } => {
                if let Some(requested_on) = as_of {
                    let window = op.stamp.cited.as_ref().and_then(|c| c.cure).unwrap_or_default();
                    state.requests.push(RequestEntry {
                        op_id: op.op_id.clone(),
                        at: state.decisions,
                        requested_on,
                        due_on: due_on.unwrap_or_else(|| window.due_from(requested_on)),
                    });
                }
            }
            ClaimCommand::Expire { .. } => state.expired_by = Some(op.op_id.clone()),
            _ => {}
        }
        state.history.push(AppliedDecision { op_id: op.op_id.clone(), outcome, recommendation });
        state.decisions += 1;
    }
    Verdict::Applied
}

/// What a decided op records beside the decision: scalar fields (last writer
/// wins, as ops come in key order) and append-only entries.
fn record(state: &mut ClaimState, op: &FoldOp) {
    let coded = |state: &mut ClaimState, kind: NoteKind, body: &str, code: Option<&String>| {
        let body = body.trim();
        if (!body.is_empty() || code.is_some()) && !state.notes.iter().any(|n| n.op_id == op.op_id) {
            state.notes.push(NoteEntry {
                op_id: op.op_id.clone(),
                author: op.user.clone(),
                kind,
                body: body.to_string(),
                code: code.cloned(),
                at_ms: op.at_ms,
                hidden_by: None,
            });
        }
    };
    let note = |state: &mut ClaimState, kind: NoteKind, body: &str| coded(state, kind, body, None);
    match &op.cmd {
        ClaimCommand::Triage { category, priority, tags, duplicate_of, duplicate_cleared } => {
            if let Some(c) = category {
                state.category = *c;
            }
            if let Some(p) = priority {
                state.priority = *p;
            }
            if let Some(t) = tags {
                state.tags = normalize_tags(t);
            }
            if let Some(d) = duplicate_of {
                state.duplicate_of = Some(d.clone());
            } else if *duplicate_cleared {
                state.duplicate_of = None;
            }
        }
        ClaimCommand::Annotate { priority, tags } => {
            if let Some(p) = priority {
                state.priority = *p;
            }
            if let Some(t) = tags {
                state.tags = normalize_tags(t);
            }
        }
        ClaimCommand::UpdateIntake { claim, .. } => {
            // A correction of the category in triage survives a new intake row.
            if state.category == state.filed_category {
                state.category = claim.category;
            }
            state.filed_category = claim.category;
            // So does a report type set in triage.
            if state.report_type == state.filed_report_type {
                state.report_type = claim.report_type();
            }
            state.filed_report_type = claim.report_type();
            state.intake = Some(claim.clone());
        }
        ClaimCommand::Lease => state.lease_holder = Some(op.user.clone()),
        // Only the holder's release clears the lease.
        ClaimCommand::ReleaseLease => {
            if state.lease_holder.as_deref() == Some(op.user.as_str()) {
                state.lease_holder = None;
            }
        }
        ClaimCommand::AddNote { body } => note(state, NoteKind::Note, body),
        ClaimCommand::WithdrawNote { note_op } => {
            if let Some(n) = state.notes.iter_mut().find(|n| n.op_id == *note_op && n.hidden_by.is_none()) {
                n.hidden_by = Some(op.op_id.clone());
            }
        }
        ClaimCommand::RequestInfo { code, message, .. } => {
            coded(state, NoteKind::InfoRequest, message, code.as_ref())
        }
        ClaimCommand::Expire { note: text } => {
            coded(state, NoteKind::Expiry, text, Some(&NOT_CURED.to_string()))
        }
        ClaimCommand::CheckDocument { document, received } => {
            if *received {
                if let Err(at) = state.documents.binary_search(document) {
                    state.documents.insert(at, document.clone());
                }
            } else if let Ok(at) = state.documents.binary_search(document) {
                state.documents.remove(at);
            }
        }
        ClaimCommand::CloseNoDamage { reply, note: text } => {
            coded(state, NoteKind::Closure, text, Some(reply))
        }
        ClaimCommand::SetReportType { report_type } => state.report_type = *report_type,
        ClaimCommand::Reopen => state.report_type = ReportType::DamageClaim,
        ClaimCommand::InfoReceived { note: text } => note(state, NoteKind::InfoReceived, text),
        ClaimCommand::ReturnToReviewer { comment } => note(state, NoteKind::ReturnComment, comment),
        ClaimCommand::ResolveConflict { note: text, .. } => note(state, NoteKind::Note, text),
        ClaimCommand::Notify { channels, lang, resend } => {
            let base = state.base_of(op);
            let kind = LetterKind::of_status(state.view_at(base, &op.cmd).status);
            if let Some(kind) = kind.filter(|_| !state.notices.iter().any(|n| n.op_id == op.op_id)) {
                state.notices.push(NoticeEntry {
                    op_id: op.op_id.clone(),
                    by: op.user.clone(),
                    kind,
                    base,
                    channels: channels.clone(),
                    lang: *lang,
                    resend: *resend,
                    at_ms: op.at_ms,
                });
            }
        }
        ClaimCommand::AddEvidence { sha256, file_name, mime, size } => {
            if !state.evidence.iter().any(|e| e.op_id == op.op_id) {
                state.evidence.push(EvidenceEntry {
                    op_id: op.op_id.clone(),
                    sha256: sha256.clone(),
                    file_name: file_name.clone(),
                    mime: mime.clone(),
                    size: *size,
                    added_by: op.user.clone(),
                    at_ms: op.at_ms,
                });
            }
        }
        ClaimCommand::Take
        | ClaimCommand::Release
        | ClaimCommand::Recommend { .. }
        | ClaimCommand::RevealPersonalData { .. }
        | ClaimCommand::AddToBatch { .. }
        | ClaimCommand::RemoveFromBatch
        | ClaimCommand::Approve { .. }
        | ClaimCommand::ReservePayout { .. }
        | ClaimCommand::ReleasePayout { .. }
        | ClaimCommand::MarkPaid { .. }
        | ClaimCommand::ReserveFulfilment { .. }
        | ClaimCommand::ReleaseFulfilment { .. }
        | ClaimCommand::MarkFulfilled { .. } => {}
    }
}

/// What `op` would lead to if decided on the state after `base` decisions
/// (for showing the two sides of a conflict); None when the rules refuse it.
pub fn outcome_at(state: &ClaimState, op: &FoldOp, base: i64) -> Option<Outcome> {
    let seen = state.view_at(base, &op.cmd);
    let as_of = claimdesk_core::time::kst_day_of_hlc(op.hlc);
    let t = decide(&op.actor(), &seen.claim_view(Some(&op.stamp), as_of), &op.cmd).ok()?;
    Some(outcome_of(&op.cmd, &t, &seen))
}

/// Folds `ops` and says, for each op in key order, what the fold did with it.
pub fn fold_with_verdicts(mut state: ClaimState, ops: &mut [FoldOp]) -> (ClaimState, Vec<(String, Verdict)>) {
    ops.sort_by(FoldOp::cmp_key);
    let mut verdicts = Vec::with_capacity(ops.len());
    for op in ops.iter() {
        let v = step(&mut state, op);
        verdicts.push((op.op_id.clone(), v));
    }
    (state, verdicts)
}

/// Whether an op moves money or what stands for it: an approval, a payout
/// or fulfilment reservation or release, a payment, a fulfilment. Once such
/// an op is accepted, the server refuses a late op that would change what
/// happened to it (sync.md: never paid twice, never fulfilled twice).
pub fn moves_money(cmd: &ClaimCommand) -> bool {
    matches!(
        cmd,
        ClaimCommand::Approve { .. }
            | ClaimCommand::ReservePayout { .. }
            | ClaimCommand::ReleasePayout { .. }
            | ClaimCommand::MarkPaid { .. }
            | ClaimCommand::ReserveFulfilment { .. }
            | ClaimCommand::ReleaseFulfilment { .. }
            | ClaimCommand::MarkFulfilled { .. }
    )
}

#[cfg(test)]
mod tests;
