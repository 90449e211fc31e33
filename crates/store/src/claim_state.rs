//! A claim's state is the fold of its ops (`claimdesk_sync::fold`), on this
//! desktop as on every other replica. This module is the one path by which
//! that state reaches the claims row: local changes and pulled ops alike are
//! folded (decided by the core's rules) and written by [`write_state`].
//!
//! - [`load_state`]: the claim's folded state, from its cache when that is
//!   still the fold of every op of the claim, else folded again from its log.
//! - [`apply_local`]: a change made here: decided, appended, folded, written.
//! - [`write_state`]: a folded state onto the claims row and its notes,
//!   evidence, conflicts and refusals, writing only what changed.

use claimdesk_core::msg;
use std::collections::HashSet;

use claimdesk_core::ops::{Op, Stamp};
use claimdesk_core::policy::{CitedReason, Policy};
use claimdesk_core::workflow::{check_new, decide, ClaimCommand, PolicyProposal, Refusal};
use claimdesk_core::{Actor, Category, ClaimStatus, NoteKind, ReportType, Role};
use claimdesk_sync::fold::{self, ClaimState, FoldOp, Verdict};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{Result, StoreError};
use crate::oplog::{new_op_id, Author, OpReceipt, OpWriter, SyncState};

/// The columns of an op the fold reads, in this order (see [`fold_op_from_row`]).
pub(crate) const FOLD_COLUMNS: &str =
    "op_id, hlc, user_id, device, kind, payload, base, at, role, approval_limit, proposal, cited";

/// Reads one op row into the fold's form; `None` for the claim's import and
/// for an op that does not read as a claim command (it was parked when it came).
pub(crate) fn fold_op_from_row(conn: &Connection, r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<FoldOp>> {
    let kind: String = r.get(4)?;
    if kind == "claim.import" {
        return Ok(None);
    }
    let payload: String = r.get(5)?;
    let Ok(payload) = serde_json::from_str(&payload) else { return Ok(None) };
    let Ok(Op::Claim(cmd)) = Op::decode(&kind, &payload) else { return Ok(None) };
    let user: String = r.get(2)?;
    let role: Option<String> = r.get(8)?;
    let proposal: Option<String> = r.get(10)?;
    let cited: Option<String> = r.get(11)?;
    let stamp = match role.and_then(|r| Role::parse(&r)) {
        Some(role) => Stamp {
            role,
            approval_limit: r.get(9)?,
            proposal: proposal.and_then(|p| serde_json::from_str::<PolicyProposal>(&p).ok()),
            cited: cited.and_then(|c| serde_json::from_str::<CitedReason>(&c).ok()),
        },
        None => roster_stamp(conn, &user)?,
    };
    Ok(Some(FoldOp {
        op_id: r.get(0)?,
        hlc: r.get(1)?,
        device: r.get(3)?,
        user,
        cmd,
        base: r.get(6)?,
        at_ms: r.get(7)?,
        stamp,
    }))
}

/// The stamp of an op that came without one (stored before protocol 2): the
/// author's role and limit in this store's roster, or a reviewer's for a user
/// it does not know (the least an op can be).
pub(crate) fn roster_stamp(conn: &Connection, user: &str) -> rusqlite::Result<Stamp> {
    let row: Option<(String, Option<i64>)> = conn
        .prepare_cached("SELECT role, approval_limit FROM users WHERE id = ?1")?
        .query_row([user], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match row {
        Some((role, limit)) => Stamp::of_role(Role::parse(&role).unwrap_or(Role::Reviewer), limit),
        None => Stamp::of_role(Role::Reviewer, None),
    })
}

/// What the fold starts from of a claim's import: its category and report type.
type Filed = (Category, ReportType);

/// The ops of one claim that its state is folded from: applied, not parked.
fn claim_ops(conn: &Connection, external_id: &str) -> Result<(Vec<FoldOp>, Option<Filed>)> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FOLD_COLUMNS} FROM ops WHERE entity = ?1 COLLATE BINARY AND outcome = 'applied' AND sync != 'local' ORDER BY seq"
    ))?;
    let mut rows = stmt.query([format!("claim:{external_id}")])?;
    let mut ops = Vec::new();
    // The claim as its first import (by key) made it.
    let mut first_import: Option<((i64, String, String), Filed)> = None;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(4)?;
        if kind == "claim.import" {
            let key: (i64, String, String) = (r.get(1)?, r.get(3)?, r.get(0)?);
            // Only the category and the extra columns (the report type) are needed of the import.
            #[derive(serde::Deserialize)]
            struct Import {
                category: Category,
                #[serde(default)]
                extra: std::collections::BTreeMap<String, String>,
            }
            let payload: String = r.get(5)?;
            let filed = serde_json::from_str::<Import>(&payload)
                .ok()
                .map(|f| (f.category, ReportType::of_intake(&f.extra)));
            if let Some(c) = filed {
                if first_import.as_ref().is_none_or(|(k, _)| key < *k) {
                    first_import = Some((key, c));
                }
            }
            continue;
        }
        if let Some(op) = fold_op_from_row(conn, r)? {
            ops.push(op);
        }
    }
    Ok((ops, first_import.map(|(_, c)| c)))
}

/// The claim's row id and filed category.
pub(crate) fn claim_row(conn: &Connection, external_id: &str) -> Result<Option<(i64, Category)>> {
    let mut stmt = conn.prepare_cached("SELECT id, filed_category FROM claims WHERE external_id = ?1")?;
    Ok(stmt
        .query_row([external_id], |r| {
            let c: String = r.get(1)?;
            Ok((r.get(0)?, Category::parse(&c).unwrap_or(Category::Other)))
        })
        .optional()?)
}

/// The claim's state folded from its whole log (nothing written).
pub(crate) fn refold(conn: &Connection, external_id: &str, filed: Category) -> Result<ClaimState> {
    let (mut ops, imported) = claim_ops(conn, external_id)?;
    let (category, report_type) = imported.unwrap_or((filed, ReportType::DamageClaim));
    Ok(fold::fold(ClaimState::imported(category).with_report_type(report_type), &mut ops))
}

/// The cached folded state of a claim, if it is still that of every op of
/// the claim before local op `page_start` (no op was written beside the fold since).
pub(crate) fn cached_state(
    conn: &Connection,
    claim_id: i64,
    external_id: &str,
    page_start: i64,
) -> Result<Option<ClaimState>> {
    let row: Option<(Option<String>, i64)> = conn
        .prepare_cached("SELECT state, through_seq FROM claim_sync WHERE claim_id = ?1")?
        .query_row([claim_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    checked_cache(conn, row, external_id, page_start)
}

/// A cached state read with its `through_seq`, if no op of the claim before
/// local op `page_start` came after it.
fn checked_cache(
    conn: &Connection,
    row: Option<(Option<String>, i64)>,
    external_id: &str,
    page_start: i64,
) -> Result<Option<ClaimState>> {
    let Some((Some(text), through)) = row else { return Ok(None) };
    let last_before: i64 = conn
        // `COLLATE BINARY` (the column's own) on the bound text: without it
        // SQLite prepares this statement again at each run after a write
        // (measured: a third of an approval's time went into re-preparing).
        .prepare_cached(
            "SELECT coalesce(max(seq), 0) FROM ops WHERE entity = ?1 COLLATE BINARY AND seq < ?2",
        )?
        .query_row(params![format!("claim:{external_id}"), page_start], |r| r.get(0))?;
    if last_before > through {
        return Ok(None);
    }
    Ok(serde_json::from_str(&text).ok())
}

/// The claim's current state: the cache when it is current, else folded again.
pub(crate) fn load_state(
    conn: &Connection,
    claim_id: i64,
    external_id: &str,
    filed: Category,
) -> Result<ClaimState> {
    match cached_state(conn, claim_id, external_id, i64::MAX)? {
        Some(state) => Ok(state),
        None => refold(conn, external_id, filed),
    }
}

/// Folds the claim again from its whole log and writes the result.
pub(crate) fn refold_and_write(
    tx: &Transaction<'_>,
    external_id: &str,
    through_seq: i64,
) -> Result<Option<ClaimState>> {
    let Some((id, filed)) = claim_row(tx, external_id)? else { return Ok(None) };
    let state = refold(tx, external_id, filed)?;
    write_state(tx, id, &state, None, through_seq)?;
    Ok(Some(state))
}

/// The policy's current result for a claim, as stored by the evaluation.
pub(crate) fn proposal(conn: &Connection, claim_id: i64) -> Result<Option<PolicyProposal>> {
    let row = conn
        .prepare_cached(&format!("SELECT {} FROM claims WHERE id = ?1", crate::evaluate::RESULT_COLUMNS))?
        .query_row([claim_id], |r| crate::evaluate::stored_outcome(r, 0))
        .optional()?
        .flatten();
    Ok(row.map(|o| PolicyProposal::of(&o)))
}

/// What this device knows about the author of an op it makes now.
pub(crate) fn local_stamp(
    actor: &Actor,
    proposal: Option<PolicyProposal>,
    cited: Option<CitedReason>,
) -> Stamp {
    use rust_decimal::prelude::ToPrimitive;
    Stamp {
        role: actor.role,
        approval_limit: actor.approval_limit.and_then(|l| l.trunc().to_i64()),
        proposal,
        cited,
    }
}

thread_local! {
    /// The last policy text parsed, by its text (a bulk action or a queue page parses it once).
    static PARSED: std::cell::RefCell<Option<(String, std::sync::Arc<Policy>)>> = const { std::cell::RefCell::new(None) };
}

/// A policy text parsed, or the same text's parse of a moment ago.
pub(crate) fn parsed_policy(text: String) -> Result<std::sync::Arc<Policy>> {
    if let Some(p) = PARSED.with(|c| c.borrow().as_ref().filter(|(t, _)| *t == text).map(|(_, p)| p.clone()))
    {
        return Ok(p);
    }
    let parsed = std::sync::Arc::new(Policy::from_toml(&text)?);
    PARSED.with(|c| *c.borrow_mut() = Some((text, parsed.clone())));
    Ok(parsed)
}

/// The catalog entry the command's reason code names in the active policy
/// of the claim's incident (what the server stamps the op with as well);
/// None when it cites nothing or a code that policy lacks.
pub(crate) fn cite_local(
    conn: &Connection,
    claim_id: i64,
    cmd: &ClaimCommand,
) -> Result<Option<CitedReason>> {
    let Some((kind, code)) = cmd.citation() else { return Ok(None) };
    let Some((version, policy)) = claim_policy(conn, claim_id)? else { return Ok(None) };
    Ok(policy.cite(kind, code, Some(version)))
}

/// The active policy of the claim's incident, with its version (None: no
/// active policy). Read once per text: a bulk action parses it once.
pub(crate) fn claim_policy(
    conn: &Connection,
    claim_id: i64,
) -> Result<Option<(i64, std::sync::Arc<Policy>)>> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT p.version, p.toml FROM claims c JOIN policy_versions p ON p.incident_id = c.incident_id AND p.active = 1
             WHERE c.id = ?1",
        )?
        .query_row([claim_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((version, text)) = row else { return Ok(None) };
    Ok(Some((version, parsed_policy(text)?)))
}

/// A change made on this device and what it did.
pub(crate) struct LocalChange {
    pub receipt: OpReceipt,
    pub after: ClaimState,
}

/// The one path for a change a person makes to one claim, inside an open
/// transaction: the claim's state is loaded, the command is decided against
/// it with the core's rules (a refusal is appended to the audit chain and
/// returned), the op is appended with the author's stamp, folded into the
/// state exactly as every other replica will fold it, and the state written.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_local(
    tx: &Transaction<'_>,
    ops: &mut OpWriter,
    author: &Author<'_>,
    actor: &Actor,
    external_id: &str,
    seen_version: Option<i64>,
    cmd: ClaimCommand,
) -> Result<LocalChange> {
    let entity = format!("claim:{external_id}");
    let op = Op::Claim(cmd.clone());
    let cmd = &cmd;
    // The row and its cached state in one look-up.
    type Row = (i64, String, i64, Option<String>, Option<i64>);
    let (id, filed, version, state, through): Row = tx
        .prepare_cached(
            "SELECT c.id, c.filed_category, c.version, s.state, s.through_seq
             FROM claims c LEFT JOIN claim_sync s ON s.claim_id = c.id WHERE c.external_id = ?1 COLLATE BINARY",
        )?
        .query_row([external_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
    if let Some(seen) = seen_version {
        if seen != version {
            return Err(StoreError::Stale { claim: external_id.to_string(), seen, now: version });
        }
    }
    let cached = checked_cache(tx, through.map(|t| (state, t)), external_id, i64::MAX)?;
    let before = match cached {
        Some(state) => state,
        None => refold(tx, external_id, Category::parse(&filed).unwrap_or(Category::Other))?,
    };
    let base = before.decisions;
    let proposal = match cmd {
        ClaimCommand::Recommend { .. } => proposal(tx, id)?,
        _ => None,
    };
    let stamp = local_stamp(actor, proposal, cite_local(tx, id, cmd)?);
    // The decision the fold will make (checked first, so a refusal is the core's own),
    // after what only a change made now must say (a reason code).
    // Today, for the commands whose rules read the day (the fold reads the op's own).
    let today = if cmd.reads_day() { Some(crate::cure::today(tx)?) } else { None };
    let seen = before.view_at(base, cmd).claim_view(Some(&stamp), today);
    // A document tick names one the policy in force asks of the claim's category.
    let listed = match cmd {
        ClaimCommand::CheckDocument { .. } => match claim_policy(tx, id)? {
            Some((_, policy)) => claimdesk_core::workflow::check_document(cmd, &policy, before.category),
            None => Ok(()),
        },
        _ => Ok(()),
    };
    if let Err(refusal) = check_new(cmd).and(listed).and_then(|()| decide(actor, &seen, cmd)) {
        let err = StoreError::Refused(refusal);
        ops.append_refusal(tx, author, &entity, &op.kind(), err.code(), &err.to_string(), Some(base))?;
        return Err(err);
    }
    let payload = op.payload();
    crate::oplog::check_size(&op, &payload)?;
    let (hlc, at) = ops.tick()?;
    let op_id = new_op_id();
    let fold_op = FoldOp {
        op_id: op_id.clone(),
        hlc,
        device: author.device.to_string(),
        user: author.user.to_string(),
        cmd: cmd.clone(),
        base: Some(base),
        at_ms: at,
        stamp: stamp.clone(),
    };
    let mut after = before.clone();
    match fold::step(&mut after, &fold_op) {
        Verdict::Applied => {}
        // What the decision view cannot tell (a note's author, say): refused like any other rule.
        Verdict::Refused { code, reason, .. } => {
            ops.append_refusal(tx, author, &entity, &op.kind(), &code, &reason, Some(base))?;
            return Err(StoreError::Refused(refusal_of(&code, reason)));
        }
        other => {
            return Err(StoreError::Invalid(msg!("store.apply_conflict", detail = format!("{other:?}"))))
        }
    }
    let receipt = ops.write_at(
        tx,
        op_id,
        hlc,
        at,
        author,
        &entity,
        &op.kind(),
        &payload.to_string(),
        Some(base),
        false,
        SyncState::Pending,
        Some(&stamp),
    )?;
    write_state(tx, id, &after, Some(&before), receipt.seq)?;
    Ok(LocalChange { receipt, after })
}

/// A refusal of the fold's own checks, as the core's type.
fn refusal_of(code: &str, reason: String) -> Refusal {
    match code {
        "NOT_NOTE_AUTHOR" => Refusal::NotNoteAuthor,
        _ => Refusal::Invalid(msg!("invalid.detail", detail = reason)),
    }
}

/// Writes a folded state to the claim row and its notes, evidence, conflicts
/// and refusals, and caches it as of local op `through_seq`. With `prev`,
/// the state the row holds now, only what changed is written: an annotation
/// does not rewrite the queue indexes, a new note does not rewrite the others.
pub(crate) fn write_state(
    tx: &Transaction<'_>,
    claim_id: i64,
    state: &ClaimState,
    prev: Option<&ClaimState>,
    through_seq: i64,
) -> Result<()> {
    let old_category = match prev {
        Some(p) => p.category.code().to_string(),
        None => tx.query_row("SELECT category FROM claims WHERE id = ?1", [claim_id], |r| r.get(0))?,
    };
    // A changed intake row first: the category, claimant key and evaluation follow from it.
    if prev.is_none_or(|p| p.intake != state.intake) {
        if let Some(input) = &state.intake {
            crate::import::write_intake(tx, claim_id, input)?;
        }
    }
    let workflow_changed = prev.is_none_or(|p| {
        p.status != state.status
            || p.assignee != state.assignee
            || p.recommendation != state.recommendation
            || p.is_override != state.is_override
            || p.batch_id != state.batch_id
            || p.reserved_for != state.reserved_for
            || p.reserved_by != state.reserved_by
    });
    // Columns no index covers.
    let plain_changed = prev.is_none_or(|p| {
        p.priority != state.priority
            || p.tags != state.tags
            || p.duplicate_of != state.duplicate_of
            || p.lease_holder != state.lease_holder
            || p.version != state.version
    });
    if workflow_changed {
        if let Some(batch) = &state.batch_id {
            // The batch's own op may still be on its way (or parked): keep the reference sound.
            tx.prepare_cached("INSERT OR IGNORE INTO batches (id, name, created_by, created_at) VALUES (?1, '(not yet synced)', '', 0)")?
                .execute([batch])?;
        }
    }
    let recommendation = || state.recommendation.as_ref().map(serde_json::to_string).transpose();
    let tags = || serde_json::to_string(&state.tags);
    match (workflow_changed, plain_changed) {
        // A decision: one statement for both (SQLite updates the indexes of the columns set).
        (true, true) => {
            tx.prepare_cached(
                "UPDATE claims SET status = ?2, assignee = ?3, recommendation = ?4, is_override = ?5, batch_id = ?6, reserved_for = ?7,
                     priority = ?8, tags = ?9, duplicate_of = ?10, lease_holder = ?11, version = ?12, updated_at = ?13,
                     reserved_by = ?14 WHERE id = ?1",
            )?
            .execute(params![
                claim_id, state.status.code(), state.assignee, recommendation()?, state.is_override, state.batch_id, state.reserved_for,
                state.priority.code(), tags()?, state.duplicate_of, state.lease_holder, state.version, crate::now_secs(),
                state.reserved_by
            ])?;
        }
        (true, false) => {
            tx.prepare_cached(
                "UPDATE claims SET status = ?2, assignee = ?3, recommendation = ?4, is_override = ?5, batch_id = ?6, reserved_for = ?7,
                     reserved_by = ?8 WHERE id = ?1",
            )?
            .execute(params![
                claim_id, state.status.code(), state.assignee, recommendation()?, state.is_override, state.batch_id, state.reserved_for,
                state.reserved_by
            ])?;
        }
        // An annotation: no queue index is rewritten.
        (false, true) => {
            tx.prepare_cached(
                "UPDATE claims SET priority = ?2, tags = ?3, duplicate_of = ?4, lease_holder = ?5, version = ?6, updated_at = ?7 WHERE id = ?1",
            )?
            .execute(params![
                claim_id, state.priority.code(), tags()?, state.duplicate_of, state.lease_holder, state.version, crate::now_secs()
            ])?;
        }
        (false, false) => {}
    }
    if old_category != state.category.code() {
        tx.prepare_cached("UPDATE claims SET category = ?2 WHERE id = ?1")?
            .execute(params![claim_id, state.category.code()])?;
    }
    if prev.is_none_or(|p| p.report_type != state.report_type || reason_code(p) != reason_code(state)) {
        tx.prepare_cached("UPDATE claims SET report_type = ?2, reason_code = ?3 WHERE id = ?1")?
            .execute(params![claim_id, state.report_type.code(), reason_code(state)])?;
    }
    let request = |s: &ClaimState| {
        let open = s.open_request().map(|r| (r.requested_on.to_string(), r.due_on.to_string()));
        (open, s.requests.len() as i64)
    };
    if prev.is_none_or(|p| request(p) != request(state)) {
        let (open, count) = request(state);
        let (requested_on, due_on) = open.unzip();
        tx.prepare_cached(
            "UPDATE claims SET requested_on = ?2, due_on = ?3, info_requests = ?4 WHERE id = ?1",
        )?
        .execute(params![claim_id, requested_on, due_on, count])?;
    }
    if prev.is_none_or(|p| p.notified() != state.notified()) {
        tx.prepare_cached("UPDATE claims SET notified = ?2 WHERE id = ?1")?
            .execute(params![claim_id, state.notified()])?;
    }
    if prev.is_none_or(|p| p.notices != state.notices) {
        let mut notice = tx.prepare_cached(
            "INSERT OR IGNORE INTO notices (op_id, claim_id, kind, channels, lang, resend, sent_by, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for n in &state.notices {
            notice.execute(params![
                n.op_id,
                claim_id,
                n.kind.code(),
                serde_json::to_string(&n.channels)?,
                n.lang.code(),
                n.resend,
                n.by,
                n.at_ms / 1000
            ])?;
        }
        // A notice whose op is no longer folded in (the server refused it) was never sent.
        let kept: Vec<&str> = state.notices.iter().map(|n| n.op_id.as_str()).collect();
        let stored: Vec<String> = tx
            .prepare_cached("SELECT op_id FROM notices WHERE claim_id = ?1")?
            .query_map([claim_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for op_id in stored.iter().filter(|o| !kept.contains(&o.as_str())) {
            tx.execute("DELETE FROM notices WHERE op_id = ?1", [op_id])?;
        }
    }
    let mut note = tx.prepare_cached(
        "INSERT INTO notes (claim_id, op_id, author, kind, body, created_at, hidden_by, code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(op_id) DO UPDATE SET hidden_by = excluded.hidden_by",
    )?;
    for n in &state.notes {
        if prev.is_some_and(|p| p.notes.contains(n)) {
            continue;
        }
        note.execute(params![
            claim_id,
            n.op_id,
            n.author,
            n.kind.code(),
            n.body,
            n.at_ms / 1000,
            n.hidden_by,
            n.code
        ])?;
    }
    if prev.is_none() {
        // Notes of ops that are no longer folded in (the server rejected them) are hidden, never removed.
        let kept: HashSet<&str> = state.notes.iter().map(|n| n.op_id.as_str()).collect();
        let stored: Vec<String> = tx
            .prepare_cached("SELECT op_id FROM notes WHERE claim_id = ?1 AND (hidden_by IS NULL OR hidden_by != 'parked')")?
            .query_map([claim_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for op_id in stored.iter().filter(|o| !kept.contains(o.as_str())) {
            tx.execute("UPDATE notes SET hidden_by = 'parked' WHERE op_id = ?1", [op_id])?;
        }
    }
    let mut evidence = tx.prepare_cached(
        "INSERT OR IGNORE INTO evidence (claim_id, op_id, sha256, file_name, mime, size, added_by, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for e in &state.evidence {
        if prev.is_some_and(|p| p.evidence.contains(e)) {
            continue;
        }
        evidence.execute(params![
            claim_id,
            e.op_id,
            e.sha256,
            e.file_name,
            e.mime,
            e.size,
            e.added_by,
            e.at_ms / 1000
        ])?;
    }
    if prev.is_none_or(|p| p.conflicts != state.conflicts) {
        tx.prepare_cached("DELETE FROM conflicts WHERE claim_id = ?1")?.execute([claim_id])?;
        let mut conflict = tx.prepare_cached(
            "INSERT INTO conflicts (claim_id, base, ops, joined, resolved_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for c in &state.conflicts {
            conflict.execute(params![
                claim_id,
                c.base,
                serde_json::to_string(&c.ops)?,
                serde_json::to_string(&c.joined)?,
                c.resolved_by
            ])?;
        }
    }
    if prev.is_none_or(|p| p.refused != state.refused) {
        tx.prepare_cached("DELETE FROM fold_refusals WHERE claim_id = ?1")?.execute([claim_id])?;
        let mut refusal = tx.prepare_cached(
            "INSERT OR REPLACE INTO fold_refusals (op_id, claim_id, user_id, code, reason, explain) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for r in &state.refused {
            let explain = r.explain.as_ref().map(serde_json::to_string).transpose()?;
            refusal.execute(params![r.op_id, claim_id, r.user, r.code, r.reason, explain])?;
        }
    }
    tx.prepare_cached(
        "INSERT INTO claim_sync (claim_id, decisions, state, through_seq) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(claim_id) DO UPDATE SET decisions = excluded.decisions, state = excluded.state, through_seq = excluded.through_seq",
    )?
    .execute(params![claim_id, state.decisions, serde_json::to_string(state)?, through_seq])?;
    if old_category != state.category.code() {
        let mut ids = crate::claims::group_ids(tx, claim_id)?;
        crate::claims::refresh_claimant_key(tx, claim_id)?;
        ids.extend(crate::claims::group_ids(tx, claim_id)?);
        crate::evaluate::reevaluate_ids(tx, &ids)?;
    }
    Ok(())
}

/// The reason code a claim carries in its state (the claims row's
/// `reason_code`, which the dashboard counts): the deficiency code of its
/// open request, the code of its denial, the reply it was closed with;
/// [`claimdesk_core::policy::LEGACY_REASON`] for a denial or request made
/// before coded reasons.
pub(crate) fn reason_code(state: &ClaimState) -> Option<String> {
    use claimdesk_core::policy::LEGACY_REASON;
    use claimdesk_core::workflow::Decision;
    let last_note = |kind: NoteKind| {
        state
            .notes
            .iter()
            .rev()
            .find(|n| n.kind == kind)
            .map(|n| n.code.clone().unwrap_or_else(|| LEGACY_REASON.into()))
    };
    match state.status {
        ClaimStatus::NeedsInfo => last_note(NoteKind::InfoRequest),
        ClaimStatus::ClosedNoDamage => last_note(NoteKind::Closure),
        ClaimStatus::ClosedDenied if state.expired_by.is_some() => last_note(NoteKind::Expiry),
        ClaimStatus::Recommended | ClaimStatus::Batched | ClaimStatus::ClosedDenied => {
            match state.recommendation.as_ref().map(|r| &r.decision) {
                Some(Decision::Deny { code, .. }) => {
                    Some(code.clone().unwrap_or_else(|| LEGACY_REASON.into()))
                }
                _ => None,
            }
        }
        _ => None,
    }
}
