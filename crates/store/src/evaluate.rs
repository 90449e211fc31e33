//! Running the policy over the store. Results are derived data: kept on the
//! claim row for the queue and recomputed whenever claims or the active
//! policy change.

use chrono::{DateTime, Utc};
use claimdesk_core::msg;
use claimdesk_core::policy::{self, Outcome, Policy, PolicyInput};
use claimdesk_core::workflow::AdminAction;
use claimdesk_core::{Actor, Category, Reason, Remedy};
use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::Store;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct EvalSummary {
    pub policy_version: i64,
    pub claims: u64,
    /// Claims whose result changed (or was computed for the first time).
    pub changed: u64,
    pub eligible: u64,
}

const INPUT_COLUMNS: &str =
    "external_id, received_at, category, service, phone, brn, damage_start, damage_end,
    claimed_amount, daily_income, documented_loss, ad_spend, extra";

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn money(v: Option<i64>) -> Option<Decimal> {
    v.map(Decimal::from)
}

/// Reads a PolicyInput from the columns of INPUT_COLUMNS starting at `at`;
/// the extra intake columns only `with_extra` (a policy with segments reads
/// them; parsing their JSON for every claim would cost the others time).
fn input_from_row(r: &Row<'_>, at: usize, with_extra: bool) -> rusqlite::Result<PolicyInput> {
    // Stored categories are codes; match the bytes without allocating.
    let category = r
        .get_ref(at + 2)?
        .as_str()
        .ok()
        .and_then(|code| Category::ALL.iter().copied().find(|c| c.code() == code));
    let category = category.unwrap_or(Category::Other);
    Ok(PolicyInput {
        external_id: r.get(at)?,
        received_at: time(r.get(at + 1)?),
        category,
        service: r.get(at + 3)?,
        phone: r.get(at + 4)?,
        brn: r.get(at + 5)?,
        damage_start: time(r.get(at + 6)?),
        damage_end: time(r.get(at + 7)?),
        claimed_amount: money(r.get(at + 8)?),
        daily_income: money(r.get(at + 9)?),
        documented_loss: money(r.get(at + 10)?),
        ad_spend: money(r.get(at + 11)?),
        extra: if with_extra {
            r.get_ref(at + 12)?
                .as_str_or_null()
                .ok()
                .flatten()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default()
        } else {
            Default::default()
        },
    })
}

/// Above this many claims a full scan is split over two reader threads.
const PARALLEL_SCAN_ROWS: i64 = 10_000;

fn load_range(
    conn: &Connection,
    incident: &str,
    from: i64,
    to: i64,
    capacity: usize,
    with_extra: bool,
) -> Result<Vec<PolicyInput>> {
    // `+incident_id`: read the rowid range in order, never through the
    // incident index, which visits the same rows in received order, a random
    // page each (on an encrypted store each page is decrypted again).
    let mut stmt = conn.prepare(&format!(
        "SELECT {INPUT_COLUMNS} FROM claims WHERE id >= ?1 AND id < ?2 AND +incident_id = ?3 ORDER BY id"
    ))?;
    // Sized up front: growing a vector of a million inputs copies it several times.
    let mut out = Vec::with_capacity(capacity);
    let mut rows = stmt.query(params![from, to, incident])?;
    while let Some(r) = rows.next()? {
        out.push(input_from_row(r, 0, with_extra)?);
    }
    Ok(out)
}

/// Every policy input of an incident's claims, sorted by external id (byte order). The
/// table is read in rowid order by two threads, each over half of it, on
/// its own read connection (WAL lets readers run side by side), then sorted;
/// intake files usually arrive sorted, which the sort makes cheap. If another
/// connection commits while the halves are read (they are two snapshots),
/// the read is done again on this connection alone, in one snapshot.
/// Call it outside a write transaction. `with_extra`: read the extra intake
/// columns too (for a policy with segments). `key`: the store's data key,
/// which the second reader needs to open an encrypted store (decision 0009).
pub fn load_inputs(
    conn: &Connection,
    key: Option<&crate::keys::DataKey>,
    incident: &str,
    with_extra: bool,
) -> Result<Vec<PolicyInput>> {
    let (min, max, count): (i64, i64, i64) = conn.query_row(
        "SELECT coalesce(min(id), 0), coalesce(max(id), 0), count(*) FROM claims WHERE incident_id = ?1",
        [incident],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mid = min + (max - min) / 2;
    let count = usize::try_from(count).unwrap_or(0);
    let data_version =
        |c: &Connection| -> Result<i64> { Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?) };
    let before = data_version(conn)?;
    let second_half = match conn.path().filter(|p| !p.is_empty() && max - min > PARALLEL_SCAN_ROWS) {
        Some(path) => {
            let path = path.to_string();
            let incident = incident.to_string();
            let key = key.cloned();
            Some(std::thread::spawn(move || -> Result<Vec<PolicyInput>> {
                let reader = Connection::open_with_flags(
                    &path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                if let Some(key) = &key {
                    crate::cipher::apply_key(&reader, key)?;
                }
                load_range(&reader, &incident, mid + 1, max + 1, count / 2 + 1, with_extra)
            }))
        }
        None => None,
    };
    let mut inputs = match second_half {
        Some(handle) => {
            let mut first = load_range(conn, incident, min, mid + 1, count, with_extra)?;
            let second = handle.join().map_err(|_| {
                StoreError::Invalid(msg!("invalid.detail", detail = "a reading thread failed"))
            })??;
            if data_version(conn)? == before {
                first.extend(second);
                first
            } else {
                conn.execute_batch("BEGIN")?;
                let all = load_range(conn, incident, i64::MIN, i64::MAX, count, with_extra);
                conn.execute_batch("COMMIT")?;
                all?
            }
        }
        None => load_range(conn, incident, min, max + 1, count, with_extra)?,
    };
    inputs.sort_by(|a, b| a.external_id.as_bytes().cmp(b.external_id.as_bytes()));
    Ok(inputs)
}

/// The policy input of one claim and of the claims it may be a duplicate of
/// (same incident, claimant key and service), for an explanation.
pub fn load_group(conn: &Connection, external_id: &str) -> Result<(Vec<PolicyInput>, usize)> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {INPUT_COLUMNS} FROM claims WHERE external_id = ?1
         UNION ALL
         SELECT {INPUT_COLUMNS} FROM claims
          WHERE (claimant_key, service, incident_id) = (SELECT claimant_key, service, incident_id FROM claims WHERE external_id = ?1)
            AND external_id <> ?1"
    ))?;
    let rows = stmt.query_map([external_id], |r| input_from_row(r, 0, true))?;
    let group = rows.collect::<Result<Vec<_>, _>>()?;
    if group.is_empty() {
        return Err(StoreError::NotFound(format!("claim {external_id}")));
    }
    Ok((group, 0))
}

/// Re-evaluates every claim of an incident under its active policy and
/// stores what changed. Reads the claims group by group (claimant key,
/// service), so memory stays bounded whatever the size of the store; the
/// duplicate rule only looks inside a group, and a group inside one incident
/// (a claimant of two incidents is no duplicate). `progress(done)`
/// returning false cancels.
pub(crate) fn reevaluate_in(
    conn: &Connection,
    incident: &str,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<EvalSummary> {
    let (version, policy) = crate::policies::active_policy_in(conn, incident)?;
    let with_extra = policy.reads_extra_columns();
    let mut summary = EvalSummary { policy_version: version, ..EvalSummary::default() };
    let mut stmt = conn.prepare(&format!(
        "SELECT id, claimant_key, eval_version, eligible, reason, remedy, amount, extension_days, grants, {INPUT_COLUMNS}
         FROM claims WHERE incident_id = ?1 ORDER BY claimant_key, service"
    ))?;
    let mut update = conn.prepare(UPDATE_RESULT)?;
    let mut rows = stmt.query([incident])?;
    let mut chunk: Vec<(i64, Stored, PolicyInput)> = Vec::with_capacity(CHUNK);
    let mut last_group: Option<(String, String)> = None;
    loop {
        let row = rows.next()?;
        let next = match row {
            Some(r) => {
                let key: Option<String> = r.get(1)?;
                Some((r.get::<_, i64>(0)?, key, Stored::from_row(r)?, input_from_row(r, 9, with_extra)?))
            }
            None => None,
        };
        // Cut the chunk only between groups; a claim without a key is a group of its own.
        let boundary = match &next {
            None => true,
            Some((_, key, _, input)) => match (key, &last_group) {
                (Some(k), Some((lk, ls))) => !(k == lk && input.service == *ls),
                _ => true,
            },
        };
        if boundary && (chunk.len() >= CHUNK || next.is_none()) {
            flush(&policy, version, &mut chunk, &mut update, &mut summary)?;
            if !progress(summary.claims) {
                return Err(StoreError::Cancelled);
            }
        }
        match next {
            Some((id, key, stored, input)) => {
                last_group = key.map(|k| (k, input.service.clone()));
                chunk.push((id, stored, input));
            }
            None => break,
        }
    }
    Ok(summary)
}

const CHUNK: usize = 8_192;

/// Re-evaluates the given claims, which must be whole (incident, claimant
/// key, service) groups (the callers pass a claim's old and new group), each
/// under its incident's active policy.
pub(crate) fn reevaluate_ids(conn: &Connection, ids: &[i64]) -> Result<EvalSummary> {
    // Each claim's incident decides its policy, known only once read: the
    // extra columns are read for all (these are a few groups, not a scan).
    let with_extra = true;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, claimant_key, eval_version, eligible, reason, remedy, amount, extension_days, grants, {INPUT_COLUMNS}, incident_id
         FROM claims WHERE id = ?1"
    ))?;
    let mut by_incident: std::collections::BTreeMap<String, Vec<(i64, Stored, PolicyInput)>> =
        std::collections::BTreeMap::new();
    for id in ids {
        let (incident, row) = stmt.query_row([id], |r| {
            Ok((r.get::<_, String>(22)?, (id, Stored::from_row(r)?, input_from_row(r, 9, with_extra)?)))
        })?;
        by_incident.entry(incident).or_default().push(row);
    }
    let mut update = conn.prepare_cached(UPDATE_RESULT)?;
    let mut summary = EvalSummary::default();
    for (incident, mut chunk) in by_incident {
        let (version, policy) = crate::policies::active_policy_in(conn, &incident)?;
        summary.policy_version = version;
        flush(&policy, version, &mut chunk, &mut update, &mut summary)?;
    }
    Ok(summary)
}

/// Re-evaluates every claim that shares its (incident, claimant key,
/// service) with another: the only claims the duplicate rule can change.
pub(crate) fn reevaluate_shared_groups(conn: &Connection) -> Result<EvalSummary> {
    let mut stmt = conn.prepare(
        "SELECT c.id FROM claims c
         JOIN (SELECT claimant_key AS k, service AS s, incident_id AS i FROM claims WHERE claimant_key IS NOT NULL
               GROUP BY claimant_key, service, incident_id HAVING count(*) > 1) g
           ON c.claimant_key = g.k AND c.service = g.s AND c.incident_id = g.i",
    )?;
    let ids: Vec<i64> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    reevaluate_ids(conn, &ids)
}

const UPDATE_RESULT: &str =
    "UPDATE claims SET eval_version = ?2, eligible = ?3, reason = ?4, remedy = ?5, amount = ?6,
     extension_days = ?7, grants = ?8 WHERE id = ?1";

/// The result stored on a claim row.
struct Stored {
    version: Option<i64>,
    eligible: Option<bool>,
    reason: Option<String>,
    remedy: Option<String>,
    amount: Option<i64>,
    days: Option<i64>,
    grants: Option<String>,
}

impl Stored {
    /// From columns 2..=8 of the re-evaluation queries.
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            version: r.get(2)?,
            eligible: r.get(3)?,
            reason: r.get(4)?,
            remedy: r.get(5)?,
            amount: r.get(6)?,
            days: r.get(7)?,
            grants: r.get(8)?,
        })
    }
}

/// The `grants` column of a result: its JSON when it lists grants, NULL when
/// the single-remedy columns say it all.
pub(crate) fn grants_column(outcome: &Outcome) -> Result<Option<String>> {
    if outcome.grants.is_empty() {
        return Ok(None);
    }
    Ok(Some(serde_json::to_string(&outcome.grants)?))
}

fn flush(
    policy: &Policy,
    version: i64,
    chunk: &mut Vec<(i64, Stored, PolicyInput)>,
    update: &mut rusqlite::Statement<'_>,
    summary: &mut EvalSummary,
) -> Result<()> {
    if chunk.is_empty() {
        return Ok(());
    }
    let inputs: Vec<PolicyInput> =
        chunk.iter_mut().map(|(_, _, i)| std::mem::replace(i, empty_input())).collect();
    let outcomes = policy::evaluate_all(policy, &inputs);
    for ((id, stored, _), outcome) in chunk.iter().zip(&outcomes) {
        summary.claims += 1;
        summary.eligible += u64::from(outcome.eligible);
        let amount = outcome.amount.trunc().to_i64().unwrap_or(0);
        let reason = outcome.reason.map(Reason::code);
        let grants = grants_column(outcome)?;
        let same = stored.version == Some(version)
            && stored.eligible == Some(outcome.eligible)
            && stored.reason.as_deref() == reason
            && stored.remedy.as_deref() == Some(outcome.remedy.code())
            && stored.amount == Some(amount)
            && stored.days == Some(i64::from(outcome.extension_days))
            && stored.grants == grants;
        if !same {
            update.execute(params![
                id,
                version,
                outcome.eligible,
                reason,
                outcome.remedy.code(),
                amount,
                outcome.extension_days,
                grants
            ])?;
            summary.changed += 1;
        }
    }
    chunk.clear();
    Ok(())
}

fn empty_input() -> PolicyInput {
    PolicyInput {
        external_id: String::new(),
        received_at: DateTime::default(),
        category: Category::Other,
        service: String::new(),
        phone: None,
        brn: None,
        damage_start: DateTime::default(),
        damage_end: DateTime::default(),
        claimed_amount: None,
        daily_income: None,
        documented_loss: None,
        ad_spend: None,
        extra: Default::default(),
    }
}

/// The columns of a stored result, in the order [`stored_outcome`] reads them.
pub(crate) const RESULT_COLUMNS: &str = "eligible, reason, remedy, amount, extension_days, grants";

/// The stored result of a claim (columns [`RESULT_COLUMNS`] from `at`) as the workflow needs it.
pub(crate) fn stored_outcome(r: &Row<'_>, at: usize) -> rusqlite::Result<Option<Outcome>> {
    let eligible: Option<bool> = r.get(at)?;
    let reason: Option<String> = r.get(at + 1)?;
    let remedy: Option<String> = r.get(at + 2)?;
    let amount: Option<i64> = r.get(at + 3)?;
    let days: Option<i64> = r.get(at + 4)?;
    let grants: Option<String> = r.get(at + 5)?;
    let (Some(eligible), Some(amount)) = (eligible, amount) else { return Ok(None) };
    Ok(Some(Outcome {
        eligible,
        reason: reason.and_then(|r| r.parse().ok()),
        remedy: remedy.and_then(|r| r.parse().ok()).unwrap_or(Remedy::None),
        amount: Decimal::from(amount),
        extension_days: u32::try_from(days.unwrap_or(0)).unwrap_or(0),
        grants: grants.and_then(|g| serde_json::from_str(&g).ok()).unwrap_or_default(),
    }))
}

impl Store {
    /// The evaluation table of policy.md under `policy` (the active one when
    /// None): every claim of the current incident, sorted by external id, computed afresh.
    pub fn evaluation_table(&self, policy: Option<&Policy>) -> Result<Vec<(String, Outcome)>> {
        self.evaluation_table_of(None, policy)
    }

    /// [`Store::evaluation_table`] of an incident (the current one when None).
    pub fn evaluation_table_of(
        &self,
        incident: Option<&str>,
        policy: Option<&Policy>,
    ) -> Result<Vec<(String, Outcome)>> {
        let incident = self.resolve_incident(incident)?;
        let active;
        let policy = match policy {
            Some(p) => p,
            None => {
                active = crate::policies::active_policy_in(self.conn(), &incident)?.1;
                &active
            }
        };
        let started = std::time::Instant::now();
        let inputs = load_inputs(self.conn(), self.key.as_ref(), &incident, policy.reads_extra_columns())?;
        tracing::debug!(ms = started.elapsed().as_millis() as u64, claims = inputs.len(), "claims read");
        let outcomes = policy::evaluate_all(policy, &inputs);
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "claims evaluated");
        Ok(inputs.into_iter().map(|i| i.external_id).zip(outcomes).collect())
    }

    /// The policy's explanation for one claim under its incident's active policy.
    pub fn explain(&self, external_id: &str) -> Result<policy::Explanation> {
        let incident: String = self
            .conn()
            .query_row("SELECT incident_id FROM claims WHERE external_id = ?1", [external_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        let (_, policy) = crate::policies::active_policy_in(self.conn(), &incident)?;
        let (group, index) = load_group(self.conn(), external_id)?;
        Ok(policy::explain(&policy, &group, index))
    }

    /// What-if: two policies over every claim of the current incident.
    pub fn what_if(&self, before: &Policy, after: &Policy) -> Result<policy::WhatIf> {
        let inputs = load_inputs(
            self.conn(),
            self.key.as_ref(),
            &self.current_incident()?,
            before.reads_extra_columns() || after.reads_extra_columns(),
        )?;
        Ok(policy::what_if(before, after, &inputs))
    }

    /// Supervisor: what-if of an unsaved draft (a policy text) against a
    /// saved version (the active one when None), over every claim. Nothing
    /// is stored; the draft must be a valid policy. Gives the version compared with.
    pub fn what_if_draft(
        &self,
        actor: &Actor,
        before: Option<i64>,
        draft_toml: &str,
    ) -> Result<(i64, policy::WhatIf)> {
        crate::users::require_role(actor, AdminAction::EditPolicy)?;
        let draft = Policy::from_toml(draft_toml)?;
        let (version, saved) = match before {
            Some(v) => (v, self.policy(v)?),
            None => self.active_policy()?,
        };
        Ok((version, self.what_if(&saved, &draft)?))
    }
}
