//! Every change ClaimDesk records, as one typed vocabulary: each op kind is
//! a variant of [`Op`] with its own payload type. The store writes ops from
//! these types, the merge on every desktop and the team server read them
//! back into these types, and the UI's bindings are generated from them, so
//! a kind that is not handled somewhere does not compile. Strings appear only
//! at the wire boundary: [`Op::kind`], [`Op::payload`] and [`Op::decode`].
//!
//! - Claim actions (`claim.<action>`) are [`ClaimCommand`]s: what the person
//!   did, never what it resulted in. The result is decided by
//!   [`crate::workflow::decide`] wherever the op is applied.
//! - Team ops (incidents, batches, policies, the catalog, payouts) travel through the
//!   sync server, which checks them with the core's own rules and parsers.
//! - Server-managed ops (users) are made on the server only.
//! - Device ops (sign-ins, saved views, settings, import summaries, roster
//!   copies, parked-op decisions) are audit entries that never leave the
//!   device.
//!
//! A payload may carry fields this build does not know (a newer client's):
//! decoding ignores them and the store keeps the payload text as it came,
//! so they travel on unchanged. An unknown kind is an [`OpError::UnknownKind`],
//! which the replicas park with a clear reason instead of failing.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalog::{Catalog, Incident, FIRST_INCIDENT};
use crate::model::{ClaimInput, Role};
use crate::workflow::{AdminAction, ClaimCommand, PolicyProposal};

/// One change, typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "payload")]
pub enum Op {
    /// `claim.<action>`: encoded by hand (the action is part of the kind).
    #[serde(skip)]
    Claim(ClaimCommand),
    /// A claim as it arrived from intake (creates the claim).
    #[serde(rename = "claim.import")]
    ClaimImport(Box<ClaimInput>),
    #[serde(rename = "batch.create")]
    BatchCreate(BatchCreate),
    /// A supervisor approved a batch (its claims' approvals are their own ops).
    #[serde(rename = "batch.approve")]
    BatchApprove(BatchApprove),
    #[serde(rename = "policy.create")]
    PolicyCreate(PolicyCreate),
    #[serde(rename = "policy.activate")]
    PolicyActivate(PolicyActivate),
    /// Replaces the service catalog of the incident it names (`incident.id`).
    #[serde(rename = "catalog.replace")]
    CatalogReplace(Box<Catalog>),
    /// A new incident with its catalog (its first policy version follows as
    /// its own `policy.create` and `policy.activate`).
    #[serde(rename = "incident.create")]
    IncidentCreate(Box<IncidentCreate>),
    /// An incident's name and dates changed (its services: `catalog.replace`).
    #[serde(rename = "incident.update")]
    IncidentUpdate(Incident),
    /// A payout file was made; its claims are reserved by `claim.reserve_payout`.
    #[serde(rename = "payout.export")]
    PayoutExport(PayoutExport),
    /// The bank confirmed a payout; its claims are marked paid by `claim.mark_paid`.
    #[serde(rename = "payout.confirm")]
    PayoutConfirm(PayoutRef),
    #[serde(rename = "payout.cancel")]
    PayoutCancel(PayoutRef),
    /// A fulfilment file was made (non-cash grants; `total` is their value
    /// in won); its claims are reserved by `claim.reserve_fulfilment`.
    #[serde(rename = "fulfilment.export")]
    FulfilmentExport(PayoutExport),
    /// The grants of a fulfilment were delivered; its claims are marked
    /// fulfilled by `claim.mark_fulfilled`.
    #[serde(rename = "fulfilment.confirm")]
    FulfilmentConfirm(PayoutRef),
    #[serde(rename = "fulfilment.cancel")]
    FulfilmentCancel(PayoutRef),
    #[serde(rename = "user.create")]
    UserCreate(UserRecord),
    #[serde(rename = "user.update")]
    UserUpdate(UserUpdate),
    /// A password was set (the hash is never in the op).
    #[serde(rename = "user.password")]
    UserPassword(UserRef),
    /// A copy of the sync server's roster entry for one user.
    #[serde(rename = "user.roster")]
    UserRoster(UserRecord),
    #[serde(rename = "session.sign_in")]
    SignIn(SignIn),
    #[serde(rename = "view.save")]
    ViewSave(ViewSave),
    #[serde(rename = "view.delete")]
    ViewDelete(ViewRef),
    #[serde(rename = "setting.set")]
    SettingSet(SettingSet),
    /// The summary of one intake file's import.
    #[serde(rename = "import.file")]
    ImportFile(ImportFile),
    /// The open quarantined rows were written to a file (raw rows, personal
    /// data unmasked): who, where, how many.
    #[serde(rename = "quarantine.export")]
    QuarantineExport(QuarantineExport),
    /// Someone asked to try a parked op again.
    #[serde(rename = "sync.retry_parked")]
    RetryParked(ParkedDecision),
    /// Someone set a parked op aside for good, with a note.
    #[serde(rename = "sync.dismiss_parked")]
    DismissParked(ParkedDecision),
}

/// Where an op may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Made on a desktop, checked by the server, applied by every replica.
    Team,
    /// Made on the server only (users and roles).
    Server,
    /// Never leaves the device that made it.
    Device,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchCreate {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchApprove {
    /// What the approver's desktop counted (shown in its history; every
    /// replica decides each claim's approval itself).
    #[serde(default)]
    pub approved: u64,
    #[serde(default)]
    pub closed_denied: u64,
    #[serde(default)]
    pub refused: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PolicyCreate {
    pub version: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub note: String,
    /// The policy document (policy.md), checked with the core's parser wherever it is applied.
    pub toml: String,
    /// The incident whose version this is; none (ops made before incidents) is [`FIRST_INCIDENT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
}

impl PolicyCreate {
    pub fn incident_id(&self) -> &str {
        self.incident.as_deref().unwrap_or(FIRST_INCIDENT)
    }
}

/// An incident as it starts: its id, name, dates and services. A copy names
/// the incident it was copied from (for people; the copy carries everything).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentCreate {
    pub catalog: Catalog,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PolicyActivate {
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PayoutExport {
    /// A UUID made on the desktop that exported it (team-wide unique).
    pub id: String,
    /// The file's name as written (for people; the path stays on the device).
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub claims: u64,
    #[serde(default)]
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PayoutRef {
    #[serde(alias = "payout_id")]
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserRecord {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub approval_limit: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserUpdate {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    /// Some(None) removes the limit.
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "ts", ts(type = "number | null | undefined"))]
    pub approval_limit: Option<Option<i64>>,
    #[serde(default)]
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserRef {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignIn {
    #[serde(default)]
    pub how: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ViewSave {
    pub name: String,
    #[serde(default)]
    pub filter: Value,
    #[serde(default)]
    pub sort: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ViewRef {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingSet {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportFile {
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub counts: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QuarantineExport {
    /// The path the person chose.
    pub file: String,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ParkedDecision {
    pub op_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// `Option<Option<T>>` that tells a missing field (None) from a null one (Some(None)).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Why an op cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    #[error("this ClaimDesk does not know the kind of change '{0}' (made by a newer version); it is kept aside until this desktop is updated")]
    UnknownKind(String),
    #[error("the change '{kind}' cannot be read: {problem}")]
    BadPayload { kind: String, problem: String },
}

impl OpError {
    pub fn code(&self) -> &'static str {
        match self {
            OpError::UnknownKind(_) => "UNKNOWN_KIND",
            OpError::BadPayload { .. } => "BAD_PAYLOAD",
        }
    }
}

const CLAIM_PREFIX: &str = "claim.";

/// The kind of [`Op::ClaimImport`], for writers that serialize the row themselves.
pub const IMPORT_KIND: &str = "claim.import";

impl Op {
    /// The wire name of the kind (`claim.take`, `batch.create`, ...).
    pub fn kind(&self) -> String {
        match self {
            Op::Claim(cmd) => format!("{CLAIM_PREFIX}{}", cmd.action().code()),
            other => match serde_json::to_value(other) {
                Ok(Value::Object(map)) => {
                    map.get("kind").and_then(Value::as_str).unwrap_or_default().to_string()
                }
                _ => String::new(),
            },
        }
    }

    /// The payload as it travels: a JSON object of the op's fields.
    pub fn payload(&self) -> Value {
        match self {
            Op::Claim(cmd) => match serde_json::to_value(cmd) {
                Ok(Value::Object(mut map)) => {
                    map.remove("action");
                    Value::Object(map)
                }
                _ => Value::Object(Map::new()),
            },
            other => match serde_json::to_value(other) {
                Ok(Value::Object(mut map)) => match map.remove("payload") {
                    Some(Value::Object(p)) => Value::Object(p),
                    Some(Value::Null) | None => Value::Object(Map::new()),
                    Some(v) => v,
                },
                _ => Value::Object(Map::new()),
            },
        }
    }

    /// Reads an op from its wire form. Fields the payload has beyond the
    /// op's own are ignored here (and kept by whoever stores the payload).
    pub fn decode(kind: &str, payload: &Value) -> Result<Op, OpError> {
        let bad = |problem: String| OpError::BadPayload { kind: kind.to_string(), problem };
        let Value::Object(fields) = payload else {
            return Err(bad("the payload is not a JSON object".into()));
        };
        if let Some(action) = kind.strip_prefix(CLAIM_PREFIX) {
            if action == "import" {
                let claim: ClaimInput =
                    serde_json::from_value(payload.clone()).map_err(|e| bad(e.to_string()))?;
                return Ok(Op::ClaimImport(Box::new(claim)));
            }
            let mut map = legacy_claim_fields(action, fields);
            let action = match (action, map.contains_key("withdraws")) {
                // Before `claim.withdraw_note`, a withdrawal was an add_note naming the note.
                ("add_note", true) => {
                    if let Some(target) = map.remove("withdraws") {
                        map.insert("note_op".into(), target);
                    }
                    "withdraw_note"
                }
                (a, _) => a,
            };
            if crate::model::ClaimAction::parse(action).is_none_or(|a| a.code() != action) {
                return Err(OpError::UnknownKind(kind.to_string()));
            }
            map.insert("action".into(), Value::String(action.to_string()));
            let cmd: ClaimCommand =
                serde_json::from_value(Value::Object(map)).map_err(|e| bad(e.to_string()))?;
            return Ok(Op::Claim(cmd));
        }
        let tagged = serde_json::json!({ "kind": kind, "payload": payload });
        match serde_json::from_value::<Op>(tagged) {
            Ok(op) => Ok(op),
            Err(e) if e.to_string().starts_with("unknown variant") => {
                Err(OpError::UnknownKind(kind.to_string()))
            }
            Err(e) => Err(bad(e.to_string())),
        }
    }

    /// Where this op may go.
    pub fn scope(&self) -> Scope {
        match self {
            Op::Claim(_)
            | Op::ClaimImport(_)
            | Op::BatchCreate(_)
            | Op::BatchApprove(_)
            | Op::PolicyCreate(_)
            | Op::PolicyActivate(_)
            | Op::CatalogReplace(_)
            | Op::IncidentCreate(_)
            | Op::IncidentUpdate(_)
            | Op::PayoutExport(_)
            | Op::PayoutConfirm(_)
            | Op::PayoutCancel(_)
            | Op::FulfilmentExport(_)
            | Op::FulfilmentConfirm(_)
            | Op::FulfilmentCancel(_) => Scope::Team,
            Op::UserCreate(_) | Op::UserUpdate(_) | Op::UserPassword(_) => Scope::Server,
            Op::UserRoster(_)
            | Op::SignIn(_)
            | Op::ViewSave(_)
            | Op::ViewDelete(_)
            | Op::SettingSet(_)
            | Op::ImportFile(_)
            | Op::QuarantineExport(_)
            | Op::RetryParked(_)
            | Op::DismissParked(_) => Scope::Device,
        }
    }

    /// The role-bound action a team op needs (claim commands are decided by
    /// [`crate::workflow::decide`] instead).
    pub fn required_action(&self) -> Option<AdminAction> {
        match self {
            Op::Claim(_) => None,
            Op::ClaimImport(_) => Some(AdminAction::ImportIntake),
            Op::BatchCreate(_) | Op::BatchApprove(_) => Some(AdminAction::CreateBatch),
            Op::PolicyCreate(_) => Some(AdminAction::EditPolicy),
            Op::PolicyActivate(_) => Some(AdminAction::ActivatePolicy),
            Op::CatalogReplace(_) => Some(AdminAction::EditCatalog),
            Op::IncidentCreate(_) | Op::IncidentUpdate(_) => Some(AdminAction::ManageIncidents),
            Op::PayoutExport(_) | Op::PayoutConfirm(_) | Op::PayoutCancel(_) => {
                Some(AdminAction::ExportPayout)
            }
            Op::FulfilmentExport(_) | Op::FulfilmentConfirm(_) | Op::FulfilmentCancel(_) => {
                Some(AdminAction::ExportFulfilment)
            }
            Op::UserCreate(_) | Op::UserUpdate(_) | Op::UserPassword(_) => Some(AdminAction::ManageUsers),
            Op::UserRoster(_)
            | Op::SignIn(_)
            | Op::ViewSave(_)
            | Op::ViewDelete(_)
            | Op::SettingSet(_)
            | Op::ImportFile(_)
            | Op::QuarantineExport(_)
            | Op::RetryParked(_)
            | Op::DismissParked(_) => None,
        }
    }

    /// The entity an op of this kind must be about (`claim:`, `batch:`, ...).
    pub fn entity_prefix(&self) -> &'static str {
        match self {
            Op::Claim(_) | Op::ClaimImport(_) => "claim:",
            Op::BatchCreate(_) | Op::BatchApprove(_) => "batch:",
            Op::PolicyCreate(_) | Op::PolicyActivate(_) => "policy",
            Op::CatalogReplace(_) => "catalog",
            Op::IncidentCreate(_) | Op::IncidentUpdate(_) => "incident:",
            Op::PayoutExport(_) | Op::PayoutConfirm(_) | Op::PayoutCancel(_) => "payout:",
            Op::FulfilmentExport(_) | Op::FulfilmentConfirm(_) | Op::FulfilmentCancel(_) => "fulfilment:",
            Op::UserCreate(_) | Op::UserUpdate(_) | Op::UserPassword(_) | Op::UserRoster(_) => "user:",
            Op::SignIn(_) | Op::ViewSave(_) | Op::ViewDelete(_) | Op::SettingSet(_) => "user:",
            Op::ImportFile(_) => "import",
            Op::QuarantineExport(_) => "quarantine",
            Op::RetryParked(_) | Op::DismissParked(_) => "",
        }
    }
}

/// Field names older builds wrote for the same content.
fn legacy_claim_fields(action: &str, fields: &Map<String, Value>) -> Map<String, Value> {
    let mut map = fields.clone();
    match action {
        // Approvals named the recommendation as `recommendation` before `recommendation_op`.
        "approve" if !map.contains_key("recommendation_op") => {
            if let Some(v) = map.get("recommendation").cloned() {
                map.insert("recommendation_op".into(), v);
            }
        }
        // Payouts had local numbers before they had team-wide ids.
        "mark_paid" | "reserve_payout" | "release_payout" => {
            if let Some(Value::Number(n)) = map.get("payout_id").cloned() {
                map.insert("payout_id".into(), Value::String(format!("{LEGACY_PAYOUT}{n}")));
            }
        }
        // A triage cleared the duplicate mark with a null and a flag.
        "triage" if map.get("duplicate_of").is_some_and(Value::is_null) => {
            map.remove("duplicate_of");
        }
        _ => {}
    }
    map
}

/// The payout id given to a payout numbered on one desktop before payouts
/// had team-wide ids (protocol 1). Such a confirmation names no reservation,
/// so the rules refuse it like any other unreserved confirmation.
pub const LEGACY_PAYOUT: &str = "legacy-payout-";

/// What the sync server knew about the author when it accepted an op: the
/// role and approval limit the rules use for it on every replica, and for a
/// recommendation the policy's result for the claim, against which it is an
/// override or not. It travels beside the payload, never inside it; an op
/// not yet accepted carries the stamp its own desktop made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Stamp {
    pub role: Role,
    /// Won; None = no limit.
    #[serde(default)]
    pub approval_limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<PolicyProposal>,
    /// For an op that cites a reason code (a denial, a request for
    /// information, a non-damage closure): the entry of the reason catalog
    /// of the policy in force that the code names, None when it names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cited: Option<crate::policy::CitedReason>,
}

impl Stamp {
    /// A stamp of the author's role and limit, with nothing about the claim.
    pub fn of_role(role: Role, approval_limit: Option<i64>) -> Stamp {
        Stamp { role, approval_limit, proposal: None, cited: None }
    }

    pub fn approval_limit_won(&self) -> Option<Decimal> {
        self.approval_limit.map(Decimal::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClaimAction, ClaimStatus, PersonalField};
    use crate::workflow::{Decision, Priority};
    use rust_decimal_macros::dec;

    /// One command of every action (the match makes a new action fail to compile here).
    fn command_of(action: ClaimAction) -> ClaimCommand {
        match action {
            ClaimAction::Triage => ClaimCommand::Triage {
                category: Some(crate::model::Category::TaxiDriver),
                priority: Some(Priority::High),
                tags: Some(vec!["택시".into()]),
                duplicate_of: None,
                duplicate_cleared: true,
            },
            ClaimAction::Take => ClaimCommand::Take,
            ClaimAction::Release => ClaimCommand::Release,
            ClaimAction::RequestInfo => ClaimCommand::RequestInfo {
                code: Some("DOCUMENTS_MISSING".into()),
                message: "영수증".into(),
                due_on: chrono::NaiveDate::from_ymd_opt(2023, 3, 14),
                another: true,
            },
            ClaimAction::InfoReceived => ClaimCommand::InfoReceived { note: "받음".into() },
            ClaimAction::Recommend => ClaimCommand::Recommend {
                decision: Decision::Approve {
                    remedy: crate::model::Remedy::Cash,
                    amount: dec!(30000),
                    extension_days: 0,
                    grants: Vec::new(),
                },
                justification: None,
            },
            ClaimAction::AddNote => ClaimCommand::AddNote { body: "메모".into() },
            ClaimAction::WithdrawNote => ClaimCommand::WithdrawNote { note_op: "n1".into() },
            ClaimAction::Annotate => ClaimCommand::Annotate { priority: None, tags: Some(vec![]) },
            ClaimAction::AddEvidence => ClaimCommand::AddEvidence {
                sha256: "a".repeat(64),
                file_name: "x.jpg".into(),
                mime: "image/jpeg".into(),
                size: 3,
            },
            ClaimAction::RevealPersonalData => ClaimCommand::RevealPersonalData { field: PersonalField::Brn },
            ClaimAction::UpdateIntake => ClaimCommand::UpdateIntake {
                claim: Box::new(ClaimInput::placeholder()),
                fields: vec!["name".into()],
            },
            ClaimAction::Lease => ClaimCommand::Lease,
            ClaimAction::ReleaseLease => ClaimCommand::ReleaseLease,
            ClaimAction::AddToBatch => ClaimCommand::AddToBatch { batch_id: "b".into() },
            ClaimAction::RemoveFromBatch => ClaimCommand::RemoveFromBatch,
            ClaimAction::ReturnToReviewer => ClaimCommand::ReturnToReviewer { comment: "다시".into() },
            ClaimAction::Approve => ClaimCommand::Approve { recommendation_op: "r".into() },
            ClaimAction::ReservePayout => ClaimCommand::ReservePayout { payout_id: "p".into() },
            ClaimAction::ReleasePayout => ClaimCommand::ReleasePayout { payout_id: "p".into() },
            ClaimAction::MarkPaid => ClaimCommand::MarkPaid { payout_id: "p".into() },
            ClaimAction::ReserveFulfilment => ClaimCommand::ReserveFulfilment { fulfilment_id: "f".into() },
            ClaimAction::ReleaseFulfilment => ClaimCommand::ReleaseFulfilment { fulfilment_id: "f".into() },
            ClaimAction::MarkFulfilled => ClaimCommand::MarkFulfilled { fulfilment_id: "f".into() },
            ClaimAction::ResolveConflict => {
                ClaimCommand::ResolveConflict { to: ClaimStatus::Triaged, note: String::new() }
            }
            ClaimAction::SetReportType => {
                ClaimCommand::SetReportType { report_type: crate::model::ReportType::Inquiry }
            }
            ClaimAction::CloseNoDamage => {
                ClaimCommand::CloseNoDamage { reply: "INQUIRY_ANSWERED".into(), note: "안내함".into() }
            }
            ClaimAction::Reopen => ClaimCommand::Reopen,
            ClaimAction::Notify => ClaimCommand::Notify {
                channels: vec![crate::model::NoticeChannel::Sms, crate::model::NoticeChannel::Email],
                lang: crate::message::Lang::En,
                resend: true,
            },
            ClaimAction::CheckDocument => {
                ClaimCommand::CheckDocument { document: "BANK_ACCOUNT_COPY".into(), received: false }
            }
            ClaimAction::Expire => ClaimCommand::Expire { note: "기한 경과".into() },
        }
    }

    #[test]
    fn every_claim_action_round_trips_through_its_wire_form() {
        for action in ClaimAction::ALL {
            let op = Op::Claim(command_of(*action));
            let kind = op.kind();
            assert_eq!(kind, format!("claim.{}", action.code()));
            let payload = op.payload();
            assert!(payload.get("action").is_none(), "the action is in the kind, not the payload: {payload}");
            assert_eq!(Op::decode(&kind, &payload), Ok(op), "{kind}");
        }
    }

    #[test]
    fn team_ops_round_trip_and_carry_their_kind() {
        let ops = [
            Op::BatchCreate(BatchCreate { id: "b1".into(), name: "1차".into() }),
            Op::BatchApprove(BatchApprove::default()),
            Op::PolicyCreate(PolicyCreate {
                version: 2,
                name: "n".into(),
                note: String::new(),
                toml: "x".into(),
                incident: None,
            }),
            Op::PolicyActivate(PolicyActivate { version: 2 }),
            Op::CatalogReplace(Box::new(Catalog::default_2022())),
            Op::PayoutExport(PayoutExport { id: "p".into(), file: "f.csv".into(), claims: 2, total: 10 }),
            Op::PayoutConfirm(PayoutRef { id: "p".into() }),
            Op::PayoutCancel(PayoutRef { id: "p".into() }),
            Op::FulfilmentExport(PayoutExport { id: "f".into(), file: "f.csv".into(), claims: 2, total: 0 }),
            Op::FulfilmentConfirm(PayoutRef { id: "f".into() }),
            Op::FulfilmentCancel(PayoutRef { id: "f".into() }),
            Op::UserCreate(UserRecord {
                id: "kim".into(),
                display_name: "김".into(),
                role: Role::Reviewer,
                approval_limit: None,
                active: true,
            }),
            Op::UserUpdate(UserUpdate {
                id: "kim".into(),
                display_name: None,
                role: Some(Role::Admin),
                approval_limit: Some(None),
                active: None,
            }),
            Op::ClaimImport(Box::new(ClaimInput::placeholder())),
            Op::IncidentCreate(Box::new(IncidentCreate {
                catalog: Catalog::default_2022(),
                copied_from: Some("x".into()),
            })),
            Op::IncidentUpdate(Catalog::default_2022().incident),
        ];
        let kinds = [
            "batch.create",
            "batch.approve",
            "policy.create",
            "policy.activate",
            "catalog.replace",
            "payout.export",
            "payout.confirm",
            "payout.cancel",
            "fulfilment.export",
            "fulfilment.confirm",
            "fulfilment.cancel",
            "user.create",
            "user.update",
            "claim.import",
            "incident.create",
            "incident.update",
        ];
        assert_eq!(Op::ClaimImport(Box::new(ClaimInput::placeholder())).kind(), IMPORT_KIND);
        for (op, kind) in ops.iter().zip(kinds) {
            assert_eq!(op.kind(), kind);
            assert_eq!(Op::decode(kind, &op.payload()).as_ref(), Ok(op), "{kind}");
        }
    }

    #[test]
    fn ops_without_an_incident_belong_to_the_first_one() {
        // As an older desktop wrote them: no incident field at all.
        let Ok(Op::PolicyCreate(p)) =
            Op::decode("policy.create", &serde_json::json!({"version": 3, "toml": "x"}))
        else {
            panic!()
        };
        assert_eq!(p.incident_id(), FIRST_INCIDENT);
        let mut claim = ClaimInput::placeholder();
        assert_eq!(claim.incident_id(), FIRST_INCIDENT);
        claim.set_incident(FIRST_INCIDENT);
        assert!(
            Op::ClaimImport(Box::new(claim.clone())).payload().get("incident").is_none(),
            "the first incident is written as none"
        );
        claim.set_incident("breach-2025-11");
        let payload = Op::ClaimImport(Box::new(claim)).payload();
        assert_eq!(payload["incident"], "breach-2025-11");
        let Ok(Op::ClaimImport(back)) = Op::decode(IMPORT_KIND, &payload) else { panic!() };
        assert_eq!(back.incident_id(), "breach-2025-11");
        let op = Op::IncidentCreate(Box::new(IncidentCreate {
            catalog: Catalog::default_2022(),
            copied_from: None,
        }));
        assert_eq!(
            (op.scope(), op.required_action(), op.entity_prefix()),
            (Scope::Team, Some(AdminAction::ManageIncidents), "incident:")
        );
    }

    #[test]
    fn results_written_into_a_payload_are_not_part_of_the_op() {
        // A modified client's fields (the result it would like) decode to the bare action.
        let forged = serde_json::json!({"to": "paid", "assignee": "lee", "by": "lee", "is_override": false, "from": "new"});
        assert_eq!(Op::decode("claim.take", &forged), Ok(Op::Claim(ClaimCommand::Take)));
        let rec = serde_json::json!({
            "op_id": "x", "by": "someone-else", "is_override": false, "to": "approved",
            "decision": {"decision": "approve", "remedy": "cash", "amount": "50000000", "extension_days": 0}
        });
        match Op::decode("claim.recommend", &rec) {
            Ok(Op::Claim(ClaimCommand::Recommend {
                decision: Decision::Approve { amount, .. },
                justification: None,
            })) => {
                assert_eq!(amount, dec!(50000000))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_kinds_and_unreadable_payloads_are_errors_with_codes() {
        assert_eq!(
            Op::decode("claim.teleport", &serde_json::json!({})).map_err(|e| e.code()),
            Err("UNKNOWN_KIND")
        );
        assert_eq!(
            Op::decode("rocket.launch", &serde_json::json!({})).map_err(|e| e.code()),
            Err("UNKNOWN_KIND")
        );
        assert_eq!(
            Op::decode("claim.recommend", &serde_json::json!({})).map_err(|e| e.code()),
            Err("BAD_PAYLOAD")
        );
        assert_eq!(
            Op::decode("claim.take", &serde_json::json!([1])).map_err(|e| e.code()),
            Err("BAD_PAYLOAD")
        );
        assert_eq!(
            Op::decode("policy.create", &serde_json::json!({"version": "x"})).map_err(|e| e.code()),
            Err("BAD_PAYLOAD")
        );
        // Korean labels are not kinds.
        assert_eq!(
            Op::decode("claim.승인", &serde_json::json!({})).map_err(|e| e.code()),
            Err("UNKNOWN_KIND")
        );
    }

    #[test]
    fn denials_and_requests_written_before_coded_reasons_read_without_a_code() {
        let deny = Op::decode(
            "claim.recommend",
            &serde_json::json!({"decision": {"decision": "deny", "reason": "피해 없음"}}),
        );
        assert_eq!(
            deny,
            Ok(Op::Claim(ClaimCommand::Recommend {
                decision: Decision::Deny { code: None, reason: "피해 없음".into() },
                justification: None
            }))
        );
        let request = Op::decode("claim.request_info", &serde_json::json!({"message": "영수증"}));
        assert_eq!(
            request,
            Ok(Op::Claim(ClaimCommand::RequestInfo {
                code: None,
                message: "영수증".into(),
                due_on: None,
                another: false
            }))
        );
        // A coded denial without a note, and the legacy text field kept as the note.
        let coded = Op::Claim(ClaimCommand::Recommend {
            decision: Decision::Deny { code: Some("NO_LOSS_SHOWN".into()), reason: String::new() },
            justification: None,
        });
        assert_eq!(
            coded.payload()["decision"],
            serde_json::json!({"decision": "deny", "code": "NO_LOSS_SHOWN", "reason": ""})
        );
        assert_eq!(Op::decode("claim.recommend", &coded.payload()), Ok(coded));
    }

    #[test]
    fn legacy_payloads_read_as_their_commands() {
        let withdraw = Op::decode("claim.add_note", &serde_json::json!({"withdraws": "n1"}));
        assert_eq!(withdraw, Ok(Op::Claim(ClaimCommand::WithdrawNote { note_op: "n1".into() })));
        let approve =
            Op::decode("claim.approve", &serde_json::json!({"recommendation": "r1", "batch_id": "b"}));
        assert_eq!(approve, Ok(Op::Claim(ClaimCommand::Approve { recommendation_op: "r1".into() })));
        let both = Op::decode(
            "claim.approve",
            &serde_json::json!({"recommendation": "r1", "recommendation_op": "r1"}),
        );
        assert_eq!(both, Ok(Op::Claim(ClaimCommand::Approve { recommendation_op: "r1".into() })));
        let paid = Op::decode("claim.mark_paid", &serde_json::json!({"payout_id": 3}));
        assert_eq!(paid, Ok(Op::Claim(ClaimCommand::MarkPaid { payout_id: format!("{LEGACY_PAYOUT}3") })));
        let cleared =
            Op::decode("claim.triage", &serde_json::json!({"duplicate_of": null, "duplicate_cleared": true}));
        assert!(matches!(
            cleared,
            Ok(Op::Claim(ClaimCommand::Triage { duplicate_cleared: true, duplicate_of: None, .. }))
        ));
    }
}
