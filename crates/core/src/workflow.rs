//! The rules of domain.md: which role may do what to a claim in which state,
//! maker-checker, approval limits, overrides and take-overs. Pure: the store
//! asks [`decide`] before every change and records what it answers; the UI
//! asks [`allowed_actions`] to know which buttons to offer.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{Actor, ClaimStatus, Remedy, Role};

/// Triage priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn code(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
    pub fn parse(text: &str) -> Option<Priority> {
        [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent]
            .into_iter()
            .find(|p| p.code().eq_ignore_ascii_case(text.trim()))
    }
}

/// What a reviewer proposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Approve with a remedy and an amount (won) or extension days.
    Approve { remedy: Remedy, amount: Decimal, extension_days: u32 },
    /// Deny with a reason a claimant can be told.
    Deny { reason: String },
}

/// The recommendation a claim carries once recommended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The op that recorded it: an approval names this (sync.md, approvals).
    pub op_id: String,
    pub by: String,
    pub decision: Decision,
    /// True when the decision differs from the policy's result.
    pub is_override: bool,
    pub justification: Option<String>,
}

/// What the policy proposed for the claim, as last evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyProposal {
    pub eligible: bool,
    pub remedy: Remedy,
    pub amount: Decimal,
    pub extension_days: u32,
}

/// The state of a claim as the rules need to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    pub status: ClaimStatus,
    /// Who holds the claim (took it), if anyone.
    pub assignee: Option<String>,
    pub recommendation: Option<Recommendation>,
    pub batch_id: Option<String>,
    pub proposal: Option<PolicyProposal>,
}

/// Everything a person can do to one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ClaimCommand {
    /// Sets category, priority, tags or duplicate mark; new/triaged → triaged.
    Triage,
    /// Assigns the claim to the actor; triaged → in_review. Taking a claim
    /// another person holds is a take-over and is recorded as one.
    Take,
    /// Gives a held claim back to the queue: in_review → triaged.
    Release,
    RequestInfo { message: String },
    InfoReceived,
    Recommend { decision: Decision, justification: Option<String> },
    AddNote,
    /// Changes tags or priority without changing status.
    Annotate,
    AddEvidence,
    RevealPersonalData,
    /// Supervisor: recommended → batched.
    AddToBatch { batch_id: String },
    /// Supervisor: batched → recommended.
    RemoveFromBatch,
    /// Supervisor: batched or recommended → in_review, back to its reviewer, with a comment.
    ReturnToReviewer { comment: String },
    /// Supervisor: batched → approved (approve decisions) or closed_denied (deny decisions).
    /// Names the recommendation it approves.
    Approve { recommendation_op: String },
    /// Admin: approved cash claim → paid, when a payout export is confirmed.
    MarkPaid,
    /// Supervisor: conflict → the chosen state.
    ResolveConflict { to: ClaimStatus },
}

/// The stable name of a command, for allowed-action lists and audit entries.
pub fn command_kind(cmd: &ClaimCommand) -> &'static str {
    match cmd {
        ClaimCommand::Triage => "triage",
        ClaimCommand::Take => "take",
        ClaimCommand::Release => "release",
        ClaimCommand::RequestInfo { .. } => "request_info",
        ClaimCommand::InfoReceived => "info_received",
        ClaimCommand::Recommend { .. } => "recommend",
        ClaimCommand::AddNote => "add_note",
        ClaimCommand::Annotate => "annotate",
        ClaimCommand::AddEvidence => "add_evidence",
        ClaimCommand::RevealPersonalData => "reveal_personal_data",
        ClaimCommand::AddToBatch { .. } => "add_to_batch",
        ClaimCommand::RemoveFromBatch => "remove_from_batch",
        ClaimCommand::ReturnToReviewer { .. } => "return_to_reviewer",
        ClaimCommand::Approve { .. } => "approve",
        ClaimCommand::MarkPaid => "mark_paid",
        ClaimCommand::ResolveConflict { .. } => "resolve_conflict",
    }
}

/// What a permitted command does to the claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The status after the command (the same status when it does not move).
    pub to: ClaimStatus,
    /// The holder after the command.
    pub assignee: Option<String>,
    /// Set when the command took the claim from another holder.
    pub taken_over_from: Option<String>,
    /// For Recommend: whether it is an override of the policy.
    pub is_override: bool,
}

/// Why a command is refused. `code()` is stable for the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Refusal {
    #[error("a {role} may not {action}")]
    RoleNotAllowed { role: Role, action: String },
    #[error("cannot {action} a claim that is {status}")]
    WrongState { action: String, status: ClaimStatus },
    #[error("this claim is held by {holder}; take it over first (the take-over is recorded)")]
    HeldByOther { holder: String },
    #[error("you recommended this claim yourself; another supervisor must approve it (maker-checker)")]
    OwnRecommendation,
    #[error("the amount {amount} won is above your approval limit of {limit} won")]
    OverApprovalLimit { amount: Decimal, limit: Decimal },
    #[error("the recommendation differs from the policy's result; write a justification for the override")]
    OverrideNeedsJustification,
    #[error("the recommendation this approval names was superseded; review the claim again")]
    RecommendationSuperseded,
    #[error("{0}")]
    Invalid(String),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::RoleNotAllowed { .. } => "ROLE_NOT_ALLOWED",
            Refusal::WrongState { .. } => "WRONG_STATE",
            Refusal::HeldByOther { .. } => "HELD_BY_OTHER",
            Refusal::OwnRecommendation => "MAKER_CHECKER",
            Refusal::OverApprovalLimit { .. } => "OVER_APPROVAL_LIMIT",
            Refusal::OverrideNeedsJustification => "OVERRIDE_NEEDS_JUSTIFICATION",
            Refusal::RecommendationSuperseded => "RECOMMENDATION_SUPERSEDED",
            Refusal::Invalid(_) => "INVALID",
        }
    }
}

/// Decides whether `actor` may apply `cmd` to `claim`, and what it does.
pub fn decide(actor: &Actor, claim: &ClaimView, cmd: &ClaimCommand) -> Result<Transition, Refusal> {
    let _ = (actor, claim, cmd);
    todo!("workflow rules")
}

/// The commands (by kind) the actor could apply to the claim now, for the UI.
pub fn allowed_actions(actor: &Actor, claim: &ClaimView) -> Vec<&'static str> {
    let _ = (actor, claim);
    todo!("allowed actions")
}

/// Actions that are not about one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminAction {
    ManageUsers,
    EditCatalog,
    ImportIntake,
    ExportPayout,
    CreateBatch,
    EditPolicy,
    ActivatePolicy,
    ViewAudit,
}

/// Whether a role may perform an action that is not about one claim.
pub fn may(role: Role, action: AdminAction) -> Result<(), Refusal> {
    let _ = (role, action);
    todo!("admin action rules")
}
