//! What people do to one claim, through one path: load the claim, ask the
//! core's workflow rules, apply the change, append the op (the audit entry),
//! all in one transaction. A refused action leaves only an audit entry of
//! the refusal.

use claimdesk_core::mask::{mask_account, mask_brn, mask_extra, mask_phone};
use claimdesk_core::msg;
use claimdesk_core::policy::{CitedReason, DocumentDef};
use claimdesk_core::workflow::{ClaimCommand, ClaimView, Decision, PolicyProposal, Priority, Recommendation};
use claimdesk_core::{Actor, Category, ClaimInput, ClaimStatus, NoteKind, ReportType};
use claimdesk_sync::fold::normalize_tags;
use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpReceipt, OpWriter};
use crate::Store;

/// What a request for information says beyond its reason: a due date given
/// instead of the policy's window, and whether it is a supervisor's further one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InfoRequest {
    pub due_on: Option<chrono::NaiveDate>,
    pub another: bool,
}

/// A claim row as the rules see it (allowed actions, batch approval).
#[derive(Debug, Clone)]
pub(crate) struct ClaimRecord {
    pub external_id: String,
    pub status: ClaimStatus,
    pub assignee: Option<String>,
    pub recommendation: Option<Recommendation>,
    pub batch_id: Option<String>,
    pub proposal: Option<PolicyProposal>,
    pub reserved_for: Option<String>,
    pub reserved_by: Option<String>,
    pub report_type: ReportType,
    pub notified: bool,
    /// The request for information it waits for, with its own due date (before any extension).
    pub request: Option<claimdesk_core::workflow::OpenRequest>,
    pub requests: u32,
}

impl ClaimRecord {
    pub fn view(&self) -> ClaimView {
        ClaimView {
            status: self.status,
            assignee: self.assignee.clone(),
            recommendation: self.recommendation.clone(),
            batch_id: self.batch_id.clone(),
            proposal: self.proposal.clone(),
            reserved_for: self.reserved_for.clone(),
            reserved_by: self.reserved_by.clone(),
            report_type: self.report_type,
            cited: None,
            notified: self.notified,
            request: self.request,
            requests: self.requests,
            as_of: None,
        }
    }
}

const RECORD_COLUMNS: &str =
    "external_id, status, assignee, recommendation, batch_id, reserved_for, eligible, reason, remedy, amount, extension_days, grants, report_type, notified,
     requested_on, due_on, info_requests, reserved_by";

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<ClaimRecord> {
    let status: String = r.get(1)?;
    let rec: Option<String> = r.get(3)?;
    let outcome = crate::evaluate::stored_outcome(r, 6)?;
    Ok(ClaimRecord {
        external_id: r.get(0)?,
        status: status.parse().unwrap_or(ClaimStatus::Conflict),
        assignee: r.get(2)?,
        recommendation: rec.and_then(|t| serde_json::from_str(&t).ok()),
        batch_id: r.get(4)?,
        proposal: outcome.map(|o| PolicyProposal::of(&o)),
        reserved_for: r.get(5)?,
        report_type: ReportType::parse(&r.get::<_, String>(12)?).unwrap_or_default(),
        notified: r.get(13)?,
        request: match (r.get::<_, Option<String>>(14)?, r.get::<_, Option<String>>(15)?) {
            (Some(asked), Some(due)) => {
                asked.parse().ok().zip(due.parse().ok()).map(|(requested_on, due_on)| {
                    claimdesk_core::workflow::OpenRequest { requested_on, due_on }
                })
            }
            _ => None,
        },
        requests: r.get(16)?,
        reserved_by: r.get(17)?,
    })
}

pub(crate) fn load_record(conn: &Connection, external_id: &str) -> Result<ClaimRecord> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {RECORD_COLUMNS} FROM claims WHERE external_id = ?1"))?;
    stmt.query_row([external_id], record_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))
}

pub(crate) fn load_records_where(
    conn: &Connection,
    condition: &str,
    param: &str,
) -> Result<Vec<ClaimRecord>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {RECORD_COLUMNS} FROM claims WHERE {condition} ORDER BY external_id"))?;
    let rows = stmt.query_map([param], record_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The intake fields of a stored claim, as imported (or last updated by intake).
pub(crate) fn load_input(conn: &Connection, id: i64) -> Result<ClaimInput> {
    conn.query_row(
        "SELECT external_id, received_at, filed_category, name, phone, brn, service, damage_start, damage_end,
                claimed_amount, daily_income, documented_loss, ad_spend, description, bank_name, account_no, extra, incident_id
         FROM claims WHERE id = ?1",
        [id],
        |r| {
            let t = |i: usize| -> rusqlite::Result<chrono::DateTime<chrono::Utc>> {
                Ok(chrono::DateTime::from_timestamp(r.get(i)?, 0).unwrap_or_default())
            };
            let m = |i: usize| -> rusqlite::Result<Option<Decimal>> { Ok(r.get::<_, Option<i64>>(i)?.map(Decimal::from)) };
            let category: String = r.get(2)?;
            let extra: Option<String> = r.get(16)?;
            let incident: String = r.get(17)?;
            let mut input = ClaimInput {
                external_id: r.get(0)?,
                received_at: t(1)?,
                category: Category::parse(&category).unwrap_or(Category::Other),
                name: r.get(3)?,
                phone: r.get(4)?,
                brn: r.get(5)?,
                service: r.get(6)?,
                damage_start: t(7)?,
                damage_end: t(8)?,
                claimed_amount: m(9)?,
                daily_income: m(10)?,
                documented_loss: m(11)?,
                ad_spend: m(12)?,
                description: r.get(13)?,
                bank_name: r.get(14)?,
                account_no: r.get(15)?,
                extra: extra.and_then(|e| serde_json::from_str(&e).ok()).unwrap_or_default(),
                incident: None,
            };
            input.set_incident(&incident);
            Ok(input)
        },
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("claim #{id}")))
}

/// Keeps claimant_key equal to the policy's claimant key for the current
/// category (`claimdesk_core::model::claimant_key`, the one definition).
pub(crate) fn refresh_claimant_key(conn: &Connection, id: i64) -> Result<()> {
    let (category, phone, brn): (String, Option<String>, Option<String>) =
        conn.query_row("SELECT category, phone, brn FROM claims WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let category = Category::parse(&category).unwrap_or(Category::Other);
    let key = claimdesk_core::model::claimant_key(category, phone.as_deref(), brn.as_deref());
    conn.execute("UPDATE claims SET claimant_key = ?2 WHERE id = ?1", params![id, key])?;
    Ok(())
}

/// A category, priority, tag or duplicate-mark change made in triage.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct TriageChange {
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub tags: Option<Vec<String>>,
    /// Some(None) clears the mark.
    pub duplicate_of: Option<Option<String>>,
}

pub use claimdesk_core::PersonalField;

impl Store {
    /// The one path for a change to a single claim, in its own transaction:
    /// decided by the core's rules against the claim's folded state, appended,
    /// folded and written ([`crate::claim_state::apply_local`]). A refusal
    /// leaves only its audit entry.
    pub(crate) fn claim_change(
        &mut self,
        actor: &Actor,
        external_id: &str,
        seen_version: Option<i64>,
        cmd: ClaimCommand,
    ) -> Result<crate::claim_state::LocalChange> {
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        let result =
            crate::claim_state::apply_local(&tx, &mut ops, &author, actor, external_id, seen_version, cmd);
        match result {
            Ok(done) => {
                ops.finish(&tx)?;
                tx.commit()?;
                Ok(done)
            }
            Err(err @ StoreError::Refused(_)) => {
                // Keep only the audit entry of the refusal.
                ops.finish(&tx)?;
                tx.commit()?;
                Err(err)
            }
            Err(other) => Err(other),
        }
    }

    /// One command per claim, all in one transaction, each through the one
    /// path (decided, appended, folded): a refused claim is reported with its
    /// reason and leaves its audit entry; the others are applied. What bulk
    /// actions over a selection or a whole filter use.
    pub fn apply_to_many(
        &mut self,
        actor: &Actor,
        items: Vec<(String, ClaimCommand)>,
    ) -> Result<crate::batches::ManyApplied> {
        self.apply_each(actor, items.into_iter().map(|(id, cmd)| (id, None, cmd)).collect())
    }

    /// [`Store::apply_to_many`] with the version each command was made on
    /// (a claim changed since is refused as STALE, and reported).
    pub(crate) fn apply_each(
        &mut self,
        actor: &Actor,
        items: Vec<(String, Option<i64>, ClaimCommand)>,
    ) -> Result<crate::batches::ManyApplied> {
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        let mut report = crate::batches::ManyApplied::default();
        for (external_id, seen, cmd) in items {
            match crate::claim_state::apply_local(&tx, &mut ops, &author, actor, &external_id, seen, cmd) {
                Ok(_) => report.applied += 1,
                Err(e @ (StoreError::Refused(_) | StoreError::NotFound(_) | StoreError::Stale { .. })) => {
                    report.refused.push(crate::batches::ClaimRefusal::new(&external_id, e.code(), &e))
                }
                Err(e) => return Err(e),
            }
        }
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    fn change(
        &mut self,
        actor: &Actor,
        external_id: &str,
        seen_version: Option<i64>,
        cmd: ClaimCommand,
    ) -> Result<OpReceipt> {
        Ok(self.claim_change(actor, external_id, seen_version, cmd)?.receipt)
    }

    /// Triage: correct the category, set priority and tags, mark a duplicate.
    pub fn triage(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        change: TriageChange,
    ) -> Result<OpReceipt> {
        if let Some(Some(dup)) = &change.duplicate_of {
            if dup == external_id {
                return Err(StoreError::Invalid(msg!("store.self_duplicate")));
            }
            load_record(self.conn(), dup)?;
        }
        let cmd = ClaimCommand::Triage {
            category: change.category,
            priority: change.priority,
            tags: change.tags.as_ref().map(|t| normalize_tags(t)),
            duplicate_cleared: matches!(change.duplicate_of, Some(None)),
            duplicate_of: change.duplicate_of.flatten(),
        };
        self.change(actor, external_id, base, cmd)
    }

    /// Take the claim (assign it to oneself); taking it from another holder is recorded as a take-over.
    pub fn take(&mut self, actor: &Actor, external_id: &str, base: Option<i64>) -> Result<OpReceipt> {
        self.change(actor, external_id, base, ClaimCommand::Take)
    }

    /// Give a held claim back to the queue.
    pub fn release(&mut self, actor: &Actor, external_id: &str, base: Option<i64>) -> Result<OpReceipt> {
        self.change(actor, external_id, base, ClaimCommand::Release)
    }

    /// Ask the claimant for more information: `code` cites a deficiency
    /// reason of the policy in force (required: REASON_REQUIRED without,
    /// UNKNOWN_REASON for a code the policy lacks); the message goes beside
    /// it. The due date is the policy's window unless `request.due_on` gives
    /// one; a claim's second request is a supervisor's (`request.another`).
    pub fn request_info(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        code: Option<&str>,
        message: &str,
        request: InfoRequest,
    ) -> Result<OpReceipt> {
        let code = code.map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        let cmd = ClaimCommand::RequestInfo {
            code,
            message: message.trim().to_string(),
            due_on: request.due_on,
            another: request.another,
        };
        self.change(actor, external_id, base, cmd)
    }

    /// Set what the report is (triage), while it is open.
    pub fn set_report_type(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        report_type: ReportType,
    ) -> Result<OpReceipt> {
        self.change(actor, external_id, base, ClaimCommand::SetReportType { report_type })
    }

    /// Supervisor: a closed non-damage report is a damage claim after all:
    /// back to triaged, unheld, as a damage claim.
    pub fn reopen(&mut self, actor: &Actor, external_id: &str, base: Option<i64>) -> Result<OpReceipt> {
        self.change(actor, external_id, base, ClaimCommand::Reopen)
    }

    /// Close a non-damage report with the standard reply `reply` (a closure
    /// code of the policy in force), a note beside it. A damage claim is
    /// refused (DAMAGE_CLAIM), so is a claim already decided.
    pub fn close_no_damage(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        reply: &str,
        note: &str,
    ) -> Result<OpReceipt> {
        let cmd =
            ClaimCommand::CloseNoDamage { reply: reply.trim().to_string(), note: note.trim().to_string() };
        self.change(actor, external_id, base, cmd)
    }

    /// Closes every claim the filter matches with the same reply, in one
    /// transaction: the non-damage reports are closed; the others (damage
    /// claims, claims decided or held by another) are reported with why.
    pub fn close_no_damage_where(
        &mut self,
        actor: &Actor,
        filter: &crate::queue::QueueFilter,
        reply: &str,
        note: &str,
    ) -> Result<crate::batches::ManyApplied> {
        let ids = self.queue_ids(filter)?;
        let cmd =
            ClaimCommand::CloseNoDamage { reply: reply.trim().to_string(), note: note.trim().to_string() };
        self.apply_to_many(actor, ids.into_iter().map(|id| (id, cmd.clone())).collect())
    }

    /// The claimant answered; the claim returns to review. The answer is kept as a note.
    pub fn info_received(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        note: &str,
    ) -> Result<OpReceipt> {
        self.change(actor, external_id, base, ClaimCommand::InfoReceived { note: note.trim().to_string() })
    }

    /// Record a recommendation; one that differs from the policy is an override and needs a justification.
    pub fn recommend(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        decision: Decision,
        justification: Option<String>,
    ) -> Result<OpReceipt> {
        let justification = justification.map(|j| j.trim().to_string()).filter(|j| !j.is_empty());
        self.change(actor, external_id, base, ClaimCommand::Recommend { decision, justification })
    }

    /// Add a note (append-only; a withdrawn note is hidden, never deleted).
    pub fn add_note(&mut self, actor: &Actor, external_id: &str, body: &str) -> Result<OpReceipt> {
        self.change(actor, external_id, None, ClaimCommand::AddNote { body: body.trim().to_string() })
    }

    /// Hide one's own note (the withdrawal is itself an op; the note stays in the history).
    pub fn withdraw_note(&mut self, actor: &Actor, external_id: &str, note_op: &str) -> Result<OpReceipt> {
        self.change(actor, external_id, None, ClaimCommand::WithdrawNote { note_op: note_op.to_string() })
    }

    /// Change tags or priority without a status change.
    pub fn annotate(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        priority: Option<Priority>,
        tags: Option<Vec<String>>,
    ) -> Result<OpReceipt> {
        let tags = tags.map(|t| normalize_tags(&t));
        self.change(actor, external_id, base, ClaimCommand::Annotate { priority, tags })
    }

    /// Show one personal field in full; the reveal is written to the audit log.
    pub fn reveal(
        &mut self,
        actor: &Actor,
        external_id: &str,
        field: PersonalField,
    ) -> Result<Option<String>> {
        self.change(actor, external_id, None, ClaimCommand::RevealPersonalData { field })?;
        let value: Option<String> = self.conn().query_row(
            &format!("SELECT {} FROM claims WHERE external_id = ?1", field.column()),
            [external_id],
            |r| r.get(0),
        )?;
        Ok(value)
    }

    /// Supervisor: settle a claim in conflict by choosing the state it goes to.
    pub fn resolve_conflict(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        to: ClaimStatus,
        note: &str,
    ) -> Result<OpReceipt> {
        self.change(
            actor,
            external_id,
            base,
            ClaimCommand::ResolveConflict { to, note: note.trim().to_string() },
        )
    }
}

/// The ids of the claims in the same (incident, claimant key, service) group as `id`, itself included.
pub(crate) fn group_ids(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM claims c JOIN claims me ON me.id = ?1
         WHERE c.id = me.id OR (c.claimant_key = me.claimant_key AND c.service = me.service AND c.incident_id = me.incident_id)",
    )?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A claim's extra intake columns as shown: those holding personal data
/// (by header or by value, `claimdesk_core::mask::is_personal_extra`)
/// masked like the named personal fields.
fn masked_extra(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        for (header, value) in map.iter_mut() {
            if let Some(text) = value.as_str() {
                *value = Value::String(mask_extra(header, text));
            }
        }
    }
    v
}

/// Masks personal data inside an op payload shown on a timeline (the named
/// fields and the personal extra columns of an import or an update).
pub(crate) fn masked_payload(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    match (key.as_str(), value.as_str()) {
                        ("extra", None) if value.is_object() => *value = masked_extra(value.take()),
                        ("phone", Some(p)) => *value = Value::String(mask_phone(p)),
                        ("brn", Some(b)) => *value = Value::String(mask_brn(b)),
                        ("account_no", Some(a)) => *value = Value::String(mask_account(a)),
                        _ => walk(value),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

/// Everything about one claim that a reviewer sees, personal data masked.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ClaimDetail {
    pub external_id: String,
    /// The incident the claim belongs to.
    pub incident_id: String,
    pub version: i64,
    pub status: ClaimStatus,
    pub received_at: i64,
    pub category: Category,
    pub filed_category: Category,
    pub name: String,
    pub phone_masked: Option<String>,
    pub brn_masked: Option<String>,
    pub bank_name: Option<String>,
    pub account_masked: Option<String>,
    pub service: String,
    pub damage_start: i64,
    pub damage_end: i64,
    pub claimed_amount: Option<i64>,
    pub daily_income: Option<i64>,
    pub documented_loss: Option<i64>,
    pub ad_spend: Option<i64>,
    pub description: String,
    pub extra: Value,
    pub priority: String,
    pub tags: Vec<String>,
    pub assignee: Option<String>,
    pub duplicate_of: Option<String>,
    pub batch_id: Option<String>,
    pub recommendation: Option<Recommendation>,
    /// The catalog entry its recommendation's denial code named when it was
    /// made (the op's stamp), so the reason reads as the claimant was told.
    pub recommendation_reason: Option<CitedReason>,
    pub notes: Vec<Note>,
    pub evidence: Vec<crate::evidence::EvidenceFile>,
    pub report_type: ReportType,
    /// The reason code it carries now (its request's, its denial's, its closure's; LEGACY before codes).
    pub reason_code: Option<String>,
    /// The documents its category must send under the policy in force.
    pub documents: Vec<DocumentDef>,
    /// The decision notices the claimant was sent, oldest first.
    pub notices: Vec<crate::notices::NoticeSent>,
    /// Whether the claimant was told of the current decision (false while nothing is decided).
    pub notified: bool,
    /// Where its request for information stands (None unless it waits for one).
    pub cure: Option<crate::cure::CureClock>,
    /// The checklist's documents ticked as received (codes).
    pub documents_received: Vec<String>,
    /// How many requests for information it has had.
    pub info_requests: u32,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub op_id: String,
    pub author: String,
    pub kind: NoteKind,
    pub body: String,
    /// The reason code it cites (an info request's deficiency, a closure's reply).
    pub code: Option<String>,
    pub created_at: i64,
    pub withdrawn: bool,
}

/// One entry of a claim's audit timeline.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub seq: i64,
    pub op_id: String,
    pub at_ms: i64,
    pub user: String,
    pub device: String,
    pub kind: String,
    /// Refused on this desktop when it was tried (never left it).
    pub refused: bool,
    /// Another person's op (or one the server sent) that the rules refused here: it changed nothing.
    pub refusal: Option<TimelineRefusal>,
    /// The role the op was decided with (as the server recorded it, once synced).
    pub role: Option<String>,
    pub payload: Value,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct TimelineRefusal {
    pub code: String,
    /// English.
    pub reason: String,
    /// The reason in the reader's language (refusals recorded before it existed have none).
    pub explain: Option<claimdesk_core::message::Message>,
}

impl Store {
    pub fn claim(&self, external_id: &str) -> Result<ClaimDetail> {
        let conn = self.conn();
        let (id, mut detail) = conn
            .query_row(
                "SELECT id, external_id, version, status, received_at, category, filed_category, name, phone, brn, bank_name,
                        account_no, service, damage_start, damage_end, claimed_amount, daily_income, documented_loss, ad_spend,
                        description, extra, priority, tags, assignee, duplicate_of, batch_id, recommendation, incident_id,
                        report_type, reason_code, notified, info_requests
                 FROM claims WHERE external_id = ?1",
                [external_id],
                |r| {
                    let status: String = r.get(3)?;
                    let cat: String = r.get(5)?;
                    let filed: String = r.get(6)?;
                    let extra: Option<String> = r.get(20)?;
                    let tags: String = r.get(22)?;
                    let rec: Option<String> = r.get(26)?;
                    Ok((
                        r.get::<_, i64>(0)?,
                        ClaimDetail {
                            external_id: r.get(1)?,
                            incident_id: r.get(27)?,
                            version: r.get(2)?,
                            status: status.parse().unwrap_or(ClaimStatus::Conflict),
                            received_at: r.get(4)?,
                            category: Category::parse(&cat).unwrap_or(Category::Other),
                            filed_category: Category::parse(&filed).unwrap_or(Category::Other),
                            name: r.get(7)?,
                            phone_masked: r.get::<_, Option<String>>(8)?.map(|p| mask_phone(&p)),
                            brn_masked: r.get::<_, Option<String>>(9)?.map(|b| mask_brn(&b)),
                            bank_name: r.get(10)?,
                            account_masked: r.get::<_, Option<String>>(11)?.map(|a| mask_account(&a)),
                            service: r.get(12)?,
                            damage_start: r.get(13)?,
                            damage_end: r.get(14)?,
                            claimed_amount: r.get(15)?,
                            daily_income: r.get(16)?,
                            documented_loss: r.get(17)?,
                            ad_spend: r.get(18)?,
                            description: r.get(19)?,
                            extra: extra
                                .and_then(|e| serde_json::from_str(&e).ok())
                                .map(masked_extra)
                                .unwrap_or(Value::Null),
                            priority: r.get(21)?,
                            tags: serde_json::from_str(&tags).unwrap_or_default(),
                            assignee: r.get(23)?,
                            duplicate_of: r.get(24)?,
                            batch_id: r.get(25)?,
                            recommendation: rec.and_then(|t| serde_json::from_str(&t).ok()),
                            recommendation_reason: None,
                            notes: Vec::new(),
                            evidence: Vec::new(),
                            report_type: ReportType::parse(&r.get::<_, String>(28)?).unwrap_or_default(),
                            reason_code: r.get(29)?,
                            documents: Vec::new(),
                            notices: Vec::new(),
                            notified: r.get(30)?,
                            cure: None,
                            documents_received: Vec::new(),
                            info_requests: r.get(31)?,
                        },
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        let mut stmt = conn.prepare_cached(
            "SELECT op_id, author, kind, body, created_at, hidden_by IS NOT NULL, code FROM notes WHERE claim_id = ?1 ORDER BY id",
        )?;
        let notes = stmt.query_map([id], |r| {
            let kind: String = r.get(2)?;
            Ok(Note {
                op_id: r.get(0)?,
                author: r.get(1)?,
                kind: NoteKind::parse(&kind).unwrap_or(NoteKind::Note),
                body: r.get(3)?,
                code: r.get(6)?,
                created_at: r.get(4)?,
                withdrawn: r.get(5)?,
            })
        })?;
        detail.notes = notes.collect::<Result<_, _>>()?;
        detail.evidence = crate::evidence::list(conn, id)?;
        detail.notices = crate::notices::sent_for(conn, id)?;
        if let Some(rec) = &detail.recommendation {
            let cited: Option<String> = conn
                .prepare_cached("SELECT cited FROM ops WHERE op_id = ?1")?
                .query_row([&rec.op_id], |r| r.get(0))
                .optional()?
                .flatten();
            detail.recommendation_reason = cited.and_then(|c| serde_json::from_str(&c).ok());
        }
        // A policy that does not read leaves the list empty rather than the claim unreadable.
        if let Ok((_, policy)) = crate::policies::active_policy_in(conn, &detail.incident_id) {
            detail.documents = policy.documents_for(detail.category).into_iter().cloned().collect();
        }
        detail.cure = self.cure_clock(external_id)?;
        let state = crate::claim_state::load_state(conn, id, external_id, detail.filed_category)?;
        detail.documents_received = state.documents;
        Ok(detail)
    }

    /// The claim's whole history, oldest first: every op, refusals included.
    pub fn timeline(&self, external_id: &str) -> Result<Vec<TimelineEntry>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT o.seq, o.op_id, o.at, o.user_id, o.device, o.kind, o.outcome, o.payload, f.code, f.reason, o.role, f.explain
             FROM ops o LEFT JOIN fold_refusals f ON f.op_id = o.op_id WHERE o.entity = ?1 COLLATE BINARY ORDER BY o.seq",
        )?;
        let rows = stmt.query_map([format!("claim:{external_id}")], |r| {
            let outcome: String = r.get(6)?;
            let payload: String = r.get(7)?;
            let code: Option<String> = r.get(8)?;
            Ok(TimelineEntry {
                seq: r.get(0)?,
                op_id: r.get(1)?,
                at_ms: r.get(2)?,
                user: r.get(3)?,
                device: r.get(4)?,
                kind: r.get(5)?,
                refused: outcome == "refused",
                refusal: match code {
                    Some(code) => Some(TimelineRefusal {
                        code,
                        reason: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                        explain: r.get::<_, Option<String>>(11)?.and_then(|j| serde_json::from_str(&j).ok()),
                    }),
                    None => None,
                },
                role: r.get(10)?,
                payload: masked_payload(serde_json::from_str(&payload).unwrap_or(Value::Null)),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
