//! Decision notices (issue 12): which claims owe their claimant a notice,
//! what each letter says, and recording one as sent. Sending is a
//! `claim.notify` op decided by the core's rules like every claim action
//! (supervisors, once per decision), so every desktop and the server agree
//! on what each claimant was told; what a letter says is read here from the
//! claim's folded state, its intake row, the incident's letter templates and
//! the policy's explanation ([`claimdesk_core::notice::Letter`]).

use chrono::{DateTime, Utc};
use claimdesk_core::mask::{mask_name, mask_phone};
use claimdesk_core::message::Lang;
use claimdesk_core::notice::Letter;
use claimdesk_core::policy::{CitedReason, ReasonKind};
use claimdesk_core::workflow::{AdminAction, ClaimCommand, Decision};
use claimdesk_core::{Actor, Category, ClaimStatus, LetterKind, NoteKind, NoticeChannel};
use claimdesk_sync::fold::ClaimState;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::batches::ManyApplied;
use crate::error::{Result, StoreError};
use crate::Store;

/// The statuses whose claims owe a notice until it is sent, as an SQL list:
/// those [`LetterKind::of_status`] names a letter for.
fn notifiable() -> String {
    let codes: Vec<String> = ClaimStatus::ALL
        .iter()
        .filter(|s| LetterKind::of_status(**s).is_some())
        .map(|s| format!("'{}'", s.code()))
        .collect();
    format!("({})", codes.join(", "))
}

/// The op id of claim `c`'s latest notice.
const LAST_NOTICE: &str =
    "(SELECT op_id FROM notices WHERE claim_id = c.id ORDER BY sent_at DESC, op_id DESC LIMIT 1)";

/// A notice sent, as the claim screen and the Notices screen show it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeSent {
    pub op_id: String,
    pub kind: LetterKind,
    pub channels: Vec<NoticeChannel>,
    pub lang: Lang,
    pub resend: bool,
    pub sent_by: String,
    /// Unix seconds.
    pub sent_at: i64,
}

/// One claim on the Notices screen: what it owes or was sent, personal data masked.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeRow {
    pub external_id: String,
    pub name_masked: String,
    pub status: ClaimStatus,
    pub kind: LetterKind,
    pub lang: Lang,
    pub phone_masked: Option<String>,
    /// Whether the intake row gave an e-mail address that reads as one.
    pub has_email: bool,
    /// The last notice sent (None: still owed).
    pub sent: Option<NoticeSent>,
}

/// How many notices wait and were sent, by kind.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NoticeCounts {
    pub due: u64,
    pub sent: u64,
    pub due_by_kind: Vec<(LetterKind, u64)>,
}

/// One notice to record as sent: the claim, its version when its letter
/// was read (so a letter of a decision changed since is refused as STALE),
/// and how it went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentNotice {
    pub claim_id: String,
    pub version: i64,
    pub channels: Vec<NoticeChannel>,
    pub lang: Lang,
    pub resend: bool,
}

/// The condition of a claims row (`table`: its name or alias) that owes its notice.
fn due_where(table: &str) -> String {
    format!("{table}.notified = 0 AND {table}.status IN {}", notifiable())
}

fn sent_of(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<NoticeSent>> {
    let Some(op_id) = r.get::<_, Option<String>>(at)? else { return Ok(None) };
    let kind: String = r.get(at + 1)?;
    let channels: String = r.get(at + 2)?;
    let lang: String = r.get(at + 3)?;
    Ok(Some(NoticeSent {
        op_id,
        kind: LetterKind::parse(&kind).unwrap_or(LetterKind::Approved),
        channels: serde_json::from_str(&channels).unwrap_or_default(),
        lang: Lang::parse(&lang).unwrap_or_default(),
        resend: r.get(at + 4)?,
        sent_by: r.get(at + 5)?,
        sent_at: r.get(at + 6)?,
    }))
}

/// The notices of one claim, oldest first.
pub(crate) fn sent_for(conn: &Connection, claim_id: i64) -> Result<Vec<NoticeSent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT op_id, kind, channels, lang, resend, sent_by, sent_at FROM notices WHERE claim_id = ?1 ORDER BY sent_at, op_id",
    )?;
    let rows = stmt.query_map([claim_id], |r| sent_of(r, 0))?;
    Ok(rows.filter_map(|r| r.transpose()).collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Claims of an incident (the current one when None) that owe their
    /// notice, oldest first, `limit` from after claim row `after` (paging).
    pub fn notices_due(
        &mut self,
        actor: &Actor,
        incident: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, NoticeRow)>> {
        self.require(actor, AdminAction::SendNotices, "notices")?;
        let incident = self.resolve_incident(incident)?;
        self.notice_rows(
            &format!(
                "FROM claims c LEFT JOIN notices n ON n.op_id = {LAST_NOTICE}
                 WHERE c.incident_id = ?1 AND {} AND c.id > ?2
                 ORDER BY c.id LIMIT ?3",
                due_where("c")
            ),
            &incident,
            after,
            limit,
        )
    }

    /// The claims of an incident that were sent a notice, newest first.
    pub fn notices_sent(
        &mut self,
        actor: &Actor,
        incident: Option<&str>,
        limit: u32,
    ) -> Result<Vec<NoticeRow>> {
        self.require(actor, AdminAction::SendNotices, "notices")?;
        let incident = self.resolve_incident(incident)?;
        let rows = self.notice_rows(
            &format!(
                "FROM notices n JOIN claims c ON c.id = n.claim_id
                 WHERE c.incident_id = ?1 AND n.op_id = {LAST_NOTICE} AND ?2 >= 0
                 ORDER BY n.sent_at DESC, n.op_id DESC LIMIT ?3"
            ),
            &incident,
            0,
            limit,
        )?;
        Ok(rows.into_iter().map(|(_, r)| r).collect())
    }

    /// How many notices of an incident wait and were sent.
    pub fn notice_counts(&mut self, actor: &Actor, incident: Option<&str>) -> Result<NoticeCounts> {
        self.require(actor, AdminAction::SendNotices, "notices")?;
        let incident = self.resolve_incident(incident)?;
        let conn = self.conn();
        let mut counts = NoticeCounts::default();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT status, COUNT(*) FROM claims WHERE incident_id = ?1 AND {} GROUP BY status",
            due_where("claims")
        ))?;
        let mut rows = stmt.query([&incident])?;
        while let Some(r) = rows.next()? {
            let status: String = r.get(0)?;
            let n: i64 = r.get(1)?;
            let Some(kind) = ClaimStatus::parse(&status).and_then(LetterKind::of_status) else { continue };
            counts.due += n as u64;
            match counts.due_by_kind.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, c)) => *c += n as u64,
                None => counts.due_by_kind.push((kind, n as u64)),
            }
        }
        counts.due_by_kind.sort();
        counts.sent = conn.query_row(
            "SELECT COUNT(DISTINCT n.claim_id) FROM notices n JOIN claims c ON c.id = n.claim_id WHERE c.incident_id = ?1",
            [&incident],
            |r| r.get::<_, i64>(0),
        )? as u64;
        Ok(counts)
    }

    /// Rows of `from` (FROM ... WHERE ... ORDER BY ... LIMIT, over claims `c`
    /// and their last notice `n`; ?1 the incident, ?2 `after`, ?3 `limit`).
    fn notice_rows(
        &self,
        from: &str,
        incident: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, NoticeRow)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.id, c.external_id, c.name, c.status, c.phone, c.extra,
                    n.op_id, n.kind, n.channels, n.lang, n.resend, n.sent_by, n.sent_at
             {from}"
        ))?;
        let rows = stmt.query_map(params![incident, after, i64::from(limit)], |r| {
            let status: String = r.get(3)?;
            let status = ClaimStatus::parse(&status).unwrap_or(ClaimStatus::Conflict);
            let extra: Option<String> = r.get(5)?;
            let extra = extra.and_then(|e| serde_json::from_str(&e).ok()).unwrap_or_default();
            let sent = sent_of(r, 6)?;
            let kind = LetterKind::of_status(status)
                .or(sent.as_ref().map(|s| s.kind))
                .unwrap_or(LetterKind::Approved);
            Ok((
                r.get::<_, i64>(0)?,
                NoticeRow {
                    external_id: r.get(1)?,
                    name_masked: mask_name(&r.get::<_, String>(2)?),
                    status,
                    kind,
                    lang: claimdesk_core::model::language_in(&extra),
                    phone_masked: r.get::<_, Option<String>>(4)?.map(|p| mask_phone(&p)),
                    has_email: claimdesk_core::model::email_in(&extra).is_some(),
                    sent,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The letters an incident's claims owe, `limit` from after claim row
    /// `after`, each with its row id for the next page. Contact details in
    /// clear: for sending only (supervisors, [`AdminAction::SendNotices`]).
    pub fn letters_due(
        &mut self,
        actor: &Actor,
        incident: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Letter)>> {
        self.require(actor, AdminAction::SendNotices, "notices")?;
        let incident = self.resolve_incident(incident)?;
        let due: Vec<(i64, String)> = self
            .conn()
            .prepare_cached(&format!(
                "SELECT id, external_id FROM claims WHERE incident_id = ?1 AND {} AND id > ?2 ORDER BY id LIMIT ?3",
                due_where("claims")
            ))?
            .query_map(params![incident, after, i64::from(limit)], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(due.len());
        for (row, id) in due {
            out.push((row, self.letter_of(&id)?));
        }
        Ok(out)
    }

    /// The letter one claim owes or was last sent (a resend, a preview).
    pub fn letter(&mut self, actor: &Actor, external_id: &str) -> Result<Letter> {
        self.require(actor, AdminAction::SendNotices, &format!("claim:{external_id}"))?;
        self.letter_of(external_id)
    }

    fn letter_of(&self, external_id: &str) -> Result<Letter> {
        let conn = self.conn();
        let (id, filed, version, incident): (i64, String, i64, String) = conn
            .prepare_cached(
                "SELECT id, filed_category, version, incident_id FROM claims WHERE external_id = ?1",
            )?
            .query_row([external_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        let filed = Category::parse(&filed).unwrap_or(Category::Other);
        let state = crate::claim_state::load_state(conn, id, external_id, filed)?;
        let kind = LetterKind::of_status(state.status).ok_or_else(|| {
            StoreError::Refused(claimdesk_core::workflow::Refusal::WrongState {
                action: claimdesk_core::ClaimAction::Notify.code().to_string(),
                status: state.status,
            })
        })?;
        let input = crate::claims::load_input(conn, id)?;
        let (policy_version, policy) = crate::policies::active_policy_in(conn, &incident)?;
        let catalog = crate::incidents::catalog_of(conn, &incident)?;
        let decided_at = decided_at(conn, &state)?;
        let cited = |op_id: &str| -> Result<Option<CitedReason>> {
            let c: Option<String> = conn
                .prepare_cached("SELECT cited FROM ops WHERE op_id = ?1")?
                .query_row([op_id], |r| r.get(0))
                .optional()?
                .flatten();
            Ok(c.and_then(|c| serde_json::from_str(&c).ok()))
        };
        // A code the op's stamp did not carry is read from the policy in force.
        let cite = |kind: ReasonKind, code: Option<&String>, op_id: &str| -> Result<Option<CitedReason>> {
            Ok(cited(op_id)?.or_else(|| code.and_then(|c| policy.cite(kind, c, Some(policy_version)))))
        };
        let last_note = |kind: NoteKind| state.notes.iter().rev().find(|n| n.kind == kind);
        let mut letter = Letter {
            claim_id: external_id.to_string(),
            version,
            kind,
            lang: input.language(),
            name: input.name.clone(),
            phone: input.phone.clone(),
            email: input.email().map(str::to_string),
            bad_email: input.malformed_email().map(str::to_string),
            category: state.category,
            report_type: state.report_type,
            incident: catalog.incident.name.clone(),
            received_at: input.received_at,
            decided_at,
            grants: Vec::new(),
            reason: None,
            note: String::new(),
            documents: Vec::new(),
            due_on: None,
            policy_version,
            policy_name: policy.name.clone(),
            steps: Vec::new(),
        };
        match kind {
            // Closed as not cured: the expiry's own citation (NOT_CURED), no recommendation's.
            LetterKind::Denied if state.expired_by.is_some() => {
                if let Some(n) = last_note(NoteKind::Expiry) {
                    letter.reason = cite(ReasonKind::Denial, n.code.as_ref(), &n.op_id)?;
                    letter.note = n.body.clone();
                }
                if let Some(v) = letter.reason.as_ref().and_then(|r| r.policy_version) {
                    letter.policy_version = v;
                    letter.policy_name = policy_name(conn, &incident, v)?.unwrap_or(letter.policy_name);
                }
            }
            LetterKind::Approved | LetterKind::Denied => {
                if let Some(rec) = &state.recommendation {
                    match &rec.decision {
                        Decision::Approve { .. } => letter.grants = rec.decision.grants(),
                        Decision::Deny { code, reason } => {
                            letter.reason = cite(ReasonKind::Denial, code.as_ref(), &rec.op_id)?;
                            letter.note = reason.clone();
                        }
                    }
                }
                letter.steps = self.explain(external_id)?.steps;
                if let Some(v) = letter.reason.as_ref().and_then(|r| r.policy_version) {
                    letter.policy_version = v;
                    letter.policy_name = policy_name(conn, &incident, v)?.unwrap_or(letter.policy_name);
                }
            }
            LetterKind::NeedsInfo => {
                if let Some(n) = last_note(NoteKind::InfoRequest) {
                    letter.reason = cite(ReasonKind::Deficiency, n.code.as_ref(), &n.op_id)?;
                    letter.note = n.body.clone();
                }
                // The due date the queue shows: the request's own, moved by the window's extension.
                letter.due_on = state.open_request().map(|r| policy.cure.extended(r.requested_on, r.due_on));
                letter.documents = policy.documents_for(state.category).into_iter().cloned().collect();
            }
            LetterKind::ClosedNoDamage => {
                if let Some(n) = last_note(NoteKind::Closure) {
                    letter.reason = cite(ReasonKind::Closure, n.code.as_ref(), &n.op_id)?;
                    letter.note = n.body.clone();
                }
            }
        }
        Ok(letter)
    }

    /// Records notices as sent, each through the one path of claim actions
    /// (decided by the rules, appended, folded) in one transaction: a claim
    /// the rules refuse (already notified, changed since its letter was read)
    /// is reported with its reason and changes nothing; the others are recorded.
    pub fn record_notices(&mut self, actor: &Actor, sent: Vec<SentNotice>) -> Result<ManyApplied> {
        let items = sent
            .into_iter()
            .map(|s| {
                let cmd = ClaimCommand::Notify { channels: s.channels, lang: s.lang, resend: s.resend };
                (s.claim_id, Some(s.version), cmd)
            })
            .collect();
        self.apply_each(actor, items)
    }

    /// Records one notice sent by `channels` (the claim screen's button).
    pub fn notify(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        channels: Vec<NoticeChannel>,
        lang: Lang,
        resend: bool,
    ) -> Result<crate::oplog::OpReceipt> {
        Ok(self
            .claim_change(actor, external_id, base, ClaimCommand::Notify { channels, lang, resend })?
            .receipt)
    }
}

/// When the claim entered the status its notice tells of: the first of the
/// latest run of decisions that left it in a status of that letter kind.
fn decided_at(conn: &Connection, state: &ClaimState) -> Result<DateTime<Utc>> {
    let kind = LetterKind::of_status(state.status);
    let entered =
        state.history.iter().rev().take_while(|d| LetterKind::of_status(d.outcome.to) == kind).last();
    let at: Option<i64> = match entered {
        Some(d) => conn
            .prepare_cached("SELECT at FROM ops WHERE op_id = ?1")?
            .query_row([&d.op_id], |r| r.get(0))
            .optional()?,
        None => None,
    };
    Ok(at.and_then(DateTime::<Utc>::from_timestamp_millis).unwrap_or_else(Utc::now))
}

fn policy_name(conn: &Connection, incident: &str, version: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM policy_versions WHERE incident_id = ?1 AND version = ?2")?
        .query_row(params![incident, version], |r| r.get(0))
        .optional()?)
}
