//! What people do to one claim, through one path: load the claim, ask the
//! core's workflow rules, apply the change, append the op (the audit entry),
//! all in one transaction. A refused action leaves only an audit entry of
//! the refusal.

use claimdesk_core::mask::{mask_account, mask_brn, mask_phone};
use claimdesk_core::workflow::{
    command_kind, decide, ClaimCommand, ClaimView, Decision, PolicyProposal, Priority, Recommendation, Transition,
};
use claimdesk_core::{Actor, Category, ClaimInput, ClaimStatus};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Result, StoreError};
use crate::oplog::{new_op_id, Author, OpReceipt, OpWriter, SyncState};
use crate::{now_secs, Store};

/// A claim row as the mutation path needs it.
#[derive(Debug, Clone)]
pub(crate) struct ClaimRecord {
    pub id: i64,
    pub external_id: String,
    pub version: i64,
    pub status: ClaimStatus,
    pub assignee: Option<String>,
    pub recommendation: Option<Recommendation>,
    pub batch_id: Option<String>,
    pub proposal: Option<PolicyProposal>,
    pub category: Category,
}

impl ClaimRecord {
    pub fn view(&self) -> ClaimView {
        ClaimView {
            status: self.status,
            assignee: self.assignee.clone(),
            recommendation: self.recommendation.clone(),
            batch_id: self.batch_id.clone(),
            proposal: self.proposal.clone(),
        }
    }
}

const RECORD_COLUMNS: &str =
    "id, external_id, version, status, assignee, recommendation, batch_id, eligible, reason, remedy, amount, extension_days, category";

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<ClaimRecord> {
    let status: String = r.get(3)?;
    let rec: Option<String> = r.get(5)?;
    let category: String = r.get(12)?;
    let outcome = crate::evaluate::stored_outcome(r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?);
    Ok(ClaimRecord {
        id: r.get(0)?,
        external_id: r.get(1)?,
        version: r.get(2)?,
        status: status.parse().unwrap_or(ClaimStatus::Conflict),
        assignee: r.get(4)?,
        recommendation: rec.and_then(|t| serde_json::from_str(&t).ok()),
        batch_id: r.get(6)?,
        proposal: outcome.map(|o| PolicyProposal {
            eligible: o.eligible,
            remedy: o.remedy,
            amount: o.amount,
            extension_days: o.extension_days,
        }),
        category: Category::parse(&category).unwrap_or(Category::Other),
    })
}

pub(crate) fn load_record(conn: &Connection, external_id: &str) -> Result<ClaimRecord> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {RECORD_COLUMNS} FROM claims WHERE external_id = ?1"))?;
    stmt.query_row([external_id], record_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))
}

pub(crate) fn load_records_where(conn: &Connection, condition: &str, param: &str) -> Result<Vec<ClaimRecord>> {
    let mut stmt = conn.prepare(&format!("SELECT {RECORD_COLUMNS} FROM claims WHERE {condition} ORDER BY external_id"))?;
    let rows = stmt.query_map([param], record_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The intake fields of a stored claim, as imported (or last updated by intake).
pub(crate) fn load_input(conn: &Connection, id: i64) -> Result<ClaimInput> {
    conn.query_row(
        "SELECT external_id, received_at, filed_category, name, phone, brn, service, damage_start, damage_end,
                claimed_amount, daily_income, documented_loss, ad_spend, description, bank_name, account_no, extra
         FROM claims WHERE id = ?1",
        [id],
        |r| {
            let t = |i: usize| -> rusqlite::Result<chrono::DateTime<chrono::Utc>> {
                Ok(chrono::DateTime::from_timestamp(r.get(i)?, 0).unwrap_or_default())
            };
            let m = |i: usize| -> rusqlite::Result<Option<Decimal>> { Ok(r.get::<_, Option<i64>>(i)?.map(Decimal::from)) };
            let category: String = r.get(2)?;
            let extra: Option<String> = r.get(16)?;
            Ok(ClaimInput {
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
            })
        },
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("claim #{id}")))
}

/// Keeps claimant_key equal to the policy's claimant key for the current
/// category (`claimdesk_core::model::claimant_key`, the one definition).
pub(crate) fn refresh_claimant_key(conn: &Connection, id: i64) -> Result<()> {
    let (category, phone, brn): (String, Option<String>, Option<String>) =
        conn.query_row("SELECT category, phone, brn FROM claims WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let category = Category::parse(&category).unwrap_or(Category::Other);
    let key = claimdesk_core::model::claimant_key(category, phone.as_deref(), brn.as_deref());
    conn.execute("UPDATE claims SET claimant_key = ?2 WHERE id = ?1", params![id, key])?;
    Ok(())
}

/// What the change did, for the op payload and the caller.
pub(crate) struct Applied<T> {
    pub payload: Value,
    pub value: T,
    /// Whether the change alters the claim's reviewable state (bumps its version).
    pub bumps_version: bool,
}

/// Applies one command to one claim inside an open transaction. A refusal is
/// appended to the audit chain (in this transaction) and returned as an error.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_in_tx<T>(
    tx: &Transaction<'_>,
    ops: &mut OpWriter,
    author: &Author<'_>,
    actor: &Actor,
    record: &ClaimRecord,
    base: Option<i64>,
    cmd: &ClaimCommand,
    apply: impl FnOnce(&Transaction<'_>, &ClaimRecord, &Transition, &str) -> Result<Applied<T>>,
) -> Result<(T, OpReceipt)> {
    let kind = format!("claim.{}", command_kind(cmd));
    let entity = format!("claim:{}", record.external_id);
    let transition = match decide(actor, &record.view(), cmd) {
        Ok(t) => t,
        Err(refusal) => {
            let err = StoreError::Refused(refusal);
            let payload = json!({"code": err.code(), "message": err.to_string()}).to_string();
            ops.append(tx, author, &entity, &kind, &payload, base, true, SyncState::Local)?;
            return Err(err);
        }
    };
    let op_id = new_op_id();
    let Applied { mut payload, value, bumps_version } = apply(tx, record, &transition, &op_id)?;
    let moved = transition.to != record.status || transition.assignee != record.assignee;
    if let Value::Object(map) = &mut payload {
        map.insert("from".into(), json!(record.status));
        map.insert("to".into(), json!(transition.to));
        map.insert("assignee".into(), json!(transition.assignee));
        if let Some(from) = &transition.taken_over_from {
            map.insert("taken_over_from".into(), json!(from));
        }
    }
    if moved || bumps_version {
        tx.execute(
            "UPDATE claims SET status = ?2, assignee = ?3, version = version + 1, updated_at = ?4 WHERE id = ?1",
            params![record.id, transition.to.code(), transition.assignee, now_secs()],
        )?;
    }
    // A decision's base is the claim's decision count (sync.md, fold.rs): two
    // decisions on the same count from different devices may collide; an
    // annotation beside a decision never does. Other ops carry the version seen.
    let op_base = if claimdesk_sync::fold::is_decision(&kind, &payload) {
        Some(crate::sync_apply::next_decision(tx, record.id)?)
    } else {
        base.or(Some(record.version))
    };
    let receipt = ops.append_with_id(tx, op_id, author, &entity, &kind, &payload.to_string(), op_base, false, SyncState::Pending)?;
    Ok((value, receipt))
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

/// Which personal field to reveal.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalField {
    Phone,
    Brn,
    AccountNo,
}

impl Store {
    /// The one path for a change to a single claim.
    pub(crate) fn claim_change<T>(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        cmd: ClaimCommand,
        apply: impl FnOnce(&Transaction<'_>, &ClaimRecord, &Transition, &str) -> Result<Applied<T>>,
    ) -> Result<(T, OpReceipt)> {
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let record = load_record(&tx, external_id)?;
        if let Some(seen) = base {
            if seen != record.version {
                return Err(StoreError::Stale { claim: external_id.to_string(), seen, now: record.version });
            }
        }
        let mut ops = OpWriter::begin(&tx)?;
        let result = apply_in_tx(&tx, &mut ops, &author, actor, &record, base, &cmd, apply);
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

    /// Triage: correct the category, set priority and tags, mark a duplicate.
    pub fn triage(&mut self, actor: &Actor, external_id: &str, base: Option<i64>, change: TriageChange) -> Result<OpReceipt> {
        if let Some(Some(dup)) = &change.duplicate_of {
            if dup == external_id {
                return Err(StoreError::Invalid("a claim cannot be a duplicate of itself".into()));
            }
            load_record(self.conn(), dup)?;
        }
        let tags = change.tags.as_ref().map(|t| normalize_tags(t));
        let (_, receipt) = self.claim_change(actor, external_id, base, ClaimCommand::Triage, |tx, rec, _, _| {
            let old_group = group_ids(tx, rec.id)?;
            tx.execute(
                "UPDATE claims SET category = coalesce(?2, category), priority = coalesce(?3, priority), tags = coalesce(?4, tags),
                     duplicate_of = CASE WHEN ?5 THEN ?6 ELSE duplicate_of END WHERE id = ?1",
                params![
                    rec.id, change.category.map(Category::code), change.priority.map(Priority::code),
                    tags.as_ref().map(|t| serde_json::to_string(t).unwrap_or_default()),
                    change.duplicate_of.is_some(), change.duplicate_of.clone().flatten()
                ],
            )?;
            if change.category.is_some_and(|c| c != rec.category) {
                refresh_claimant_key(tx, rec.id)?;
                let mut ids = old_group;
                ids.extend(group_ids(tx, rec.id)?);
                crate::evaluate::reevaluate_ids(tx, &ids)?;
            }
            // Only the fields this triage sets: each is a last-writer-wins field in sync.
            let mut payload = serde_json::Map::new();
            if let Some(c) = change.category {
                payload.insert("category".into(), json!(c));
            }
            if let Some(p) = change.priority {
                payload.insert("priority".into(), json!(p));
            }
            if let Some(t) = &tags {
                payload.insert("tags".into(), json!(t));
            }
            match &change.duplicate_of {
                Some(Some(d)) => {
                    payload.insert("duplicate_of".into(), json!(d));
                }
                Some(None) => {
                    payload.insert("duplicate_of".into(), Value::Null);
                    payload.insert("duplicate_cleared".into(), json!(true));
                }
                None => {}
            }
            Ok(Applied { payload: Value::Object(payload), value: (), bumps_version: true })
        })?;
        Ok(receipt)
    }

    /// Take the claim (assign it to oneself); taking it from another holder is recorded as a take-over.
    pub fn take(&mut self, actor: &Actor, external_id: &str, base: Option<i64>) -> Result<OpReceipt> {
        self.simple(actor, external_id, base, ClaimCommand::Take, json!({}))
    }

    /// Give a held claim back to the queue.
    pub fn release(&mut self, actor: &Actor, external_id: &str, base: Option<i64>) -> Result<OpReceipt> {
        self.simple(actor, external_id, base, ClaimCommand::Release, json!({}))
    }

    /// Ask the claimant for more information; the message is kept as a note.
    pub fn request_info(&mut self, actor: &Actor, external_id: &str, base: Option<i64>, message: &str) -> Result<OpReceipt> {
        let msg = message.trim().to_string();
        let cmd = ClaimCommand::RequestInfo { message: msg.clone() };
        let (_, r) = self.claim_change(actor, external_id, base, cmd, |tx, rec, _, op_id| {
            insert_note(tx, rec.id, op_id, &actor.user, "info_request", &msg)?;
            Ok(Applied { payload: json!({"message": msg}), value: (), bumps_version: true })
        })?;
        Ok(r)
    }

    /// The claimant answered; the claim returns to review. The answer is kept as a note.
    pub fn info_received(&mut self, actor: &Actor, external_id: &str, base: Option<i64>, note: &str) -> Result<OpReceipt> {
        let note = note.trim().to_string();
        let (_, r) = self.claim_change(actor, external_id, base, ClaimCommand::InfoReceived, |tx, rec, _, op_id| {
            if !note.is_empty() {
                insert_note(tx, rec.id, op_id, &actor.user, "info_received", &note)?;
            }
            Ok(Applied { payload: json!({"note": note}), value: (), bumps_version: true })
        })?;
        Ok(r)
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
        let cmd = ClaimCommand::Recommend { decision: decision.clone(), justification: justification.clone() };
        let (_, r) = self.claim_change(actor, external_id, base, cmd, |tx, rec, transition, op_id| {
            let recommendation = Recommendation {
                op_id: op_id.to_string(),
                by: actor.user.clone(),
                decision: decision.clone(),
                is_override: transition.is_override,
                justification: justification.clone(),
            };
            tx.execute(
                "UPDATE claims SET recommendation = ?2, is_override = ?3 WHERE id = ?1",
                params![rec.id, serde_json::to_string(&recommendation)?, transition.is_override],
            )?;
            Ok(Applied { payload: serde_json::to_value(&recommendation)?, value: (), bumps_version: true })
        })?;
        Ok(r)
    }

    /// Add a note (append-only; a withdrawn note is hidden, never deleted).
    pub fn add_note(&mut self, actor: &Actor, external_id: &str, body: &str) -> Result<OpReceipt> {
        let body = body.trim().to_string();
        if body.is_empty() {
            return Err(StoreError::Invalid("a note cannot be empty".into()));
        }
        let (_, r) = self.claim_change(actor, external_id, None, ClaimCommand::AddNote, |tx, rec, _, op_id| {
            insert_note(tx, rec.id, op_id, &actor.user, "note", &body)?;
            Ok(Applied { payload: json!({"body": body}), value: (), bumps_version: false })
        })?;
        Ok(r)
    }

    /// Hide one's own note (the withdrawal is itself an op; the note stays in the history).
    pub fn withdraw_note(&mut self, actor: &Actor, external_id: &str, note_op: &str) -> Result<OpReceipt> {
        let (_, r) = self.claim_change(actor, external_id, None, ClaimCommand::AddNote, |tx, rec, _, op_id| {
            let author: Option<String> = tx
                .query_row("SELECT author FROM notes WHERE op_id = ?1 AND claim_id = ?2", params![note_op, rec.id], |r| r.get(0))
                .optional()?;
            match author {
                None => return Err(StoreError::NotFound(format!("note {note_op} on claim {}", rec.external_id))),
                Some(a) if a != actor.user => {
                    return Err(StoreError::Invalid("only the author can withdraw a note".into()));
                }
                Some(_) => {}
            }
            tx.execute("UPDATE notes SET hidden_by = ?2 WHERE op_id = ?1 AND hidden_by IS NULL", params![note_op, op_id])?;
            Ok(Applied { payload: json!({"withdraws": note_op}), value: (), bumps_version: false })
        })?;
        Ok(r)
    }

    /// Change tags or priority without a status change.
    pub fn annotate(&mut self, actor: &Actor, external_id: &str, base: Option<i64>, priority: Option<Priority>, tags: Option<Vec<String>>) -> Result<OpReceipt> {
        let tags = tags.map(|t| normalize_tags(&t));
        let (_, r) = self.claim_change(actor, external_id, base, ClaimCommand::Annotate, |tx, rec, _, _| {
            tx.execute(
                "UPDATE claims SET priority = coalesce(?2, priority), tags = coalesce(?3, tags) WHERE id = ?1",
                params![rec.id, priority.map(Priority::code), tags.as_ref().map(|t| serde_json::to_string(t).unwrap_or_default())],
            )?;
            Ok(Applied { payload: json!({"priority": priority, "tags": tags}), value: (), bumps_version: true })
        })?;
        Ok(r)
    }

    /// Show one personal field in full; the reveal is written to the audit log.
    pub fn reveal(&mut self, actor: &Actor, external_id: &str, field: PersonalField) -> Result<Option<String>> {
        let column = match field {
            PersonalField::Phone => "phone",
            PersonalField::Brn => "brn",
            PersonalField::AccountNo => "account_no",
        };
        let (value, _) = self.claim_change(actor, external_id, None, ClaimCommand::RevealPersonalData, |tx, rec, _, _| {
            let value: Option<String> =
                tx.query_row(&format!("SELECT {column} FROM claims WHERE id = ?1"), [rec.id], |r| r.get(0))?;
            Ok(Applied { payload: json!({"field": field}), value, bumps_version: false })
        })?;
        Ok(value)
    }

    /// Supervisor: settle a claim in conflict by choosing the state it goes to.
    pub fn resolve_conflict(&mut self, actor: &Actor, external_id: &str, base: Option<i64>, to: ClaimStatus, note: &str) -> Result<OpReceipt> {
        let note = note.trim().to_string();
        let (_, r) = self.claim_change(actor, external_id, base, ClaimCommand::ResolveConflict { to }, |tx, rec, _, op_id| {
            tx.execute("UPDATE conflicts SET resolved_by = ?2 WHERE claim_id = ?1 AND resolved_by IS NULL", params![rec.id, op_id])?;
            if !note.is_empty() {
                insert_note(tx, rec.id, op_id, &actor.user, "note", &note)?;
            }
            Ok(Applied { payload: json!({"note": note}), value: (), bumps_version: true })
        })?;
        Ok(r)
    }

    fn simple(&mut self, actor: &Actor, external_id: &str, base: Option<i64>, cmd: ClaimCommand, payload: Value) -> Result<OpReceipt> {
        let (_, r) = self.claim_change(actor, external_id, base, cmd, |_, _, _, _| {
            Ok(Applied { payload, value: (), bumps_version: true })
        })?;
        Ok(r)
    }
}

pub(crate) fn insert_note(tx: &Transaction<'_>, claim_id: i64, op_id: &str, author: &str, kind: &str, body: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO notes (claim_id, op_id, author, kind, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![claim_id, op_id, author, kind, body, now_secs()],
    )?;
    Ok(())
}

/// Tags trimmed, without empties or repeats, in a stable order.
fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}

/// The ids of the claims in the same (claimant key, service) group as `id`, itself included.
pub(crate) fn group_ids(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM claims c JOIN claims me ON me.id = ?1
         WHERE c.id = me.id OR (c.claimant_key = me.claimant_key AND c.service = me.service)",
    )?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Masks personal data inside an op payload shown on a timeline.
fn masked_payload(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    match (key.as_str(), value.as_str()) {
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
    pub notes: Vec<Note>,
    pub evidence: Vec<crate::evidence::EvidenceFile>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub op_id: String,
    pub author: String,
    pub kind: String,
    pub body: String,
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
    pub refused: bool,
    pub payload: Value,
}

impl Store {
    pub fn claim(&self, external_id: &str) -> Result<ClaimDetail> {
        let conn = self.conn();
        let (id, mut detail) = conn
            .query_row(
                "SELECT id, external_id, version, status, received_at, category, filed_category, name, phone, brn, bank_name,
                        account_no, service, damage_start, damage_end, claimed_amount, daily_income, documented_loss, ad_spend,
                        description, extra, priority, tags, assignee, duplicate_of, batch_id, recommendation
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
                            extra: extra.and_then(|e| serde_json::from_str(&e).ok()).unwrap_or(Value::Null),
                            priority: r.get(21)?,
                            tags: serde_json::from_str(&tags).unwrap_or_default(),
                            assignee: r.get(23)?,
                            duplicate_of: r.get(24)?,
                            batch_id: r.get(25)?,
                            recommendation: rec.and_then(|t| serde_json::from_str(&t).ok()),
                            notes: Vec::new(),
                            evidence: Vec::new(),
                        },
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        let mut stmt = conn.prepare_cached(
            "SELECT op_id, author, kind, body, created_at, hidden_by IS NOT NULL FROM notes WHERE claim_id = ?1 ORDER BY id",
        )?;
        let notes = stmt.query_map([id], |r| {
            Ok(Note { op_id: r.get(0)?, author: r.get(1)?, kind: r.get(2)?, body: r.get(3)?, created_at: r.get(4)?, withdrawn: r.get(5)? })
        })?;
        detail.notes = notes.collect::<Result<_, _>>()?;
        detail.evidence = crate::evidence::list(conn, id)?;
        Ok(detail)
    }

    /// The claim's whole history, oldest first: every op, refusals included.
    pub fn timeline(&self, external_id: &str) -> Result<Vec<TimelineEntry>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, op_id, at, user_id, device, kind, outcome, payload FROM ops WHERE entity = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([format!("claim:{external_id}")], |r| {
            let outcome: String = r.get(6)?;
            let payload: String = r.get(7)?;
            Ok(TimelineEntry {
                seq: r.get(0)?,
                op_id: r.get(1)?,
                at_ms: r.get(2)?,
                user: r.get(3)?,
                device: r.get(4)?,
                kind: r.get(5)?,
                refused: outcome == "refused",
                payload: masked_payload(serde_json::from_str(&payload).unwrap_or(Value::Null)),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
