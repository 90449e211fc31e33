//! The check of one pushed op: shape, author, clock, and the author's role
//! exactly as the desktop checks it — each op kind maps to the core's
//! [`ClaimCommand`] or [`AdminAction`] and the answer is the core's
//! [`decide`] / [`may`]. Pure: the push handler loads what it needs (the
//! session, the latest recommendation of the claims in the page) and asks.
//!
//! What the server cannot know is left to the merge (fold) on every
//! replica: the claim's status and holder at the moment the op was made
//! offline. What does not depend on that is checked here: role,
//! maker-checker, approval limit, superseded recommendations, the content of
//! a recommendation.

use std::collections::HashMap;

use claimdesk_core::model::Actor;
use claimdesk_core::workflow::{
    decide, may, AdminAction, ClaimCommand, ClaimView, Decision, PolicyProposal, Recommendation, Refusal,
};
use claimdesk_core::{ClaimStatus, Remedy};
use claimdesk_sync::fold::approved_recommendation;
use claimdesk_sync::protocol::WireOp;
use serde_json::Value;

/// Why an op is not stored: a stable code and a sentence for its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub code: String,
    pub reason: String,
}

impl Reject {
    fn new(code: &str, reason: impl Into<String>) -> Reject {
        Reject { code: code.to_string(), reason: reason.into() }
    }
}

impl From<Refusal> for Reject {
    fn from(r: Refusal) -> Reject {
        let code = match &r {
            Refusal::RoleNotAllowed { .. } => "forbidden",
            Refusal::OwnRecommendation => "maker_checker",
            Refusal::OverApprovalLimit { .. } => "over_approval_limit",
            Refusal::RecommendationSuperseded => "superseded",
            Refusal::OverrideNeedsJustification => "override_needs_justification",
            Refusal::WrongState { .. } => "wrong_state",
            Refusal::HeldByOther { .. } => "held_by_other",
            Refusal::Invalid(_) => "invalid",
        };
        Reject { code: code.to_string(), reason: r.to_string() }
    }
}

/// The latest recommendation of a claim as the server keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecInfo {
    pub op_id: String,
    pub hlc: i64,
    pub device: String,
    pub author: String,
    pub decision: Value,
}

impl RecInfo {
    fn key(&self) -> (i64, &str, &str) {
        (self.hlc, &self.device, &self.op_id)
    }

    fn recommendation(&self) -> Option<Recommendation> {
        let decision: Decision = serde_json::from_value(self.decision.clone()).ok()?;
        Some(Recommendation { op_id: self.op_id.clone(), by: self.author.clone(), decision, is_override: false, justification: None })
    }
}

/// What a kind of op is, for the rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Claim(ClaimCommand),
    Admin(AdminAction),
    /// Open to every role (leases: advice, never a lock).
    Open,
    /// user.*: desktops do not change users.
    ServerManaged,
}

fn text(p: &Value, field: &str) -> String {
    p.get(field).and_then(Value::as_str).filter(|s| !s.trim().is_empty()).unwrap_or("-").to_string()
}

/// Maps an op kind (and its payload) to the rule that governs it.
pub fn rule_of(kind: &str, p: &Value) -> Result<Rule, Reject> {
    let (family, action) = kind.split_once('.').unwrap_or((kind, ""));
    let cmd = match (family, action) {
        ("claim", "import" | "update") => return Ok(Rule::Admin(AdminAction::ImportIntake)),
        ("claim", "lease" | "release_lease") => return Ok(Rule::Open),
        ("claim", "triage") => ClaimCommand::Triage,
        ("claim", "take") => ClaimCommand::Take,
        ("claim", "release") => ClaimCommand::Release,
        ("claim", "request_info") => ClaimCommand::RequestInfo { message: text(p, "message") },
        ("claim", "info_received") => ClaimCommand::InfoReceived,
        ("claim", "recommend") => {
            let decision: Decision = p
                .get("decision")
                .cloned()
                .and_then(|d| serde_json::from_value(d).ok())
                .ok_or_else(|| Reject::new("invalid", "the recommendation carries no readable decision (approve with remedy and amount, or deny with a reason)"))?;
            let justification = p.get("justification").and_then(Value::as_str).map(str::to_string);
            ClaimCommand::Recommend { decision, justification }
        }
        ("claim", "add_note") => ClaimCommand::AddNote,
        ("claim", "annotate") => ClaimCommand::Annotate,
        ("claim", "add_evidence") => ClaimCommand::AddEvidence,
        ("claim", "reveal_personal_data") => ClaimCommand::RevealPersonalData,
        ("claim", "add_to_batch") => ClaimCommand::AddToBatch { batch_id: text(p, "batch_id") },
        ("claim", "remove_from_batch") => ClaimCommand::RemoveFromBatch,
        ("claim", "return_to_reviewer") => ClaimCommand::ReturnToReviewer { comment: text(p, "comment") },
        ("claim", "approve") => ClaimCommand::Approve {
            recommendation_op: approved_recommendation(p)
                .ok_or_else(|| Reject::new("invalid", "an approval must name the recommendation it approves"))?,
        },
        ("claim", "mark_paid") => ClaimCommand::MarkPaid,
        ("claim", "resolve_conflict") => {
            let to = p
                .get("to")
                .and_then(Value::as_str)
                .and_then(ClaimStatus::parse)
                .ok_or_else(|| Reject::new("invalid", "a conflict resolution must name the state the claim goes to"))?;
            ClaimCommand::ResolveConflict { to }
        }
        ("batch", _) => return Ok(Rule::Admin(AdminAction::CreateBatch)),
        ("policy", "activate") => return Ok(Rule::Admin(AdminAction::ActivatePolicy)),
        ("policy", _) => return Ok(Rule::Admin(AdminAction::EditPolicy)),
        ("catalog", _) => return Ok(Rule::Admin(AdminAction::EditCatalog)),
        ("payout", _) => return Ok(Rule::Admin(AdminAction::ExportPayout)),
        ("user", _) => return Ok(Rule::ServerManaged),
        _ => {
            return Err(Reject::new("unknown_kind", format!("the server does not know the kind of change '{kind}'; update the server")))
        }
    };
    Ok(Rule::Claim(cmd))
}

/// The checks of one push: who pushes, the clock, and the latest
/// recommendation of each claim in the page (updated as the page goes).
pub struct Checker<'a> {
    pub actor: &'a Actor,
    pub now_ms: i64,
    pub max_clock_ahead_ms: u64,
    pub recs: &'a mut HashMap<String, RecInfo>,
}

const MAX_ID: usize = 200;

impl Checker<'_> {
    /// Checks one op; on success, an accepted recommendation becomes the
    /// claim's latest when it sorts after the one known.
    pub fn check(&mut self, op: &WireOp) -> Result<(), Reject> {
        self.shape(op)?;
        if op.user != self.actor.user {
            return Err(Reject::new(
                "wrong_author",
                format!("this change was made by '{}', but the device is signed in as '{}'; a device only sends its own user's changes", op.user, self.actor.user),
            ));
        }
        if op.device != self.actor.device {
            return Err(Reject::new(
                "wrong_device",
                format!("this change was made on device '{}', but the token belongs to device '{}'", op.device, self.actor.device),
            ));
        }
        let millis = (op.hlc as u64) >> 16;
        let limit = (self.now_ms.max(0) as u64).saturating_add(self.max_clock_ahead_ms);
        if millis > limit {
            return Err(Reject::new(
                "clock_ahead",
                format!(
                    "this change is stamped {} s ahead of the server's clock (the limit is {} s); correct the device's clock and sync again",
                    (millis - self.now_ms.max(0) as u64) / 1000,
                    self.max_clock_ahead_ms / 1000
                ),
            ));
        }
        match rule_of(&op.kind, &op.payload)? {
            Rule::Open => Ok(()),
            Rule::ServerManaged => Err(Reject::new(
                "users_managed_on_server",
                "users are managed on the server; an administrator changes users with claimdesk-server user ...",
            )),
            Rule::Admin(action) => may(self.actor.role, action).map_err(Reject::from),
            Rule::Claim(cmd) => self.claim(op, &cmd),
        }
    }

    fn shape(&self, op: &WireOp) -> Result<(), Reject> {
        let bad = |why: String| Err(Reject::new("bad_op", why));
        if uuid::Uuid::parse_str(&op.op_id).is_err() {
            return bad(format!("the op id '{}' is not a UUID", op.op_id.chars().take(60).collect::<String>()));
        }
        for (name, value) in [("user", &op.user), ("device", &op.device), ("entity", &op.entity), ("kind", &op.kind)] {
            if value.trim().is_empty() || value.len() > MAX_ID {
                return bad(format!("the op's {name} must be 1 to {MAX_ID} characters"));
            }
        }
        if !op.payload.is_object() {
            return bad("the op's payload must be a JSON object".into());
        }
        if op.hlc <= 0 {
            return bad("the op's clock stamp must be positive".into());
        }
        if op.kind.starts_with("claim.") && !op.entity.starts_with("claim:") {
            return bad(format!("a {} change must be about a claim (entity claim:...), not '{}'", op.kind, op.entity));
        }
        Ok(())
    }

    fn claim(&mut self, op: &WireOp, cmd: &ClaimCommand) -> Result<(), Reject> {
        let actor = self.actor;
        // The role is the core's first check, and the only one that does not
        // depend on the claim's state when the op was made offline.
        let any_state = ClaimView { status: ClaimStatus::New, assignee: None, recommendation: None, batch_id: None, proposal: None };
        if let Err(r @ Refusal::RoleNotAllowed { .. }) = decide(actor, &any_state, cmd) {
            return Err(r.into());
        }
        let rec = self.recs.get(&op.entity).and_then(RecInfo::recommendation);
        match cmd {
            ClaimCommand::Approve { .. } => {
                // The claim as the approval sees it: batched, carrying its latest recommendation.
                if rec.is_none() {
                    return Err(Reject::new(
                        "unknown_recommendation",
                        "the recommendation this approval names is not on the server; sync the reviewer's device, then approve again",
                    ));
                }
                let view = ClaimView { status: ClaimStatus::Batched, assignee: None, recommendation: rec, batch_id: None, proposal: None };
                decide(actor, &view, cmd).map(|_| ()).map_err(Reject::from)
            }
            ClaimCommand::ResolveConflict { .. } => {
                let view = ClaimView {
                    status: ClaimStatus::Conflict,
                    assignee: Some(actor.user.clone()),
                    recommendation: rec,
                    batch_id: None,
                    proposal: None,
                };
                match decide(actor, &view, cmd) {
                    Err(r @ (Refusal::RoleNotAllowed { .. } | Refusal::OwnRecommendation)) => Err(r.into()),
                    _ => Ok(()),
                }
            }
            ClaimCommand::Recommend { decision, .. } => {
                // In review, held by the author, with a policy proposal equal to the
                // decision: what remains is the core's check of the decision itself.
                let proposal = match decision {
                    Decision::Approve { remedy, amount, extension_days } => {
                        PolicyProposal { eligible: true, remedy: *remedy, amount: *amount, extension_days: *extension_days }
                    }
                    Decision::Deny { .. } => {
                        PolicyProposal { eligible: false, remedy: Remedy::None, amount: Default::default(), extension_days: 0 }
                    }
                };
                let view = ClaimView {
                    status: ClaimStatus::InReview,
                    assignee: Some(actor.user.clone()),
                    recommendation: None,
                    batch_id: None,
                    proposal: Some(proposal),
                };
                decide(actor, &view, cmd).map_err(Reject::from)?;
                let is_override = op.payload.get("is_override").and_then(Value::as_bool) == Some(true);
                let justified = op.payload.get("justification").and_then(Value::as_str).is_some_and(|j| !j.trim().is_empty());
                if is_override && !justified {
                    return Err(Refusal::OverrideNeedsJustification.into());
                }
                let candidate = RecInfo {
                    op_id: op.op_id.clone(),
                    hlc: op.hlc,
                    device: op.device.clone(),
                    author: op.user.clone(),
                    decision: op.payload.get("decision").cloned().unwrap_or(Value::Null),
                };
                let newer = self.recs.get(&op.entity).is_none_or(|known| candidate.key() > known.key());
                if newer {
                    self.recs.insert(op.entity.clone(), candidate);
                }
                Ok(())
            }
            // Everything else: the role (checked above) is all that does not
            // depend on the claim's state; the merge decides the rest.
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
