//! The cure clock (issue 12, item 4): where each request for information
//! stands against its due date. A request's day and own due date are folded
//! from its ops (`claims.requested_on`, `claims.due_on`); the due date people
//! see is that one moved by the active policy's extension of the window,
//! computed when read, and "today" is this desktop's clock in Korea time, so
//! every desktop holding the same ops shows the same clock, offline too.

use chrono::NaiveDate;
use claimdesk_core::model::DueState;
use claimdesk_core::policy::CureWindow;
use claimdesk_core::workflow::{AdminAction, ClaimCommand};
use claimdesk_core::Actor;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::batches::ManyApplied;
use crate::error::{Result, StoreError};
use crate::oplog::OpReceipt;
use crate::queue::QueueFilter;
use crate::Store;

/// Today in Korea by this desktop's clock (with `meta.clock_offset_ms`, the
/// offset the op writer adds for tests, so ops and the clock agree).
pub(crate) fn today(conn: &Connection) -> Result<NaiveDate> {
    let offset: i64 = conn
        .query_row("SELECT value FROM meta WHERE key = 'clock_offset_ms'", [], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let now = chrono::Utc::now().timestamp_millis().saturating_add(offset);
    Ok(chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&claimdesk_core::time::kst())
        .date_naive())
}

/// The cure window of the incident's active policy (the default one when
/// no policy reads: a clock never stops a claim from showing). The text is
/// parsed once while it stays the same (a queue page reads it once).
pub(crate) fn window(conn: &Connection, incident: &str) -> CureWindow {
    let text: Option<String> = conn
        .prepare_cached("SELECT toml FROM policy_versions WHERE incident_id = ?1 AND active = 1")
        .and_then(|mut s| s.query_row([incident], |r| r.get(0)).optional())
        .ok()
        .flatten();
    text.and_then(|t| crate::claim_state::parsed_policy(t).ok()).map(|p| p.cure).unwrap_or_default()
}

/// Where a claim's request for information stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CureClock {
    /// The day (KST) the request was made.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub requested_on: NaiveDate,
    /// The due date, with the window's extension applied.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub due_on: NaiveDate,
    /// Whether the extension moved it.
    pub extended: bool,
    pub state: DueState,
    /// Days left until the due date (negative: overdue by that many).
    pub days_left: i64,
}

impl CureClock {
    pub(crate) fn of(
        requested_on: NaiveDate,
        own_due: NaiveDate,
        window: &CureWindow,
        today: NaiveDate,
    ) -> CureClock {
        let due_on = window.extended(requested_on, own_due);
        CureClock {
            requested_on,
            due_on,
            extended: due_on != own_due,
            state: window.state(due_on, today),
            days_left: (due_on - today).num_days(),
        }
    }
}

/// A claims row's due date with the extension applied, as SQL over its
/// `requested_on` and `due_on`; `ext` is the (numbered) parameter holding
/// the extension's day, NULL for none (a comparison with NULL is not true).
pub(crate) fn effective_due_sql(ext: &str) -> String {
    format!("(CASE WHEN claims.requested_on <= {ext} AND claims.due_on < {ext} THEN {ext} ELSE claims.due_on END)")
}

/// The bounds of a due-state filter: the claims whose effective due date
/// lies in `from..=to` (days as YYYY-MM-DD; None: unbounded on that side).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DueBounds {
    pub extended_until: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl DueBounds {
    /// The due dates of `state` on `today` under `window` (the inverse of [`CureWindow::state`]).
    pub(crate) fn of(state: DueState, window: &CureWindow, today: NaiveDate) -> DueBounds {
        let day = |d: NaiveDate| Some(d.to_string());
        let reminder = today + chrono::Days::new(u64::from(window.reminder_days));
        let (from, to) = match state {
            DueState::Overdue => (None, today.pred_opt().and_then(day)),
            DueState::ReminderDue => (day(today), day(reminder)),
            DueState::Open => (reminder.succ_opt().and_then(day), None),
        };
        DueBounds { extended_until: window.extended_until.map(|d| d.to_string()), from, to }
    }
}

impl Store {
    /// Ticks a document of the policy's checklist as received (or takes the
    /// tick back); a reviewer keeps off a claim another person holds. A code the policy does not ask of the
    /// claim's category is refused (INVALID).
    pub fn check_document(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        document: &str,
        received: bool,
    ) -> Result<OpReceipt> {
        let cmd = ClaimCommand::CheckDocument { document: document.trim().to_string(), received };
        Ok(self.claim_change(actor, external_id, base, cmd)?.receipt)
    }

    /// Supervisor: closes a claim whose request for information is overdue
    /// as not cured (closed_denied, NOT_CURED); refused before (NOT_DUE).
    pub fn expire(
        &mut self,
        actor: &Actor,
        external_id: &str,
        base: Option<i64>,
        note: &str,
    ) -> Result<OpReceipt> {
        let cmd = ClaimCommand::Expire { note: note.trim().to_string() };
        Ok(self.claim_change(actor, external_id, base, cmd)?.receipt)
    }

    /// Supervisor: closes every claim the filter lists as not cured, each
    /// decided on its own (a claim not yet due is reported, not closed).
    pub fn expire_where(&mut self, actor: &Actor, filter: &QueueFilter, note: &str) -> Result<ManyApplied> {
        let ids = self.queue_ids(filter)?;
        let cmd = ClaimCommand::Expire { note: note.trim().to_string() };
        self.apply_to_many(actor, ids.into_iter().map(|id| (id, cmd.clone())).collect())
    }

    /// Supervisor: extends the window of an incident (the current one when
    /// None): a new version of its active policy whose `[cure]` says every
    /// request made on or before `until` is due no earlier than it, made
    /// active at once. Both steps are audited ops of the policy's history;
    /// every open due date moves on every desktop when they arrive.
    pub fn extend_cure(
        &mut self,
        actor: &Actor,
        incident: Option<&str>,
        until: NaiveDate,
        reason: &str,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> Result<i64> {
        self.require(actor, AdminAction::EditPolicy, "policy")?;
        let incident = self.resolve_incident(incident)?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(claimdesk_core::msg!("store.extend_reason")));
        }
        let (_, mut policy) = self.active_policy_of(Some(&incident))?;
        let today = today(self.conn())?;
        if until <= today || policy.cure.extended_until.is_some_and(|d| until <= d) {
            let current = policy.cure.extended_until.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
            return Err(StoreError::Invalid(claimdesk_core::msg!(
                "store.extend_not_later",
                until = until.to_string(),
                today = today.to_string(),
                current = current
            )));
        }
        policy.cure.extended_until = Some(until);
        let name = format!("{} · 보완 기한 {until}까지 연장", policy.name);
        let version =
            self.add_policy_version_to(actor, Some(&incident), &policy.to_toml(), &name, reason.trim())?;
        self.activate_policy(actor, version, progress)?;
        Ok(version)
    }

    /// The cure clock of one claim (None unless it waits for information).
    pub fn cure_clock(&self, external_id: &str) -> Result<Option<CureClock>> {
        let conn = self.conn();
        let row: Option<(Option<String>, Option<String>, String)> = conn
            .prepare_cached("SELECT requested_on, due_on, incident_id FROM claims WHERE external_id = ?1")?
            .query_row([external_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (requested, due, incident) =
            row.ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        let (Some(requested), Some(due)) =
            (requested.and_then(|d| d.parse().ok()), due.and_then(|d| d.parse().ok()))
        else {
            return Ok(None);
        };
        Ok(Some(CureClock::of(requested, due, &window(conn, &incident), today(conn)?)))
    }

    /// How many requests of an incident (the current one when None) stand in each due state.
    pub fn due_counts(&self, incident: Option<&str>) -> Result<DueCounts> {
        let incident = self.resolve_incident(incident)?;
        let conn = self.conn();
        let w = window(conn, &incident);
        let today = today(conn)?;
        let mut counts = DueCounts::default();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {due}, count(*) FROM claims WHERE incident_id = ?1 AND due_on IS NOT NULL GROUP BY 1",
            due = effective_due_sql("?2")
        ))?;
        let mut rows = stmt.query(rusqlite::params![incident, w.extended_until.map(|d| d.to_string())])?;
        while let Some(r) = rows.next()? {
            let (due, n): (String, i64) = (r.get(0)?, r.get(1)?);
            let n = n.max(0) as u64;
            let Ok(due) = due.parse::<NaiveDate>() else { continue };
            match w.state(due, today) {
                DueState::Open => counts.open += n,
                DueState::ReminderDue => counts.reminder_due += n,
                DueState::Overdue => counts.overdue += n,
            }
        }
        Ok(counts)
    }
}

/// Requests for information by due state.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DueCounts {
    pub open: u64,
    pub reminder_due: u64,
    pub overdue: u64,
}
