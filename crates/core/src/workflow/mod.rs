//! The rules of domain.md: which role may do what to a claim in which state,
//! maker-checker, approval limits, overrides and take-overs. Pure: the store
//! asks [`decide`] before every change and records what it answers; the UI
//! asks [`allowed_actions`] to know which buttons to offer.
//!
//! | command | who | from → to | holder |
//! | --- | --- | --- | --- |
//! | add_note, withdraw_note, add_evidence, reveal_personal_data, lease, release_lease | all | any → same | any |
//! | annotate | all | any but paid/closed_denied → same | reviewers: not on a claim another holds |
//! | triage | all | new, triaged → triaged; in_review, needs_info → same | if held, the holder; in review, the holder only |
//! | take | all | new, triaged → in_review; in_review, needs_info → same | anyone: another's claim is a take-over (recorded); your own in review is refused |
//! | release | all | in_review → triaged, unheld | the holder |
//! | request_info (deficiency code, message, due date, another) | all | in_review → needs_info; one per claim, another only by a supervisor | the holder |
//! | info_received | all | needs_info → in_review | the holder |
//! | recommend | all | in_review → recommended | the holder; override needs a justification; a denial cites a denial code |
//! | set_report_type | all | new, triaged, in_review, needs_info → same | if held, the holder (in review: the holder) |
//! | close_no_damage (closure code, note) | all | new, triaged, in_review, needs_info → closed_no_damage, unheld; never a damage claim | if held, the holder |
//! | reopen | supervisor, admin | closed_no_damage → triaged, unheld, as a damage claim | any |
//! | check_document (document, received) | all | new, triaged, in_review, needs_info → same | reviewers: not on a claim another holds |
//! | expire (note) | supervisor, admin | needs_info → closed_denied, unheld, citing NOT_CURED; only after the due date | any |
//! | notify (channels, language, resend) | supervisor, admin | approved, paid, closed_denied, closed_no_damage, needs_info → same; once per decision, a resend by a supervisor | any |
//! | update (intake) | admin | any but batched/approved/paid/closed_denied → same | any |
//! | add_to_batch (batch id) | supervisor, admin | recommended → batched | any |
//! | remove_from_batch | supervisor, admin | batched → recommended | any |
//! | return_to_reviewer (comment) | supervisor, admin | recommended, batched → in_review, held by the recommender | any |
//! | approve (recommendation op) | supervisor, admin | batched → approved / closed_denied (deny) | any; names the current recommendation, not one's own, within one's limit |
//! | reserve_payout (payout) | admin | approved (cash, unreserved) → same, reserved | any |
//! | release_payout (payout) | admin | approved, reserved for it → same, unreserved | any |
//! | mark_paid (payout) | admin | approved (cash, reserved for that payout) → paid | any |
//! | resolve_conflict (to) | supervisor, admin | conflict → triaged, in_review, needs_info, recommended, closed_denied | any (see [`decide`]'s resolution rules) |
//!
//! Checks run in the order role, state, holder, content, then
//! supersession, maker-checker and limit; the first failure is the answer.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::grant::{self, Grant};
use crate::message::{for_code, won, Explain, Lang, Message};
use crate::model::{
    Actor, Category, ClaimAction, ClaimInput, ClaimStatus, LetterKind, NoticeChannel, PersonalField, Remedy,
    ReportType, Role,
};
use crate::policy::{CitedReason, ReasonKind};
use crate::{code_key, msg};

/// Triage priority.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Approve with a remedy and an amount (won) or extension days; with
    /// `grants`, every grant (the three fields are then their summary, as in
    /// a policy result: cash when any grant is cash, the cash total, the
    /// extension days). The amount is the cash an approval limit and a
    /// payout read.
    Approve {
        remedy: Remedy,
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        amount: Decimal,
        extension_days: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        grants: Vec<Grant>,
    },
    /// Deny, citing a denial reason of the policy's catalog (`code`), with
    /// free text beside it (`reason`, may be empty). A denial made before
    /// coded reasons has no code and its whole reason in `reason` (it still
    /// folds; a new one must cite a code: [`check_new`]).
    Deny {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        #[serde(default)]
        reason: String,
    },
}

/// The recommendation a claim carries once recommended.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

impl Decision {
    /// An approval in the single-remedy form (one grant).
    pub fn approve(remedy: Remedy, amount: Decimal, extension_days: u32) -> Decision {
        Decision::Approve { remedy, amount, extension_days, grants: Vec::new() }
    }

    /// The same decision with its grants in a stable order, so that two
    /// decisions of the same grants compare equal whatever order they were listed in.
    pub fn canonical(&self) -> Decision {
        let mut d = self.clone();
        if let Decision::Approve { grants, .. } = &mut d {
            grants.sort_by(|a, b| {
                (a.kind, a.amount.normalize(), a.quantity, &a.label).cmp(&(
                    b.kind,
                    b.amount.normalize(),
                    b.quantity,
                    &b.label,
                ))
            });
        }
        d
    }

    /// Every grant an approval gives (none for a denial).
    pub fn grants(&self) -> Vec<Grant> {
        match self {
            Decision::Approve { remedy, amount, extension_days, grants } => {
                grant::full(*remedy, *amount, *extension_days, grants)
            }
            Decision::Deny { .. } => Vec::new(),
        }
    }
}

/// What the policy proposed for the claim, as last evaluated (the server
/// stamps a recommendation with its own: sync.md, "Who decides").
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyProposal {
    pub eligible: bool,
    pub remedy: Remedy,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount: Decimal,
    pub extension_days: u32,
    /// Every grant when more than the one the fields above describe (as in [`crate::policy::Outcome`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
}

impl PolicyProposal {
    /// The proposal of a policy result.
    pub fn of(o: &crate::policy::Outcome) -> PolicyProposal {
        PolicyProposal {
            eligible: o.eligible,
            remedy: o.remedy,
            amount: o.amount,
            extension_days: o.extension_days,
            grants: o.grants.clone(),
        }
    }

    /// Every grant the policy proposes (none when ineligible).
    pub fn grants(&self) -> Vec<Grant> {
        if !self.eligible {
            return Vec::new();
        }
        grant::full(self.remedy, self.amount, self.extension_days, &self.grants)
    }
}

/// The state of a claim as the rules need to see it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    pub status: ClaimStatus,
    /// Who holds the claim (took it), if anyone.
    pub assignee: Option<String>,
    pub recommendation: Option<Recommendation>,
    pub batch_id: Option<String>,
    pub proposal: Option<PolicyProposal>,
    /// The payout this approved claim is reserved for (sync.md: never paid twice).
    #[serde(default)]
    pub reserved_for: Option<String>,
    /// Who reserved it (exported the file): dual control, they may not
    /// confirm it. None for a reservation recorded before it was kept.
    #[serde(default)]
    pub reserved_by: Option<String>,
    /// What the report is (a non-damage report is closed, never decided).
    #[serde(default)]
    pub report_type: ReportType,
    /// The catalog entry the command's reason code names in the policy in
    /// force, as whoever stamped the op found it (the sync server, or the
    /// author's desktop until then); None: not found (or nothing cited).
    #[serde(default)]
    pub cited: Option<CitedReason>,
    /// Whether the claimant has been sent the notice its current decision
    /// owes ([`LetterKind::of_status`]): a notice recorded since the claim
    /// entered a status of that kind.
    #[serde(default)]
    pub notified: bool,
    /// The latest request for information applied, while the claim waits
    /// for it (needs_info): its day and due date.
    #[serde(default)]
    pub request: Option<OpenRequest>,
    /// How many requests for information the claim has had (one deficiency
    /// notice per claim unless a supervisor asks for another).
    #[serde(default)]
    pub requests: u32,
    /// The day (KST) the command is made on: the op's clock stamp when
    /// folded, today when asked which actions are open. An expiry needs it.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub as_of: Option<NaiveDate>,
}

/// A request for information waiting for the claimant.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenRequest {
    /// The day (KST) it was made.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub requested_on: NaiveDate,
    /// Its due date: the one it gave, or its day + the cure window it was
    /// cited under (an extension of the window moves it later, never earlier:
    /// [`crate::policy::CureWindow::extended`]).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub due_on: NaiveDate,
}

/// Everything a person can do to one claim, with everything the action says
/// (its content). This is the payload of the `claim.<action>` ops: the store,
/// the merge on every desktop and the server rebuild it from an op and decide
/// it with [`decide`]; what the action *results in* (status, holder, whether a
/// recommendation is an override) is never read from an op, only decided.
/// Fields an older build does not know are kept in the op's payload as sent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ClaimCommand {
    /// Sets category, priority, tags or duplicate mark; new/triaged → triaged.
    Triage {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<Category>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<Priority>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tags: Option<Vec<String>>,
        /// Marks the claim a duplicate of another (by external id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duplicate_of: Option<String>,
        /// Clears the duplicate mark.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        duplicate_cleared: bool,
    },
    /// Assigns the claim to the actor; triaged → in_review. Taking a claim
    /// another person holds is a take-over and is recorded as one.
    Take,
    /// Gives a held claim back to the queue: in_review → triaged.
    Release,
    /// Asks the claimant for something (a deficiency): `code` cites a
    /// deficiency reason of the catalog, `message` is free text beside it.
    /// Requests made before coded reasons have no code (they still fold).
    /// `due_on`: a due date given instead of the policy's window (after the
    /// request's day, within a year). A claim gets one request; `another`
    /// is a supervisor's second (or later) one.
    RequestInfo {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        #[serde(default)]
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(type = "string | null"))]
        due_on: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        another: bool,
    },
    InfoReceived {
        /// What arrived, kept as a note (may be empty).
        #[serde(default)]
        note: String,
    },
    Recommend {
        decision: Decision,
        #[serde(default)]
        justification: Option<String>,
    },
    AddNote {
        body: String,
    },
    /// Hides one's own note (nothing is deleted).
    WithdrawNote {
        note_op: String,
    },
    /// Changes tags or priority without changing status.
    Annotate {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<Priority>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tags: Option<Vec<String>>,
    },
    /// Evidence metadata; the file itself is content-addressed by `sha256`.
    AddEvidence {
        sha256: String,
        file_name: String,
        #[serde(default)]
        mime: String,
        size: i64,
    },
    RevealPersonalData {
        field: PersonalField,
    },
    /// Admin: a changed intake row for a claim not yet decided (`claim.update`).
    #[serde(rename = "update")]
    UpdateIntake {
        claim: Box<ClaimInput>,
        /// The intake fields that changed (for people reading the history).
        #[serde(default)]
        fields: Vec<String>,
    },
    /// Takes the claim offline: the author becomes its lease holder (advice, never a lock).
    Lease,
    /// Gives the author's lease back.
    ReleaseLease,
    /// Supervisor: recommended → batched.
    AddToBatch {
        batch_id: String,
    },
    /// Supervisor: batched → recommended.
    RemoveFromBatch,
    /// Supervisor: batched or recommended → in_review, back to its reviewer, with a comment.
    ReturnToReviewer {
        comment: String,
    },
    /// Supervisor: batched → approved (approve decisions) or closed_denied (deny decisions).
    /// Names the recommendation it approves.
    Approve {
        recommendation_op: String,
    },
    /// Admin: reserves an approved cash claim for one payout. The server
    /// accepts one live reservation per claim team-wide, so a claim can be
    /// confirmed in one payout only.
    ReservePayout {
        payout_id: String,
    },
    /// Admin: the payout was cancelled; the claim may be reserved again.
    ReleasePayout {
        payout_id: String,
    },
    /// Admin: approved cash claim → paid, when the payout it is reserved for
    /// is confirmed; the reservation ends with it (a claim that is also given
    /// something else is then reserved for a fulfilment).
    MarkPaid {
        payout_id: String,
    },
    /// Admin: reserves a claim's non-cash grants (vouchers, extensions,
    /// points, credits, fee waivers) for one fulfilment: an approved claim
    /// given no cash, or a paid one given something beside its cash. One
    /// live reservation per claim team-wide, as for a payout.
    ReserveFulfilment {
        fulfilment_id: String,
    },
    /// Admin: the fulfilment was cancelled; the claim may be reserved again.
    ReleaseFulfilment {
        fulfilment_id: String,
    },
    /// Admin: approved (or paid) → fulfilled, when the fulfilment it is
    /// reserved for is confirmed. Final: nothing is fulfilled twice.
    MarkFulfilled {
        fulfilment_id: String,
    },
    /// Supervisor: conflict → the chosen state.
    ResolveConflict {
        to: ClaimStatus,
        #[serde(default)]
        note: String,
    },
    /// Sets what the report is (damage claim, inquiry, opinion, complaint)
    /// while it is open.
    SetReportType {
        report_type: ReportType,
    },
    /// Closes a non-damage report with a standard reply: `reply` cites a
    /// closure reason of the catalog, `note` is free text beside it.
    CloseNoDamage {
        reply: String,
        #[serde(default)]
        note: String,
    },
    /// Supervisor: a closed non-damage report is a damage claim after all:
    /// closed_no_damage → triaged, unheld, its report type a damage claim.
    Reopen,
    /// Supervisor: the claimant was sent the notice of the claim's decision
    /// (approval, denial, closure, request for information: which one
    /// follows from the status, [`LetterKind::of_status`]) by `channels`, in
    /// `lang`. Once per decision; `resend` sends it again on purpose.
    Notify {
        channels: Vec<NoticeChannel>,
        #[serde(default)]
        lang: crate::message::Lang,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resend: bool,
    },
    /// One of the documents the policy asks of the claim's category arrived
    /// (`received`), or the tick was a mistake (`received: false`).
    CheckDocument {
        document: String,
        #[serde(default = "yes")]
        received: bool,
    },
    /// Supervisor: the claimant did not answer the request for information
    /// by its due date: needs_info → closed_denied, citing `NOT_CURED` (the
    /// denial reason of the catalog), never before the due date has passed.
    Expire {
        #[serde(default)]
        note: String,
    },
}

fn yes() -> bool {
    true
}

/// The denial reason an expiry cites (the policy's reason catalog must have it).
pub const NOT_CURED: &str = "NOT_CURED";

impl ClaimCommand {
    /// The kind of action, without its content.
    pub fn action(&self) -> ClaimAction {
        match self {
            ClaimCommand::Triage { .. } => ClaimAction::Triage,
            ClaimCommand::Take => ClaimAction::Take,
            ClaimCommand::Release => ClaimAction::Release,
            ClaimCommand::RequestInfo { .. } => ClaimAction::RequestInfo,
            ClaimCommand::InfoReceived { .. } => ClaimAction::InfoReceived,
            ClaimCommand::Recommend { .. } => ClaimAction::Recommend,
            ClaimCommand::AddNote { .. } => ClaimAction::AddNote,
            ClaimCommand::WithdrawNote { .. } => ClaimAction::WithdrawNote,
            ClaimCommand::Annotate { .. } => ClaimAction::Annotate,
            ClaimCommand::AddEvidence { .. } => ClaimAction::AddEvidence,
            ClaimCommand::RevealPersonalData { .. } => ClaimAction::RevealPersonalData,
            ClaimCommand::UpdateIntake { .. } => ClaimAction::UpdateIntake,
            ClaimCommand::Lease => ClaimAction::Lease,
            ClaimCommand::ReleaseLease => ClaimAction::ReleaseLease,
            ClaimCommand::AddToBatch { .. } => ClaimAction::AddToBatch,
            ClaimCommand::RemoveFromBatch => ClaimAction::RemoveFromBatch,
            ClaimCommand::ReturnToReviewer { .. } => ClaimAction::ReturnToReviewer,
            ClaimCommand::Approve { .. } => ClaimAction::Approve,
            ClaimCommand::ReservePayout { .. } => ClaimAction::ReservePayout,
            ClaimCommand::ReleasePayout { .. } => ClaimAction::ReleasePayout,
            ClaimCommand::MarkPaid { .. } => ClaimAction::MarkPaid,
            ClaimCommand::ReserveFulfilment { .. } => ClaimAction::ReserveFulfilment,
            ClaimCommand::ReleaseFulfilment { .. } => ClaimAction::ReleaseFulfilment,
            ClaimCommand::MarkFulfilled { .. } => ClaimAction::MarkFulfilled,
            ClaimCommand::ResolveConflict { .. } => ClaimAction::ResolveConflict,
            ClaimCommand::SetReportType { .. } => ClaimAction::SetReportType,
            ClaimCommand::CloseNoDamage { .. } => ClaimAction::CloseNoDamage,
            ClaimCommand::Reopen => ClaimAction::Reopen,
            ClaimCommand::Notify { .. } => ClaimAction::Notify,
            ClaimCommand::CheckDocument { .. } => ClaimAction::CheckDocument,
            ClaimCommand::Expire { .. } => ClaimAction::Expire,
        }
    }

    /// The reason code the command cites and the kind of reason it must be
    /// (a denial, a request for information, a non-damage closure); None
    /// for commands that cite none, and for legacy ones without a code.
    pub fn citation(&self) -> Option<(ReasonKind, &str)> {
        match self {
            ClaimCommand::Recommend { decision: Decision::Deny { code: Some(code), .. }, .. } => {
                Some((ReasonKind::Denial, code))
            }
            ClaimCommand::RequestInfo { code: Some(code), .. } => Some((ReasonKind::Deficiency, code)),
            ClaimCommand::CloseNoDamage { reply, .. } => Some((ReasonKind::Closure, reply)),
            ClaimCommand::Expire { .. } => Some((ReasonKind::Denial, NOT_CURED)),
            _ => None,
        }
    }

    /// Whether deciding the command reads the day it is made on
    /// ([`ClaimView::as_of`]): an expiry, and a request that gives its own due date.
    pub fn reads_day(&self) -> bool {
        matches!(self, ClaimCommand::Expire { .. } | ClaimCommand::RequestInfo { due_on: Some(_), .. })
    }

    /// Whether the command is a *decision*: it may move status, holder,
    /// recommendation, batch or payout reservation, so two of them made on
    /// the same state by different people may collide (sync.md). Triage is
    /// one only when it moves the status ([`Transition::moves`]).
    pub fn is_decision_kind(&self) -> bool {
        match self.action() {
            ClaimAction::Take
            | ClaimAction::Release
            | ClaimAction::RequestInfo
            | ClaimAction::InfoReceived
            | ClaimAction::Recommend
            | ClaimAction::AddToBatch
            | ClaimAction::RemoveFromBatch
            | ClaimAction::ReturnToReviewer
            | ClaimAction::Approve
            | ClaimAction::ReservePayout
            | ClaimAction::ReleasePayout
            | ClaimAction::MarkPaid
            | ClaimAction::ReserveFulfilment
            | ClaimAction::ReleaseFulfilment
            | ClaimAction::MarkFulfilled
            | ClaimAction::ResolveConflict
            | ClaimAction::CloseNoDamage
            | ClaimAction::Reopen
            | ClaimAction::Expire => true,
            ClaimAction::Triage
            | ClaimAction::SetReportType
            | ClaimAction::AddNote
            | ClaimAction::WithdrawNote
            | ClaimAction::Annotate
            | ClaimAction::AddEvidence
            | ClaimAction::RevealPersonalData
            | ClaimAction::UpdateIntake
            | ClaimAction::Lease
            | ClaimAction::ReleaseLease
            | ClaimAction::Notify
            | ClaimAction::CheckDocument => false,
        }
    }
}

/// The stable name of a command, for allowed-action lists and audit entries.
pub fn command_kind(cmd: &ClaimCommand) -> &'static str {
    cmd.action().code()
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
    /// The payout reservation after the command.
    pub reserved_for: Option<String>,
    /// Who made that reservation.
    pub reserved_by: Option<String>,
}

impl Transition {
    /// Whether the command moves the claim's status or holder.
    pub fn moves(&self, before: &ClaimView) -> bool {
        self.to != before.status || self.assignee != before.assignee
    }
}

/// Why a command is refused. `code()` is stable for the UI; `message()` says
/// it in the reader's language (Display is its English text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// `action`: what was refused, a key of `may.*` (a claim action's or an [`AdminAction`]'s code).
    RoleNotAllowed {
        role: Role,
        action: String,
    },
    /// `action`: the claim action's code (`on.*` says it in a sentence).
    WrongState {
        action: String,
        status: ClaimStatus,
    },
    HeldByOther {
        holder: String,
    },
    OwnRecommendation,
    OverApprovalLimit {
        amount: Decimal,
        limit: Decimal,
    },
    OverrideNeedsJustification,
    RecommendationSuperseded,
    AlreadyReserved {
        payout_id: String,
    },
    NotReserved,
    /// Dual control: the admin who reserved the claim for a payout or
    /// fulfilment (exported its file) may not confirm it.
    OwnExport,
    NotNoteAuthor,
    /// The claimant was already sent the notice of this decision (a resend says so).
    AlreadyNotified,
    /// The request for information is not overdue: an expiry waits until the day after `due`.
    NotDue {
        due: NaiveDate,
    },
    /// The claim already had its request for information; another is a supervisor's.
    SecondRequest,
    /// The reason code is not a reason of this kind in the policy in force.
    UnknownReason {
        code: String,
        kind: ReasonKind,
    },
    /// A denial or a request for information made now must cite a reason code.
    ReasonRequired {
        kind: ReasonKind,
    },
    /// A damage claim is reviewed and decided; it cannot be closed as a non-damage report.
    DamageClaim,
    /// A command that cannot be carried out as written: what is wrong, as a message.
    Invalid(Message),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::RoleNotAllowed { .. } => code_key!("ROLE_NOT_ALLOWED"),
            Refusal::WrongState { .. } => code_key!("WRONG_STATE"),
            Refusal::HeldByOther { .. } => code_key!("HELD_BY_OTHER"),
            Refusal::OwnRecommendation => code_key!("MAKER_CHECKER"),
            Refusal::OverApprovalLimit { .. } => code_key!("OVER_APPROVAL_LIMIT"),
            Refusal::OverrideNeedsJustification => code_key!("OVERRIDE_NEEDS_JUSTIFICATION"),
            Refusal::RecommendationSuperseded => code_key!("RECOMMENDATION_SUPERSEDED"),
            Refusal::AlreadyReserved { .. } => code_key!("PAYOUT_RESERVED"),
            Refusal::NotReserved => code_key!("NOT_RESERVED"),
            Refusal::OwnExport => code_key!("DUAL_CONTROL"),
            Refusal::NotNoteAuthor => code_key!("NOT_NOTE_AUTHOR"),
            Refusal::AlreadyNotified => code_key!("ALREADY_NOTIFIED"),
            Refusal::NotDue { .. } => code_key!("NOT_DUE"),
            Refusal::SecondRequest => code_key!("SECOND_REQUEST"),
            Refusal::UnknownReason { .. } => code_key!("UNKNOWN_REASON"),
            Refusal::ReasonRequired { .. } => code_key!("REASON_REQUIRED"),
            Refusal::DamageClaim => code_key!("DAMAGE_CLAIM"),
            Refusal::Invalid(_) => code_key!("INVALID"),
        }
    }

    /// A refusal of a command that cannot be carried out as written.
    pub fn invalid(message: Message) -> Refusal {
        Refusal::Invalid(message)
    }
}

impl Explain for Refusal {
    fn message(&self) -> Message {
        let m = for_code(self.code());
        match self {
            Refusal::RoleNotAllowed { role, action } => m
                .with_label("role", format!("role.{}", role.code()))
                .with_label("action", format!("may.{action}")),
            Refusal::WrongState { action, status } => m
                .with_label("action", format!("on.{action}"))
                .with_label("status", format!("status.{}", status.code())),
            Refusal::HeldByOther { holder } => m.with("holder", holder),
            Refusal::OverApprovalLimit { amount, limit } => {
                m.with("amount", won(amount)).with("limit", won(limit))
            }
            Refusal::AlreadyReserved { payout_id } => m.with("payout_id", payout_id),
            Refusal::UnknownReason { code, kind } => {
                m.with("code", code).with_label("kind", format!("reasonKind.{}", kind.code()))
            }
            Refusal::ReasonRequired { kind } => m.with_label("kind", format!("reasonKind.{}", kind.code())),
            Refusal::NotDue { due } => m.with("due", due.format("%Y-%m-%d").to_string()),
            Refusal::Invalid(why) => why.clone(),
            Refusal::DamageClaim
            | Refusal::OwnRecommendation
            | Refusal::OverrideNeedsJustification
            | Refusal::RecommendationSuperseded
            | Refusal::NotReserved
            | Refusal::OwnExport
            | Refusal::NotNoteAuthor
            | Refusal::AlreadyNotified
            | Refusal::SecondRequest => m,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().render(Lang::En))
    }
}

impl std::error::Error for Refusal {}

/// The lowest role that may issue a command, and how to say it is refused.
/// Admins may do everything (domain.md: "nothing is hidden from an admin");
/// they stay bound by maker-checker, holding and their approval limit.
fn required_role(cmd: &ClaimCommand) -> Option<Role> {
    match cmd.action() {
        ClaimAction::AddToBatch => Some(Role::Supervisor),
        ClaimAction::RemoveFromBatch => Some(Role::Supervisor),
        ClaimAction::ReturnToReviewer => Some(Role::Supervisor),
        ClaimAction::Approve => Some(Role::Supervisor),
        ClaimAction::ResolveConflict => Some(Role::Supervisor),
        ClaimAction::Reopen => Some(Role::Supervisor),
        ClaimAction::Notify => Some(Role::Supervisor),
        ClaimAction::Expire => Some(Role::Supervisor),
        ClaimAction::UpdateIntake => Some(Role::Admin),
        ClaimAction::ReservePayout => Some(Role::Admin),
        ClaimAction::ReleasePayout => Some(Role::Admin),
        ClaimAction::MarkPaid => Some(Role::Admin),
        ClaimAction::ReserveFulfilment => Some(Role::Admin),
        ClaimAction::ReleaseFulfilment => Some(Role::Admin),
        ClaimAction::MarkFulfilled => Some(Role::Admin),
        ClaimAction::Triage
        | ClaimAction::Take
        | ClaimAction::Release
        | ClaimAction::RequestInfo
        | ClaimAction::InfoReceived
        | ClaimAction::Recommend
        | ClaimAction::AddNote
        | ClaimAction::WithdrawNote
        | ClaimAction::Annotate
        | ClaimAction::AddEvidence
        | ClaimAction::RevealPersonalData
        | ClaimAction::Lease
        | ClaimAction::ReleaseLease
        | ClaimAction::SetReportType
        | ClaimAction::CloseNoDamage
        | ClaimAction::CheckDocument => None,
    }
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Reviewer => 0,
        Role::Supervisor => 1,
        Role::Admin => 2,
    }
}

/// paid, fulfilled, closed_denied and closed_no_damage: nothing moves any
/// more, only notes, evidence and reveals (and a supervisor's reopening of a
/// closed non-damage report that turns out to be a damage claim, and the
/// fulfilment of what a paid claim is given beside its cash).
fn is_final(status: ClaimStatus) -> bool {
    matches!(
        status,
        ClaimStatus::Paid | ClaimStatus::Fulfilled | ClaimStatus::ClosedDenied | ClaimStatus::ClosedNoDamage
    )
}

/// The command cites a reason of `kind` that the policy in force has (as the op's stamp says).
fn check_cited(claim: &ClaimView, kind: ReasonKind, code: &str) -> Result<(), Refusal> {
    match &claim.cited {
        Some(c) if c.code == code && c.kind == kind => Ok(()),
        _ => Err(Refusal::UnknownReason { code: code.to_string(), kind }),
    }
}

/// What a command made *now* (in the app, on the command line, pushed to
/// the sync server) must say beyond what the fold accepts from ops made
/// before: a denial and a request for information cite a reason code.
/// Every entry point asks this before [`decide`]; the fold does not, so
/// denials and requests recorded before coded reasons still fold (counted
/// under [`crate::policy::LEGACY_REASON`]).
pub fn check_new(cmd: &ClaimCommand) -> Result<(), Refusal> {
    match cmd {
        ClaimCommand::Recommend { decision: Decision::Deny { code: None, .. }, .. } => {
            Err(Refusal::ReasonRequired { kind: ReasonKind::Denial })
        }
        ClaimCommand::RequestInfo { code: None, .. } => {
            Err(Refusal::ReasonRequired { kind: ReasonKind::Deficiency })
        }
        _ => Ok(()),
    }
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

fn has_text(text: Option<&str>) -> bool {
    text.is_some_and(|t| !is_blank(t))
}

/// The checks of one decision, with the claim, the actor and the command at hand.
struct Ctx<'a> {
    actor: &'a Actor,
    claim: &'a ClaimView,
    cmd: &'a ClaimCommand,
}

impl Ctx<'_> {
    fn wrong_state(&self) -> Refusal {
        Refusal::WrongState { action: self.cmd.action().code().to_string(), status: self.claim.status }
    }

    /// Nothing changes but what the command records beside the status.
    fn stay(&self) -> Transition {
        self.move_to(self.claim.status)
    }

    /// A status move that keeps the holder.
    fn move_to(&self, to: ClaimStatus) -> Transition {
        Transition {
            to,
            assignee: self.claim.assignee.clone(),
            taken_over_from: None,
            is_override: false,
            reserved_for: self.claim.reserved_for.clone(),
            reserved_by: self.claim.reserved_by.clone(),
        }
    }

    /// A move that sets a new holder.
    fn move_held(&self, to: ClaimStatus, assignee: Option<String>) -> Transition {
        Transition { assignee, ..self.move_to(to) }
    }

    /// A claim another person holds may only be changed by them (or after a
    /// take-over); an unheld claim is open to anyone.
    fn holder_if_held(&self) -> Result<(), Refusal> {
        match &self.claim.assignee {
            Some(holder) if *holder != self.actor.user => {
                Err(Refusal::HeldByOther { holder: holder.clone() })
            }
            _ => Ok(()),
        }
    }

    /// Review work (request info, info received, recommend, release, triage
    /// in review) is done by the person who holds the claim, whatever their
    /// role: a supervisor takes it over first, so the take-over is on record.
    fn must_hold(&self) -> Result<(), Refusal> {
        self.holder_if_held()?;
        if self.claim.assignee.is_none() {
            return Err(Refusal::Invalid(
                msg!("invalid.not_held").with_label("action", format!("on.{}", self.cmd.action().code())),
            ));
        }
        Ok(())
    }

    fn recommendation(&self) -> Result<&Recommendation, Refusal> {
        self.claim.recommendation.as_ref().ok_or_else(|| {
            Refusal::Invalid(
                msg!("invalid.no_recommendation")
                    .with_label("action", format!("on.{}", self.cmd.action().code())),
            )
        })
    }
}

/// Decides whether `actor` may apply `cmd` to `claim`, and what it does.
///
/// Checks run in this order, and the first that fails is the answer: role,
/// state, holder, the command's own content, then maker-checker and limits.
pub fn decide(actor: &Actor, claim: &ClaimView, cmd: &ClaimCommand) -> Result<Transition, Refusal> {
    use ClaimStatus as S;

    if let Some(needed) = required_role(cmd) {
        if rank(actor.role) < rank(needed) {
            return Err(Refusal::RoleNotAllowed {
                role: actor.role,
                action: cmd.action().code().to_string(),
            });
        }
    }
    let cx = Ctx { actor, claim, cmd };
    let status = claim.status;

    match cmd {
        // Recording beside the claim never changes it: every role, every state.
        ClaimCommand::AddNote { body } => {
            if is_blank(body) {
                return Err(Refusal::Invalid(msg!("invalid.note_empty")));
            }
            Ok(cx.stay())
        }
        ClaimCommand::WithdrawNote { note_op } => {
            if is_blank(note_op) {
                return Err(Refusal::Invalid(msg!("invalid.note_unnamed")));
            }
            Ok(cx.stay())
        }
        ClaimCommand::AddEvidence { sha256, file_name, size, .. } => {
            if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Refusal::Invalid(msg!("invalid.evidence_hash")));
            }
            if is_blank(file_name) || *size < 0 {
                return Err(Refusal::Invalid(msg!("invalid.evidence_name")));
            }
            Ok(cx.stay())
        }
        ClaimCommand::RevealPersonalData { .. } | ClaimCommand::Lease | ClaimCommand::ReleaseLease => {
            Ok(cx.stay())
        }

        // Tags and priority: any non-final state. A reviewer keeps off a claim
        // another person holds; supervisors and admins may annotate any claim
        // (they organize the queue).
        ClaimCommand::Annotate { .. } => {
            if is_final(status) {
                return Err(cx.wrong_state());
            }
            if actor.role == Role::Reviewer {
                cx.holder_if_held()?;
            }
            Ok(cx.stay())
        }

        // An intake row changed after import: only while nothing was decided
        // on the claim (once batched, approved, paid or denied it stays as decided).
        ClaimCommand::UpdateIntake { claim: input, .. } => {
            if matches!(
                status,
                S::Batched | S::Approved | S::Paid | S::Fulfilled | S::ClosedDenied | S::ClosedNoDamage
            ) {
                return Err(cx.wrong_state());
            }
            input.check().map_err(|why| Refusal::Invalid(msg!("invalid.detail", detail = why)))?;
            Ok(cx.stay())
        }

        // new|triaged → triaged (re-triage allowed). While the claim is in
        // review (in_review, and also needs_info: correcting the category or
        // marking a duplicate while waiting for the claimant is normal work)
        // the holder may triage it again without moving it.
        ClaimCommand::Triage { .. } => match status {
            S::New | S::Triaged => {
                cx.holder_if_held()?;
                Ok(cx.move_to(S::Triaged))
            }
            S::InReview | S::NeedsInfo => {
                cx.must_hold()?;
                Ok(cx.stay())
            }
            _ => Err(cx.wrong_state()),
        },

        // new|triaged → in_review. Taking a new claim is allowed: the reviewer
        // triages it as part of the review (Triage stays open to the holder in
        // review), so a claims team is not forced through an empty step.
        // Taking an in_review/needs_info claim someone else holds is a
        // take-over (recorded, status kept); taking one you already hold is
        // refused as pointless.
        ClaimCommand::Take => {
            let to = match status {
                S::New | S::Triaged => S::InReview,
                S::InReview | S::NeedsInfo => {
                    if claim.assignee.as_deref() == Some(actor.user.as_str()) {
                        return Err(Refusal::Invalid(msg!("invalid.already_held")));
                    }
                    status
                }
                _ => return Err(cx.wrong_state()),
            };
            let taken_over_from = claim.assignee.clone().filter(|holder| *holder != actor.user);
            Ok(Transition { taken_over_from, ..cx.move_held(to, Some(actor.user.clone())) })
        }

        // in_review → triaged, unheld. Not from needs_info: the info request
        // would be lost; someone else takes the claim over instead.
        ClaimCommand::Release => {
            if status != S::InReview {
                return Err(cx.wrong_state());
            }
            cx.must_hold()?;
            Ok(cx.move_held(S::Triaged, None))
        }

        ClaimCommand::RequestInfo { code, message, due_on, another } => {
            if status != S::InReview {
                return Err(cx.wrong_state());
            }
            cx.must_hold()?;
            // One deficiency notice per claim (class-action practice); a
            // further one is a supervisor's deliberate act.
            if *another && rank(actor.role) < rank(Role::Supervisor) {
                return Err(Refusal::RoleNotAllowed { role: actor.role, action: "request_another".into() });
            }
            if claim.requests > 0 && !another {
                return Err(Refusal::SecondRequest);
            }
            match code {
                Some(code) => check_cited(claim, ReasonKind::Deficiency, code)?,
                // Before coded reasons: the message was the whole request.
                None if is_blank(message) => return Err(Refusal::Invalid(msg!("invalid.request_empty"))),
                None => {}
            }
            if let (Some(due), Some(today)) = (due_on, claim.as_of) {
                if *due <= today || *due > today + chrono::Days::new(MAX_DUE_DAYS) {
                    return Err(Refusal::Invalid(msg!(
                        "invalid.due_date",
                        due = due.format("%Y-%m-%d").to_string(),
                        max = MAX_DUE_DAYS
                    )));
                }
            }
            Ok(cx.move_to(S::NeedsInfo))
        }

        // The checklist: a document the policy asks of the category arrived
        // (or the tick is taken back), while the claim is open. The code's
        // place in the policy's list is checked where the policy is at hand
        // (the store and the server, [`check_document`]).
        ClaimCommand::CheckDocument { document, .. } => {
            if !matches!(status, S::New | S::Triaged | S::InReview | S::NeedsInfo) {
                return Err(cx.wrong_state());
            }
            if actor.role == Role::Reviewer {
                cx.holder_if_held()?;
            }
            if !is_code(document) {
                return Err(Refusal::Invalid(msg!("invalid.document_code", code = document)));
            }
            Ok(cx.stay())
        }

        // needs_info → closed_denied, unheld, once the due date (moved by
        // the window's extension in force) has passed: never silently, never early.
        ClaimCommand::Expire { .. } => {
            if status != S::NeedsInfo {
                return Err(cx.wrong_state());
            }
            check_cited(claim, ReasonKind::Denial, NOT_CURED)?;
            let request = claim.request.ok_or_else(|| Refusal::Invalid(msg!("invalid.no_request")))?;
            let due = match claim.cited.as_ref().and_then(|c| c.cure) {
                Some(window) => window.extended(request.requested_on, request.due_on),
                None => request.due_on,
            };
            match claim.as_of {
                Some(today) if today > due => Ok(cx.move_held(S::ClosedDenied, None)),
                _ => Err(Refusal::NotDue { due }),
            }
        }

        ClaimCommand::InfoReceived { .. } => {
            if status != S::NeedsInfo {
                return Err(cx.wrong_state());
            }
            cx.must_hold()?;
            Ok(cx.move_to(S::InReview))
        }

        // in_review → recommended, by the holder, who stays on record (a
        // return to review goes back to them).
        ClaimCommand::Recommend { decision, justification } => {
            if status != S::InReview {
                return Err(cx.wrong_state());
            }
            cx.must_hold()?;
            if !claim.report_type.is_damage() {
                return Err(Refusal::Invalid(
                    msg!("invalid.not_a_damage_claim")
                        .with_label("type", format!("reportType.{}", claim.report_type.code())),
                ));
            }
            check_decision(decision)?;
            if let Decision::Deny { code: Some(code), .. } = decision {
                check_cited(claim, ReasonKind::Denial, code)?;
            }
            let is_override = is_override(decision, claim.proposal.as_ref());
            if is_override && !has_text(justification.as_deref()) {
                return Err(Refusal::OverrideNeedsJustification);
            }
            Ok(Transition { is_override, ..cx.move_to(S::Recommended) })
        }

        // recommended → batched. A supervisor may batch a claim they
        // recommended themselves; maker-checker bites at approval.
        ClaimCommand::AddToBatch { batch_id } => {
            if status != S::Recommended {
                return Err(cx.wrong_state());
            }
            if is_blank(batch_id) {
                return Err(Refusal::Invalid(msg!("invalid.batch_unnamed")));
            }
            cx.recommendation()?;
            Ok(cx.move_to(S::Batched))
        }

        ClaimCommand::RemoveFromBatch => {
            if status != S::Batched {
                return Err(cx.wrong_state());
            }
            Ok(cx.move_to(S::Recommended))
        }

        // recommended|batched → in_review, held again by the reviewer who
        // recommended it (or, lacking a recommendation, its current holder).
        ClaimCommand::ReturnToReviewer { comment } => {
            if !matches!(status, S::Recommended | S::Batched) {
                return Err(cx.wrong_state());
            }
            if is_blank(comment) {
                return Err(Refusal::Invalid(msg!("invalid.return_comment_empty")));
            }
            let reviewer = claim
                .recommendation
                .as_ref()
                .map(|r| r.by.clone())
                .or_else(|| claim.assignee.clone())
                .ok_or_else(|| Refusal::Invalid(msg!("invalid.no_reviewer")))?;
            Ok(cx.move_held(S::InReview, Some(reviewer)))
        }

        // batched → approved (approve decisions) | closed_denied (deny decisions).
        ClaimCommand::Approve { recommendation_op } => {
            if status != S::Batched {
                return Err(cx.wrong_state());
            }
            let rec = cx.recommendation()?;
            if rec.op_id != *recommendation_op {
                return Err(Refusal::RecommendationSuperseded);
            }
            if rec.by == actor.user {
                return Err(Refusal::OwnRecommendation);
            }
            match &rec.decision {
                Decision::Approve { amount, .. } => {
                    if let Some(limit) = actor.approval_limit {
                        if *amount > limit {
                            return Err(Refusal::OverApprovalLimit { amount: *amount, limit });
                        }
                    }
                    Ok(cx.move_to(S::Approved))
                }
                Decision::Deny { .. } => Ok(cx.move_to(S::ClosedDenied)),
            }
        }

        // An approved cash claim is reserved for one payout at a time; the
        // reservation is what a confirmation needs (never paid twice).
        ClaimCommand::ReservePayout { payout_id } => {
            if status != S::Approved {
                return Err(cx.wrong_state());
            }
            cash_only(&cx)?;
            if is_blank(payout_id) {
                return Err(Refusal::Invalid(msg!("invalid.payout_unnamed")));
            }
            if let Some(held) = &claim.reserved_for {
                return Err(Refusal::AlreadyReserved { payout_id: held.clone() });
            }
            Ok(Transition {
                reserved_for: Some(payout_id.clone()),
                reserved_by: Some(actor.user.clone()),
                ..cx.stay()
            })
        }

        ClaimCommand::ReleasePayout { payout_id } => {
            if status != S::Approved {
                return Err(cx.wrong_state());
            }
            cash_only(&cx)?;
            if claim.reserved_for.as_deref() != Some(payout_id.as_str()) {
                return Err(Refusal::NotReserved);
            }
            Ok(Transition { reserved_for: None, reserved_by: None, ..cx.stay() })
        }

        // approved → paid, for cash only, when reserved for this payout:
        // vouchers and extensions are granted by approval and have nothing to
        // pay out.
        ClaimCommand::MarkPaid { payout_id } => {
            if status != S::Approved {
                return Err(cx.wrong_state());
            }
            cash_only(&cx)?;
            if claim.reserved_for.as_deref() != Some(payout_id.as_str()) {
                return Err(Refusal::NotReserved);
            }
            not_own_export(claim, actor)?;
            Ok(Transition { reserved_for: None, reserved_by: None, ..cx.move_to(S::Paid) })
        }

        // What is not money leaves through a fulfilment, reserved like a
        // payout (one live reservation, confirmed once). A claim given cash
        // and something else is paid first: one status line, and the money,
        // which a bank may return, is settled before the rest goes out.
        ClaimCommand::ReserveFulfilment { fulfilment_id } => {
            awaits_fulfilment(&cx)?;
            if is_blank(fulfilment_id) {
                return Err(Refusal::Invalid(msg!("invalid.fulfilment_unnamed")));
            }
            if let Some(held) = &claim.reserved_for {
                return Err(Refusal::AlreadyReserved { payout_id: held.clone() });
            }
            Ok(Transition {
                reserved_for: Some(fulfilment_id.clone()),
                reserved_by: Some(actor.user.clone()),
                ..cx.stay()
            })
        }

        ClaimCommand::ReleaseFulfilment { fulfilment_id } => {
            awaits_fulfilment(&cx)?;
            if claim.reserved_for.as_deref() != Some(fulfilment_id.as_str()) {
                return Err(Refusal::NotReserved);
            }
            Ok(Transition { reserved_for: None, reserved_by: None, ..cx.stay() })
        }

        ClaimCommand::MarkFulfilled { fulfilment_id } => {
            awaits_fulfilment(&cx)?;
            if claim.reserved_for.as_deref() != Some(fulfilment_id.as_str()) {
                return Err(Refusal::NotReserved);
            }
            not_own_export(claim, actor)?;
            Ok(cx.move_to(S::Fulfilled))
        }

        ClaimCommand::ResolveConflict { to, .. } => {
            if status != S::Conflict {
                return Err(cx.wrong_state());
            }
            resolve_conflict(&cx, *to)
        }

        // The report's type: while it is open, by whoever may triage it
        // (the holder once held). Once closed or decided it stays; a closed
        // non-damage report that is a damage claim after all is reopened.
        ClaimCommand::SetReportType { .. } => match status {
            S::New | S::Triaged => {
                cx.holder_if_held()?;
                Ok(cx.stay())
            }
            S::InReview | S::NeedsInfo => {
                cx.must_hold()?;
                Ok(cx.stay())
            }
            _ => Err(cx.wrong_state()),
        },

        // The decision's notice: only once a decision the claimant must hear of
        // is made, once per decision (a resend is a supervisor's deliberate act;
        // the role check above already asked for one).
        ClaimCommand::Notify { channels, resend, .. } => {
            if LetterKind::of_status(status).is_none() {
                return Err(cx.wrong_state());
            }
            if channels.is_empty() {
                return Err(Refusal::Invalid(msg!("invalid.notice_no_channel")));
            }
            if claim.notified && !resend {
                return Err(Refusal::AlreadyNotified);
            }
            Ok(cx.stay())
        }

        // closed_no_damage → triaged, unheld, as a damage claim (the fold sets the type).
        ClaimCommand::Reopen => {
            if status != S::ClosedNoDamage {
                return Err(cx.wrong_state());
            }
            Ok(cx.move_held(S::Triaged, None))
        }

        // An open non-damage report → closed_no_damage with a standard reply.
        // Never a damage claim (it is reviewed and decided), never once decided.
        ClaimCommand::CloseNoDamage { reply, .. } => {
            if !matches!(status, S::New | S::Triaged | S::InReview | S::NeedsInfo) {
                return Err(cx.wrong_state());
            }
            cx.holder_if_held()?;
            if claim.report_type.is_damage() {
                return Err(Refusal::DamageClaim);
            }
            check_cited(claim, ReasonKind::Closure, reply)?;
            Ok(cx.move_held(S::ClosedNoDamage, None))
        }
    }
}

/// The latest due date a request may give: a year after it is made.
pub const MAX_DUE_DAYS: u64 = 365;

/// A code of a policy list: capitals, digits and `_`, starting with a letter, at most 64.
fn is_code(text: &str) -> bool {
    text.len() <= 64
        && text.starts_with(|c: char| c.is_ascii_uppercase())
        && text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// A document tick names a document the policy asks of the claim's category
/// (every entry point asks this with the policy in force; the fold does not,
/// so ticks recorded under an older policy still fold).
pub fn check_document(
    cmd: &ClaimCommand,
    policy: &crate::policy::Policy,
    category: Category,
) -> Result<(), Refusal> {
    match cmd {
        ClaimCommand::CheckDocument { document, .. }
            if !policy.documents_for(category).iter().any(|d| d.code == *document) =>
        {
            Err(Refusal::Invalid(
                msg!("invalid.document_unknown", code = document)
                    .with_label("category", format!("category.{}", category.code())),
            ))
        }
        _ => Ok(()),
    }
}

/// Dual control of payment files: whoever reserved the claim (exported the
/// file) is not the one who says the bank or the granting system carried it out.
fn not_own_export(claim: &ClaimView, actor: &Actor) -> Result<(), Refusal> {
    if claim.reserved_by.as_deref() == Some(actor.user.as_str()) {
        return Err(Refusal::OwnExport);
    }
    Ok(())
}

/// The claim has grants to fulfil now: approved with no cash, or paid, and
/// given at least one grant that is not cash ([`fulfilment_grants`]).
fn awaits_fulfilment(cx: &Ctx<'_>) -> Result<(), Refusal> {
    use ClaimStatus as S;
    if !matches!(cx.claim.status, S::Approved | S::Paid) {
        return Err(cx.wrong_state());
    }
    let decision = &cx.recommendation()?.decision;
    if fulfilment_grants(decision).is_empty() {
        return Err(Refusal::Invalid(msg!("invalid.nothing_to_fulfil")));
    }
    if cx.claim.status == S::Approved && matches!(decision, Decision::Approve { remedy: Remedy::Cash, .. }) {
        return Err(Refusal::Invalid(msg!("invalid.fulfil_after_payout")));
    }
    Ok(())
}

/// The grants of a decision that a fulfilment delivers: every one but cash
/// (which a payout pays).
pub fn fulfilment_grants(decision: &Decision) -> Vec<Grant> {
    decision.grants().into_iter().filter(|g| g.kind != Remedy::Cash).collect()
}

/// Only an approved cash remedy leaves as money.
fn cash_only(cx: &Ctx<'_>) -> Result<(), Refusal> {
    match &cx.recommendation()?.decision {
        Decision::Approve { remedy: Remedy::Cash, .. } => Ok(()),
        Decision::Approve { remedy, .. } => Err(Refusal::Invalid(
            msg!("invalid.not_cash").with_label("remedy", format!("remedy.{}", remedy.code())),
        )),
        Decision::Deny { .. } => Err(Refusal::Invalid(msg!("invalid.denied_nothing_to_pay"))),
    }
}

/// Where a supervisor may send a claim out of conflict. Only states that a
/// person decides without another check: approval, batching and payout keep
/// their own path (maker-checker, limits, export), so a resolution cannot
/// skip them.
/// - triaged: back to the queue, unheld;
/// - in_review / needs_info: with its current holder (there must be one);
/// - recommended: keeping the claim's current recommendation (the one picked);
/// - closed_denied: only on a deny recommendation, and as this closes the
///   claim it is an approval of the denial: maker-checker applies.
fn resolve_conflict(cx: &Ctx<'_>, to: ClaimStatus) -> Result<Transition, Refusal> {
    use ClaimStatus as S;
    let refuse = |why: Message| Err(Refusal::Invalid(why));
    match to {
        S::Triaged => Ok(cx.move_held(to, None)),
        S::InReview | S::NeedsInfo => {
            if cx.claim.assignee.is_none() {
                return refuse(msg!("invalid.resolve_needs_holder"));
            }
            Ok(cx.move_to(to))
        }
        S::Recommended => {
            if cx.claim.recommendation.is_none() {
                return refuse(msg!("invalid.resolve_no_recommendation"));
            }
            Ok(cx.move_to(to))
        }
        S::ClosedDenied => match &cx.claim.recommendation {
            Some(rec) if matches!(rec.decision, Decision::Deny { .. }) => {
                if rec.by == cx.actor.user {
                    return Err(Refusal::OwnRecommendation);
                }
                Ok(cx.move_to(to))
            }
            _ => refuse(msg!("invalid.resolve_deny_only")),
        },
        S::New => refuse(msg!("invalid.resolve_not_new")),
        S::Batched => refuse(msg!("invalid.resolve_not_batched")),
        S::Approved => refuse(msg!("invalid.resolve_not_approved")),
        S::Paid => refuse(msg!("invalid.resolve_not_paid")),
        S::Fulfilled => refuse(msg!("invalid.resolve_not_fulfilled")),
        S::ClosedNoDamage => refuse(msg!("invalid.resolve_not_closed_no_damage")),
        S::Conflict => refuse(msg!("invalid.resolve_choose")),
    }
}

/// A recommendation must say something a claimant can be told.
fn check_decision(decision: &Decision) -> Result<(), Refusal> {
    match decision {
        // Before coded reasons the text was the whole reason; with a code it is a note beside it.
        Decision::Deny { code: None, reason } => {
            if is_blank(reason) {
                return Err(Refusal::Invalid(msg!("invalid.deny_reason_empty")));
            }
        }
        Decision::Deny { code: Some(_), .. } => {}
        Decision::Approve { remedy, amount, extension_days, grants } if !grants.is_empty() => {
            // Listed grants: each within its measures, and the fields beside them their summary.
            grant::check_listed(*remedy, *amount, *extension_days, grants)
                .map_err(|e| Refusal::Invalid(msg!("invalid.approve_grant", detail = e)))?;
        }
        Decision::Approve { remedy, amount, extension_days, .. } => {
            if !remedy.is_legacy_grant() && remedy.is_grant() {
                return Err(Refusal::Invalid(
                    msg!("invalid.approve_grants_listed")
                        .with_label("remedy", format!("remedy.{}", remedy.code())),
                ));
            }
            if !matches!(remedy, Remedy::Voucher | Remedy::Extension | Remedy::Cash) {
                return Err(Refusal::Invalid(
                    msg!("invalid.approve_remedy").with_label("remedy", format!("remedy.{}", remedy.code())),
                ));
            }
            if *amount < Decimal::ZERO || !amount.fract().is_zero() {
                return Err(Refusal::Invalid(msg!("invalid.amount_not_whole", amount = won(amount))));
            }
            if *remedy == Remedy::Extension && *extension_days == 0 {
                return Err(Refusal::Invalid(msg!("invalid.extension_days")));
            }
            if *remedy != Remedy::Extension && *extension_days != 0 {
                return Err(Refusal::Invalid(msg!("invalid.extension_days_only")));
            }
        }
    }
    Ok(())
}

/// Whether a decision differs from the policy's result. Approving exactly
/// what an eligible proposal says (the same grants, in any order), or
/// denying what the policy found ineligible, follows the policy; anything
/// else (including every decision on a manual_review proposal, and any
/// decision with no proposal) is an override and needs a justification.
fn is_override(decision: &Decision, proposal: Option<&PolicyProposal>) -> bool {
    let Some(p) = proposal else { return true };
    match decision {
        Decision::Approve { remedy, amount, extension_days, .. } => {
            !(p.eligible
                && *remedy == p.remedy
                && *amount == p.amount
                && *extension_days == p.extension_days
                && grant::same(&decision.grants(), &p.grants()))
        }
        Decision::Deny { .. } => p.eligible,
    }
}

/// A well-formed command of `action`, for asking [`decide`] which kinds the
/// actor could apply now. Content-only refusals (blank texts, reason codes)
/// are avoided, so the answer depends on role, state, holder, report type and
/// the claim's recommendation.
fn representative(action: ClaimAction, claim: &ClaimView) -> ClaimCommand {
    const TEXT: &str = "-";
    let text = || TEXT.to_string();
    match action {
        ClaimAction::Triage => ClaimCommand::Triage {
            category: None,
            priority: None,
            tags: None,
            duplicate_of: None,
            duplicate_cleared: false,
        },
        ClaimAction::Take => ClaimCommand::Take,
        ClaimAction::Release => ClaimCommand::Release,
        ClaimAction::RequestInfo => ClaimCommand::RequestInfo {
            code: None,
            message: text(),
            due_on: None,
            another: claim.requests > 0,
        },
        ClaimAction::InfoReceived => ClaimCommand::InfoReceived { note: String::new() },
        ClaimAction::Recommend => {
            let decision = match &claim.proposal {
                Some(p) if p.eligible && check_decision(&p.as_decision()).is_ok() => p.as_decision(),
                _ => Decision::Deny { code: None, reason: text() },
            };
            ClaimCommand::Recommend { decision, justification: Some(text()) }
        }
        ClaimAction::AddNote => ClaimCommand::AddNote { body: text() },
        ClaimAction::WithdrawNote => ClaimCommand::WithdrawNote { note_op: text() },
        ClaimAction::Annotate => ClaimCommand::Annotate { priority: None, tags: None },
        ClaimAction::AddEvidence => ClaimCommand::AddEvidence {
            sha256: "0".repeat(64),
            file_name: text(),
            mime: String::new(),
            size: 0,
        },
        ClaimAction::RevealPersonalData => ClaimCommand::RevealPersonalData { field: PersonalField::Phone },
        ClaimAction::UpdateIntake => {
            ClaimCommand::UpdateIntake { claim: Box::new(ClaimInput::placeholder()), fields: Vec::new() }
        }
        ClaimAction::Lease => ClaimCommand::Lease,
        ClaimAction::ReleaseLease => ClaimCommand::ReleaseLease,
        ClaimAction::AddToBatch => ClaimCommand::AddToBatch { batch_id: text() },
        ClaimAction::RemoveFromBatch => ClaimCommand::RemoveFromBatch,
        ClaimAction::ReturnToReviewer => ClaimCommand::ReturnToReviewer { comment: text() },
        ClaimAction::Approve => ClaimCommand::Approve {
            recommendation_op: claim.recommendation.as_ref().map(|r| r.op_id.clone()).unwrap_or_default(),
        },
        ClaimAction::ReservePayout => ClaimCommand::ReservePayout { payout_id: text() },
        ClaimAction::ReleasePayout => {
            ClaimCommand::ReleasePayout { payout_id: claim.reserved_for.clone().unwrap_or_default() }
        }
        ClaimAction::MarkPaid => {
            ClaimCommand::MarkPaid { payout_id: claim.reserved_for.clone().unwrap_or_default() }
        }
        ClaimAction::ReserveFulfilment => ClaimCommand::ReserveFulfilment { fulfilment_id: text() },
        ClaimAction::ReleaseFulfilment => {
            ClaimCommand::ReleaseFulfilment { fulfilment_id: claim.reserved_for.clone().unwrap_or_default() }
        }
        ClaimAction::MarkFulfilled => {
            ClaimCommand::MarkFulfilled { fulfilment_id: claim.reserved_for.clone().unwrap_or_default() }
        }
        // Triaged is always a valid resolution, so this asks "may resolve at all".
        ClaimAction::ResolveConflict => {
            ClaimCommand::ResolveConflict { to: ClaimStatus::Triaged, note: String::new() }
        }
        ClaimAction::SetReportType => ClaimCommand::SetReportType { report_type: claim.report_type },
        ClaimAction::Reopen => ClaimCommand::Reopen,
        ClaimAction::Notify => ClaimCommand::Notify {
            channels: vec![NoticeChannel::Pdf],
            lang: crate::message::Lang::Ko,
            resend: claim.notified,
        },
        ClaimAction::CloseNoDamage => {
            ClaimCommand::CloseNoDamage { reply: REPRESENTATIVE_REPLY.into(), note: String::new() }
        }
        ClaimAction::CheckDocument => {
            ClaimCommand::CheckDocument { document: "DOCUMENT".into(), received: true }
        }
        ClaimAction::Expire => ClaimCommand::Expire { note: String::new() },
    }
}

/// The reply code of the representative closure (its citation is made up to match).
const REPRESENTATIVE_REPLY: &str = "REPLY";

impl PolicyProposal {
    /// The decision that follows the policy exactly (not an override).
    pub fn as_decision(&self) -> Decision {
        Decision::Approve {
            remedy: self.remedy,
            amount: self.amount,
            extension_days: self.extension_days,
            grants: self.grants.clone(),
        }
    }
}

/// The actions the actor could apply to the claim now, for the UI.
///
/// Approve is offered only when this actor could approve the claim's current
/// recommendation (not their own, within their limit).
/// An expiry is offered once the claim is overdue: `claim.request` then
/// carries the due date with the window's extension already applied.
pub fn allowed_actions(actor: &Actor, claim: &ClaimView) -> Vec<ClaimAction> {
    let citing = |code: &str, kind: ReasonKind| ClaimView {
        cited: Some(CitedReason {
            code: code.into(),
            kind,
            ko: String::new(),
            en: String::new(),
            appealable: false,
            policy_version: None,
            cure: None,
        }),
        ..claim.clone()
    };
    let closing = citing(REPRESENTATIVE_REPLY, ReasonKind::Closure);
    let expiring = citing(NOT_CURED, ReasonKind::Denial);
    ClaimAction::ALL
        .iter()
        .copied()
        .filter(|a| {
            let view = match a {
                ClaimAction::CloseNoDamage => &closing,
                ClaimAction::Expire => &expiring,
                _ => claim,
            };
            decide(actor, view, &representative(*a, claim)).is_ok()
        })
        .collect()
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
    /// Starting an incident (from scratch or from a copy) and editing its name and dates.
    ManageIncidents,
    /// Writing the status feed (masked names, statuses) for a call centre or chatbot.
    ExportStatusFeed,
    /// Writing reports (queue views, the report pack) as spreadsheets.
    ExportReports,
    /// Listing or exporting the intake quarantine: whole raw rows, personal
    /// data unmasked, as the file had them.
    ViewQuarantine,
    /// Reading the letters of decided claims (names, phones and e-mail
    /// addresses in clear) to send them: PDFs, the 알림톡/SMS file, e-mail.
    SendNotices,
    /// Writing the fulfilment file of non-cash grants (claimants' phone or
    /// BRN, what each is given), then confirming or cancelling it.
    ExportFulfilment,
}

impl AdminAction {
    /// The stable name of the action (audit entries of refusals).
    pub fn code(self) -> &'static str {
        match self {
            AdminAction::ManageUsers => "manage_users",
            AdminAction::EditCatalog => "edit_catalog",
            AdminAction::ImportIntake => "import_intake",
            AdminAction::ExportPayout => "export_payout",
            AdminAction::CreateBatch => "create_batch",
            AdminAction::EditPolicy => "edit_policy",
            AdminAction::ActivatePolicy => "activate_policy",
            AdminAction::ViewAudit => "view_audit",
            AdminAction::ManageIncidents => "manage_incidents",
            AdminAction::ExportStatusFeed => "export_status_feed",
            AdminAction::ExportReports => "export_reports",
            AdminAction::ViewQuarantine => "view_quarantine",
            AdminAction::SendNotices => "send_notices",
            AdminAction::ExportFulfilment => "export_fulfilment",
        }
    }
}

/// Whether a role may perform an action that is not about one claim.
/// Supervisors: batches, policy versions, incidents, the audit log. Admins: everything.
/// Reviewers: none of these.
pub fn may(role: Role, action: AdminAction) -> Result<(), Refusal> {
    let needed = match action {
        AdminAction::ManageUsers => Role::Admin,
        AdminAction::EditCatalog => Role::Admin,
        AdminAction::ImportIntake => Role::Admin,
        AdminAction::ExportPayout => Role::Admin,
        AdminAction::CreateBatch => Role::Supervisor,
        AdminAction::EditPolicy => Role::Supervisor,
        AdminAction::ActivatePolicy => Role::Supervisor,
        AdminAction::ViewAudit => Role::Supervisor,
        AdminAction::ManageIncidents => Role::Supervisor,
        AdminAction::ExportStatusFeed => Role::Supervisor,
        AdminAction::ExportReports => Role::Supervisor,
        AdminAction::ViewQuarantine => Role::Admin,
        AdminAction::SendNotices => Role::Supervisor,
        AdminAction::ExportFulfilment => Role::Admin,
    };
    if rank(role) < rank(needed) {
        return Err(Refusal::RoleNotAllowed { role, action: action.code().to_string() });
    }
    Ok(())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod grant_tests;
