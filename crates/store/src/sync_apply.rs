//! Applying pulled pages (sync.md): one transaction per page, with its
//! cursor. Every pulled op goes through the same code as a local one:
//!
//! - a claim op is appended to this device's chain and the claim folded:
//!   decided by the core's rules with the role and limit the server stamped
//!   on it (`claim_state`); an op the rules refuse changes nothing and is
//!   kept, visible, with its reason;
//! - a claim import goes through the import's own insert statements;
//! - a team op (batch, policy, catalog, payout record) is checked against the
//!   author's stamped role and applied by [`crate::team::apply`] inside its
//!   own savepoint;
//! - an op this device cannot apply (a kind it does not know, a payload that
//!   does not read, a policy that does not parse, a role that may not make
//!   it, a clock stamp too far ahead) is parked with its reason; the page and
//!   the cursor move on. No op stops a sync.

use std::collections::{BTreeMap, HashSet};

use claimdesk_core::hlc::wall_clock_ms;
use claimdesk_core::ops::{Op, OpError, Scope, Stamp};
use claimdesk_core::workflow::may;
use claimdesk_core::{ClaimInput, ClaimStatus};
use claimdesk_sync::fold::{self, FoldOp};
use claimdesk_sync::protocol::{PulledOp, RejectCode, WireOp};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::claim_state::{cached_state, claim_row, refold, roster_stamp, write_state};
use crate::error::{Result, StoreError};
use crate::oplog::{OpWriter, RemoteOp};
use crate::sync_views::ParkedOp;
use crate::team::Envelope;
use crate::Store;

/// What applying one pulled page did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub received: u64,
    pub applied: u64,
    /// Already in the log (a repeated page, or this device's own ops coming back).
    pub duplicates: u64,
    pub imported_claims: u64,
    /// Claims whose state was folded again from their import.
    pub refolded: u64,
    /// Claims whose new ops were folded on top of their cached state.
    pub stepped: u64,
    /// Pulled ops this device could not apply, with the reason.
    pub parked: Vec<ParkedOp>,
    /// Claims now in conflict among those touched.
    pub in_conflict: Vec<String>,
    /// Ops retried from the parked list and applied now.
    pub unparked: u64,
    /// Claim ops of this page that the rules refused (kept on the claims' history).
    pub refused: u64,
}

pub(crate) fn get_state(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn set_state(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// A pull of at least this many ops into a store with fewer than half as
/// many claims loads in bulk (see [`Store::apply_pulled`]).
const BULK_PULL_OPS: i64 = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bulk {
    Keep,
    Drop,
    Rebuild,
}

/// After a bulk pull that did not finish: the queue indexes come back.
pub(crate) fn restore_bulk_indexes(conn: &Connection) -> Result<()> {
    if get_state(conn, "bulk_pull")?.is_some() {
        let tx = conn.unchecked_transaction()?;
        crate::schema::drop_bulk_indexes(&tx)?;
        crate::schema::create_bulk_indexes(&tx)?;
        crate::evaluate::reevaluate_shared_groups(&tx)?;
        tx.execute("DELETE FROM sync_state WHERE key = 'bulk_pull'", [])?;
        tx.commit()?;
    }
    Ok(())
}

/// Why a pulled op is set aside, and whether the next pull tries it again.
struct Parking {
    code: String,
    reason: String,
    /// Boxed: a parking travels in the Err of every check, which stays small.
    explain: Box<claimdesk_core::message::Message>,
    retry: bool,
}

impl Parking {
    /// Parked under `code`, said by its code's own message with `reason` (English) as detail.
    fn new(code: &str, reason: impl Into<String>, retry: bool) -> Parking {
        let reason = reason.into();
        let explain = claimdesk_core::message::for_code(code).with("detail", &reason);
        Parking { code: code.to_string(), reason, explain: Box::new(explain), retry }
    }

    /// Parked for an error that says itself.
    fn of(
        code: &str,
        why: &(impl claimdesk_core::message::Explain + std::fmt::Display),
        retry: bool,
    ) -> Parking {
        Parking { code: code.to_string(), reason: why.to_string(), explain: Box::new(why.message()), retry }
    }
}

impl From<OpError> for Parking {
    fn from(e: OpError) -> Parking {
        // A newer client's kind may be known after an update: tried again.
        let retry = matches!(e, OpError::UnknownKind(_));
        Parking::of(e.code(), &e, retry)
    }
}

fn park(tx: &Transaction<'_>, pulled: &PulledOp, why: Parking, report: &mut ApplyReport) -> Result<()> {
    let op = &pulled.op;
    let parked = ParkedOp {
        op_id: op.op_id.clone(),
        origin: "remote".into(),
        entity: op.entity.clone(),
        kind: op.kind.clone(),
        user: op.user.clone(),
        code: why.code,
        reason: why.reason,
        explain: Some(*why.explain),
        at_ms: wall_clock_ms() as i64,
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO parked_ops (op_id, origin, entity, kind, user_id, code, reason, at, op, retry, explain)
         VALUES (?1, 'remote', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        parked.op_id, parked.entity, parked.kind, parked.user, parked.code, parked.reason, parked.at_ms,
        serde_json::to_string(pulled)?, why.retry, serde_json::to_string(&parked.explain)?
    ])?;
    report.parked.push(parked);
    Ok(())
}

/// A claim row from another device, checked like any claim before it is stored.
fn check_import(op: &WireOp, claim: &ClaimInput) -> std::result::Result<(), Parking> {
    if op.entity.strip_prefix("claim:") != Some(claim.external_id.as_str()) {
        return Err(Parking::new(
            RejectCode::BAD_PAYLOAD,
            format!("the imported claim {} is filed under {}", claim.external_id, op.entity),
            false,
        ));
    }
    claim.check().map_err(|why| Parking::new(RejectCode::BAD_PAYLOAD, why, false))
}

impl Store {
    /// Applies a page of pulled ops and, when given, advances the cursor, in
    /// one transaction. Ops already in the log are skipped (applying twice
    /// equals applying once); each new op is appended to this device's chain
    /// and its stamp observed (one too far ahead is parked, not applied).
    pub fn apply_remote(&mut self, ops: &[PulledOp], cursor: Option<i64>) -> Result<ApplyReport> {
        self.apply_remote_page(ops, cursor, Bulk::Keep)
    }

    /// [`Store::apply_remote`] for one page of a pull that knows what is left:
    /// a first pull of many ops into a small store drops the queue indexes
    /// at its first page and builds them again (by sorting, several times
    /// faster than growing them) at its last, like a large import. The
    /// store records that they are down; [`Store::open`] rebuilds them if
    /// the pull never finished.
    pub fn apply_pulled(&mut self, ops: &[PulledOp], cursor: i64, remaining: i64) -> Result<ApplyReport> {
        let down = get_state(self.conn(), "bulk_pull")?.is_some();
        let bulk = if remaining == 0 {
            if down {
                Bulk::Rebuild
            } else {
                Bulk::Keep
            }
        } else if down {
            Bulk::Keep
        } else {
            let claims: i64 = self.conn().query_row("SELECT count(*) FROM claims", [], |r| r.get(0))?;
            if remaining + ops.len() as i64 >= BULK_PULL_OPS && claims * 2 < remaining {
                Bulk::Drop
            } else {
                Bulk::Keep
            }
        };
        self.apply_remote_page(ops, Some(cursor), bulk)
    }

    fn apply_remote_page(
        &mut self,
        ops: &[PulledOp],
        cursor: Option<i64>,
        bulk: Bulk,
    ) -> Result<ApplyReport> {
        let tx = self.write_tx()?;
        if bulk == Bulk::Drop {
            crate::schema::drop_bulk_indexes(&tx)?;
            set_state(&tx, "bulk_pull", "1")?;
        }
        let mut writer = OpWriter::begin(&tx)?;
        let page_start = writer.next_seq();
        let mut report = ApplyReport { received: ops.len() as u64, ..ApplyReport::default() };
        // Pulled ops parked earlier that may apply now get another try first.
        let retry: Vec<PulledOp> = {
            let mut stmt =
                tx.prepare("SELECT op FROM parked_ops WHERE origin = 'remote' AND retry = 1 AND op IS NOT NULL ORDER BY at, op_id")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.filter_map(|t| t.ok().and_then(|t| read_parked(&t))).collect()
        };
        let retried: HashSet<String> = retry.iter().map(|o| o.op.op_id.clone()).collect();
        let mut imports: Vec<ClaimInput> = Vec::new();
        let mut touched: BTreeMap<String, Vec<FoldOp>> = BTreeMap::new();
        for pulled in retry.iter().chain(ops.iter()) {
            let op = &pulled.op;
            let is_retry = retried.contains(&op.op_id);
            let known: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM ops WHERE op_id = ?1)")?
                .query_row([&op.op_id], |r| r.get(0))?;
            if known {
                if is_retry {
                    tx.execute("DELETE FROM parked_ops WHERE op_id = ?1 AND origin = 'remote'", [&op.op_id])?;
                } else {
                    report.duplicates += 1;
                }
                continue;
            }
            if is_retry {
                tx.execute("DELETE FROM parked_ops WHERE op_id = ?1 AND origin = 'remote'", [&op.op_id])?;
            }
            let parked_before = report.parked.len();
            let typed = match Op::decode(&op.kind, &op.payload) {
                Ok(typed) => typed,
                Err(e) => {
                    park(&tx, pulled, e.into(), &mut report)?;
                    continue;
                }
            };
            if let Err(e) = writer.observe(op.hlc) {
                park(&tx, pulled, Parking::new(RejectCode::CLOCK_AHEAD, e.to_string(), true), &mut report)?;
                continue;
            }
            let stamp = match &pulled.stamp {
                Some(s) => s.clone(),
                None => roster_stamp(&tx, &op.user)?,
            };
            if !op.entity.starts_with(typed.entity_prefix()) {
                let why = Parking::new(
                    RejectCode::BAD_OP,
                    format!("a {} change cannot be about {}", op.kind, op.entity),
                    false,
                );
                park(&tx, pulled, why, &mut report)?;
                continue;
            }
            match (&typed, typed.scope()) {
                (Op::Claim(cmd), _) => {
                    let ext = op.entity.strip_prefix("claim:").unwrap_or(&op.entity).to_string();
                    append(&tx, &mut writer, pulled)?;
                    touched.entry(ext).or_default().push(FoldOp::of_wire(op, cmd.clone(), stamp));
                }
                (Op::ClaimImport(claim), _) => {
                    if let Err(why) = may(stamp.role, claimdesk_core::workflow::AdminAction::ImportIntake) {
                        park(&tx, pulled, Parking::of(why.code(), &why, false), &mut report)?;
                        continue;
                    }
                    if let Err(why) = check_import(op, claim) {
                        park(&tx, pulled, why, &mut report)?;
                        continue;
                    }
                    // A claim of an incident whose creation has not arrived waits for it.
                    if !crate::incidents::exists(&tx, claim.incident_id())? {
                        let e = StoreError::UnknownIncident(claim.incident_id().to_string());
                        park(&tx, pulled, Parking::new(e.code(), e.to_string(), true), &mut report)?;
                        continue;
                    }
                    append(&tx, &mut writer, pulled)?;
                    // Ops of the claim that came before its import are folded once it is in.
                    let earlier: bool = tx
                        .prepare_cached("SELECT EXISTS (SELECT 1 FROM ops WHERE entity = ?1 COLLATE BINARY AND kind != 'claim.import' AND seq < ?2)")?
                        .query_row(params![op.entity, page_start], |r| r.get(0))?;
                    if earlier {
                        touched.entry(claim.external_id.clone()).or_default();
                    }
                    imports.push((**claim).clone());
                }
                (_, Scope::Team) => {
                    if let Err(why) = team_op(&tx, &mut writer, pulled, &typed, &stamp) {
                        park(&tx, pulled, why, &mut report)?;
                    }
                }
                (_, Scope::Server) => park(
                    &tx,
                    pulled,
                    Parking::new(
                        RejectCode::USERS_MANAGED_ON_SERVER,
                        "users come from the sync server's roster, not from changes",
                        false,
                    ),
                    &mut report,
                )?,
                (_, Scope::Device) => park(
                    &tx,
                    pulled,
                    Parking::new(
                        RejectCode::DEVICE_ONLY,
                        "this is another device's own record; it does not belong in the team's log",
                        false,
                    ),
                    &mut report,
                )?,
            }
            if report.parked.len() == parked_before {
                report.applied += 1;
                if is_retry {
                    report.unparked += 1;
                }
            }
        }
        // New claims, through the import's statements.
        if !imports.is_empty() {
            let ids = crate::import::insert_synced(&tx, imports)?;
            report.imported_claims = ids.len() as u64;
            let mut group: Vec<i64> = Vec::new();
            // During a bulk pull the claimant index is down: the duplicate
            // groups are evaluated once, when it is rebuilt.
            let bulk_pull = bulk == Bulk::Drop || get_state(&tx, "bulk_pull")?.is_some();
            if !bulk_pull {
                let mut members = tx.prepare_cached(
                    "SELECT c.id FROM claims c JOIN claims me ON me.id = ?1
                     WHERE me.claimant_key IS NOT NULL AND c.claimant_key = me.claimant_key AND c.service = me.service
                       AND c.incident_id = me.incident_id",
                )?;
                for id in &ids {
                    let m: Vec<i64> = members.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
                    if m.len() > 1 {
                        group.extend(m);
                    }
                }
            }
            if !group.is_empty() {
                crate::evaluate::reevaluate_ids(&tx, &group)?;
            }
        }
        // Claims: fold the new ops in, decided by the rules.
        let through = writer.next_seq() - 1;
        for (ext, mut new_ops) in touched {
            let Some((id, filed)) = claim_row(&tx, &ext)? else { continue };
            new_ops.sort_by(|a, b| (a.hlc, &a.device, &a.op_id).cmp(&(b.hlc, &b.device, &b.op_id)));
            let cached = cached_state(&tx, id, &ext, page_start)?;
            let (state, prev) = match cached {
                Some(prev) if !new_ops.is_empty() && prev.accepts_next(&new_ops[0]) => {
                    let mut state = prev.clone();
                    for op in &new_ops {
                        fold::step(&mut state, op);
                    }
                    report.stepped += 1;
                    (state, Some(prev))
                }
                _ => {
                    report.refolded += 1;
                    (refold(&tx, &ext, filed)?, None)
                }
            };
            report.refused +=
                new_ops.iter().filter(|o| state.refused.iter().any(|r| r.op_id == o.op_id)).count() as u64;
            if state.status == ClaimStatus::Conflict {
                report.in_conflict.push(ext.clone());
            }
            write_state(&tx, id, &state, prev.as_ref(), through)?;
        }
        if let Some(c) = cursor {
            set_state(&tx, "cursor", &c.to_string())?;
        }
        if bulk == Bulk::Rebuild {
            crate::schema::drop_bulk_indexes(&tx)?;
            crate::schema::create_bulk_indexes(&tx)?;
            crate::evaluate::reevaluate_shared_groups(&tx)?;
            tx.execute("DELETE FROM sync_state WHERE key = 'bulk_pull'", [])?;
        }
        writer.finish(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// The server sequence this store has applied up to.
    pub fn sync_cursor(&self) -> Result<i64> {
        Ok(get_state(self.conn(), "cursor")?.and_then(|c| c.parse().ok()).unwrap_or(0))
    }

    /// A value of the sync settings (`server_url`, `user`, `token`, `last_sync_at`, ...).
    pub fn sync_setting(&self, key: &str) -> Result<Option<String>> {
        get_state(self.conn(), key)
    }

    pub fn set_sync_setting(&mut self, key: &str, value: &str) -> Result<()> {
        set_state(self.conn(), key, value)
    }
}

/// A parked pulled op as kept (a `PulledOp`, or a bare `WireOp` of an older store).
fn read_parked(text: &str) -> Option<PulledOp> {
    serde_json::from_str::<PulledOp>(text)
        .ok()
        .or_else(|| serde_json::from_str::<WireOp>(text).ok().map(|op| PulledOp { seq: 0, op, stamp: None }))
}

/// Appends a pulled op to this device's chain, as it was made, with its stamp.
fn append(tx: &Transaction<'_>, writer: &mut OpWriter, pulled: &PulledOp) -> Result<i64> {
    let op = &pulled.op;
    let payload = serde_json::to_string(&op.payload)?;
    writer.append_remote(
        tx,
        &RemoteOp {
            op_id: &op.op_id,
            hlc: op.hlc,
            user: &op.user,
            device: &op.device,
            entity: &op.entity,
            kind: &op.kind,
            payload: &payload,
            base: op.base,
            at_ms: op.at_ms,
            stamp: pulled.stamp.as_ref(),
            server_seq: (pulled.seq > 0).then_some(pulled.seq),
        },
    )
}

/// A pulled team op: the author's stamped role must allow it, and it must
/// apply (a policy that parses, a catalog that holds) inside its own
/// savepoint, so a bad one leaves nothing behind.
fn team_op(
    tx: &Transaction<'_>,
    writer: &mut OpWriter,
    pulled: &PulledOp,
    typed: &Op,
    stamp: &Stamp,
) -> std::result::Result<(), Parking> {
    let op = &pulled.op;
    if let Some(action) = typed.required_action() {
        may(stamp.role, action).map_err(|why| Parking::of(why.code(), &why, false))?;
    }
    let env = Envelope {
        op_id: &op.op_id,
        user: &op.user,
        device: &op.device,
        hlc: op.hlc,
        at_ms: op.at_ms,
        entity: &op.entity,
    };
    let db = |e: rusqlite::Error| Parking::new("DATABASE", e.to_string(), true);
    tx.execute_batch("SAVEPOINT team_op").map_err(db)?;
    match crate::team::apply(tx, &env, typed) {
        Ok(()) => {
            tx.execute_batch("RELEASE team_op").map_err(db)?;
            append(tx, writer, pulled).map_err(|e| Parking::of(e.code(), &e, true))?;
            Ok(())
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO team_op; RELEASE team_op").map_err(db)?;
            let code = match &e {
                StoreError::Policy(_) => RejectCode::BAD_POLICY,
                _ if matches!(typed, Op::CatalogReplace(_)) => RejectCode::BAD_CATALOG,
                _ if matches!(typed, Op::PolicyCreate(_)) => RejectCode::BAD_POLICY,
                other => other.code(),
            };
            // A policy activation that came before its version is tried again.
            let retry = matches!(e, StoreError::NotFound(_) | StoreError::UnknownIncident(_));
            Err(Parking::new(code, e.to_string(), retry))
        }
    }
}
