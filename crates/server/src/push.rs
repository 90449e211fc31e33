//! Storing a pushed page: one transaction under the push lock (pulls stay
//! gap-free, decision 0006). Every op is admitted by the same checks as in
//! the tests' server (`claimdesk_sync::admit`): its envelope, its author's
//! role for a team op, and for a claim op the core's decision on the claim's
//! folded state, which this server keeps in PostgreSQL (`claims`) and updates
//! in the same transaction. An accepted op is stored with its stamp: the
//! author's role and limit as the server knows them now, and for a
//! recommendation the policy's result for the claim, which every replica then
//! decides the op with. A rejected op gets its own answer with the core's
//! code; it never blocks the ops behind it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use claimdesk_core::model::claimant_key;
use claimdesk_core::ops::{Op, Stamp};
use claimdesk_core::policy::{evaluate_all, Policy, PolicyInput};
use claimdesk_core::workflow::{ClaimCommand, PolicyProposal};
use claimdesk_core::{Category, ClaimInput, Role};
use claimdesk_sync::admit::{self, Rejection};
use claimdesk_sync::fold::{ClaimState, FoldOp};
use claimdesk_sync::protocol::{PushOutcome, PushResult, RejectCode, WireOp};
use deadpool_postgres::{Client, Transaction};
use uuid::Uuid;

use crate::auth::Session;
use crate::db::LOCK_PUSH;
use crate::error::ServerError;

/// One claim as the server holds it while a page is admitted.
struct ServerClaim {
    category: Category,
    input: ClaimInput,
    state: ClaimState,
    /// Changed by this page: written back at its end.
    dirty: bool,
    /// Accepted in this page (not yet in the ops table), for folding again a late op.
    accepted: Vec<FoldOp>,
}

impl ServerClaim {
    fn key(&self) -> Option<String> {
        claimant_key(self.category, self.input.phone.as_deref(), self.input.brn.as_deref()).map(str::to_string)
    }
}

/// What a page learned about the team's policies (read when first needed).
#[derive(Default)]
struct PolicyView {
    loaded: bool,
    /// The activation in force: (clock key, version).
    active: Option<((i64, String, String), i64)>,
    /// Versions created in this page.
    created: HashMap<i64, String>,
}

/// Parsed policy versions, shared by every request of this process.
fn policy_cache() -> &'static Mutex<HashMap<i64, Arc<Policy>>> {
    static CACHE: OnceLock<Mutex<HashMap<i64, Arc<Policy>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn internal(e: impl std::fmt::Display) -> ServerError {
    ServerError::Internal(e.to_string())
}

/// Stores the ops that pass the checks and answers one result per op, in order.
pub async fn store_page(
    client: &mut Client,
    session: &Session,
    ops: &[WireOp],
    now_ms: i64,
    max_clock_ahead_ms: u64,
) -> Result<Vec<PushResult>, ServerError> {
    let actor = session.actor();
    let author_stamp = Stamp { role: session.role, approval_limit: session.approval_limit, proposal: None };
    let tx = client.transaction().await?;
    // Pushes commit one at a time, in sequence order: a pull never skips an op
    // that commits later with a lower seq (docs/decisions/0006-server-stack.md).
    let lock = tx.prepare_cached("SELECT pg_advisory_xact_lock($1)").await?;
    tx.execute(&lock, &[&LOCK_PUSH]).await?;

    // Ops stored by an earlier push (a retry) are answered as duplicates, with their stamp.
    let ids: Vec<Uuid> = ops.iter().filter_map(|o| Uuid::parse_str(&o.op_id).ok()).collect::<HashSet<_>>().into_iter().collect();
    let known = stored_ops(&tx, &ids).await?;
    // The claims the page is about, as folded so far.
    let entities: Vec<&str> = ops
        .iter()
        .filter(|o| o.kind.starts_with("claim.") && o.entity.starts_with("claim:"))
        .map(|o| o.entity.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut claims = load_claims(&tx, &entities).await?;
    let mut policies = PolicyView::default();

    enum Slot {
        Rejected(Rejection),
        Duplicate(i64, Option<Stamp>),
        Insert(Stamp),
        /// The same op a second time in this page.
        Again,
    }
    let mut slots = Vec::with_capacity(ops.len());
    let mut in_page: HashSet<&str> = HashSet::new();
    for op in ops {
        if let Some((seq, stamp)) = Uuid::parse_str(&op.op_id).ok().and_then(|id| known.get(&id)) {
            slots.push(Slot::Duplicate(*seq, stamp.clone()));
            continue;
        }
        if in_page.contains(op.op_id.as_str()) {
            slots.push(Slot::Again);
            continue;
        }
        match admit_one(&tx, op, &actor, &author_stamp, now_ms, max_clock_ahead_ms, &mut claims, &mut policies).await? {
            Ok(stamp) => {
                in_page.insert(op.op_id.as_str());
                slots.push(Slot::Insert(stamp));
            }
            Err(r) => slots.push(Slot::Rejected(r)),
        }
    }

    let mut seqs: HashMap<Uuid, i64> = HashMap::new();
    let batch: Vec<(&WireOp, &Stamp)> = ops
        .iter()
        .zip(&slots)
        .filter_map(|(o, s)| match s {
            Slot::Insert(stamp) => Some((o, stamp)),
            _ => None,
        })
        .collect();
    if !batch.is_empty() {
        seqs = insert_ops(&tx, &batch).await?;
    }
    save_claims(&tx, &claims).await?;
    tx.commit().await?;

    let mut stamps: HashMap<&str, Stamp> = HashMap::new();
    let results = ops
        .iter()
        .zip(slots)
        .map(|(op, slot)| {
            let outcome = match slot {
                Slot::Duplicate(seq, stamp) => PushOutcome::Duplicate { seq, stamp },
                Slot::Rejected(r) => PushOutcome::Rejected { code: r.code, reason: r.reason },
                Slot::Insert(stamp) => match Uuid::parse_str(&op.op_id).ok().and_then(|id| seqs.get(&id)) {
                    Some(seq) => {
                        stamps.insert(op.op_id.as_str(), stamp.clone());
                        PushOutcome::Accepted { seq: *seq, stamp: Some(stamp) }
                    }
                    None => PushOutcome::Rejected {
                        code: "INTERNAL".into(),
                        reason: "the server could not store this change; it will be sent again".into(),
                    },
                },
                Slot::Again => match Uuid::parse_str(&op.op_id).ok().and_then(|id| seqs.get(&id)) {
                    Some(seq) => PushOutcome::Duplicate { seq: *seq, stamp: stamps.get(op.op_id.as_str()).cloned() },
                    None => PushOutcome::Rejected { code: RejectCode::BAD_OP.into(), reason: "this change was sent twice in one page".into() },
                },
            };
            PushResult { op_id: op.op_id.clone(), outcome }
        })
        .collect();
    Ok(results)
}

/// Admits one op: `Ok(stamp)` to store it with, `Err` with the reason to
/// answer. The outer `Result` is a failure of the database.
#[allow(clippy::too_many_arguments)]
async fn admit_one(
    tx: &Transaction<'_>,
    op: &WireOp,
    actor: &claimdesk_core::Actor,
    author_stamp: &Stamp,
    now_ms: i64,
    max_clock_ahead_ms: u64,
    claims: &mut HashMap<String, ServerClaim>,
    policies: &mut PolicyView,
) -> Result<Result<Stamp, Rejection>, ServerError> {
    let typed = match admit::check_envelope(op, actor, now_ms, max_clock_ahead_ms) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    match &typed {
        Op::ClaimImport(claim) => {
            if let Err(r) = admit::check_team_op(&typed, actor.role) {
                return Ok(Err(r));
            }
            // The same intake row imported on two desktops: the first one counts.
            if !claims.contains_key(&op.entity) {
                claims.insert(
                    op.entity.clone(),
                    ServerClaim {
                        category: claim.category,
                        input: (**claim).clone(),
                        state: ClaimState::imported(claim.category),
                        dirty: true,
                        accepted: Vec::new(),
                    },
                );
            }
            Ok(Ok(author_stamp.clone()))
        }
        Op::Claim(cmd) => {
            if !claims.contains_key(&op.entity) {
                return Ok(Err(Rejection::new(
                    RejectCode::UNKNOWN_CLAIM,
                    "this claim is not on the server (its import was never sent); sync the desktop that imported it first",
                )));
            }
            let mut stamp = author_stamp.clone();
            if let ClaimCommand::Recommend { .. } = cmd {
                stamp.proposal = proposal_for(tx, &op.entity, claims, policies).await?;
            }
            let fold_op = FoldOp {
                op_id: op.op_id.clone(),
                hlc: op.hlc,
                device: op.device.clone(),
                user: op.user.clone(),
                cmd: cmd.clone(),
                base: op.base,
                at_ms: op.at_ms,
                stamp: stamp.clone(),
            };
            let claim = claims.get(&op.entity).ok_or_else(|| internal("claim vanished"))?;
            let history = if claim.state.accepts_next(&fold_op) {
                Vec::new()
            } else {
                let mut h = claim_ops(tx, &op.entity).await?;
                h.extend(claim.accepted.iter().cloned());
                h
            };
            let start = ClaimState::imported(claim.input.category);
            let claim = claims.get_mut(&op.entity).ok_or_else(|| internal("claim vanished"))?;
            if let Err(r) = admit::admit_claim_op(&mut claim.state, &fold_op, || (start, history)) {
                return Ok(Err(r));
            }
            claim.category = claim.state.category;
            if let Some(input) = &claim.state.intake {
                claim.input = (**input).clone();
            }
            claim.dirty = true;
            claim.accepted.push(fold_op);
            Ok(Ok(stamp))
        }
        other => {
            if let Err(r) = admit::check_team_op(other, actor.role) {
                return Ok(Err(r));
            }
            match other {
                Op::PolicyCreate(p) => {
                    if let Err(r) = create_policy(tx, op, p, policies).await? {
                        return Ok(Err(r));
                    }
                }
                Op::PolicyActivate(a) => {
                    if let Err(r) = activate_policy(tx, op, a.version, policies).await? {
                        return Ok(Err(r));
                    }
                }
                _ => {}
            }
            Ok(Ok(author_stamp.clone()))
        }
    }
}

async fn stored_ops(tx: &Transaction<'_>, ids: &[Uuid]) -> Result<HashMap<Uuid, (i64, Option<Stamp>)>, ServerError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let stmt = tx
        .prepare_cached("SELECT op_id, seq, author_role, author_limit, proposal::text FROM ops WHERE op_id = ANY($1)")
        .await?;
    Ok(tx
        .query(&stmt, &[&ids])
        .await?
        .iter()
        .map(|r| (r.get::<_, Uuid>(0), (r.get::<_, i64>(1), stamp_of(r.get(2), r.get(3), r.get(4)))))
        .collect())
}

/// A stored stamp (none for ops stored before schema 2).
pub fn stamp_of(role: Option<&str>, limit: Option<i64>, proposal: Option<&str>) -> Option<Stamp> {
    let role = Role::parse(role?)?;
    let proposal = proposal.and_then(|p| serde_json::from_str::<PolicyProposal>(p).ok());
    Some(Stamp { role, approval_limit: limit, proposal })
}

async fn load_claims(tx: &Transaction<'_>, entities: &[&str]) -> Result<HashMap<String, ServerClaim>, ServerError> {
    let mut out = HashMap::new();
    if entities.is_empty() {
        return Ok(out);
    }
    let stmt = tx
        .prepare_cached("SELECT entity, category, input::text, state::text FROM claims WHERE entity = ANY($1)")
        .await?;
    for r in tx.query(&stmt, &[&entities]).await? {
        let input: ClaimInput = serde_json::from_str(r.get(2)).map_err(internal)?;
        let state: ClaimState = serde_json::from_str(r.get(3)).map_err(internal)?;
        let category = Category::parse(r.get(1)).unwrap_or(input.category);
        out.insert(r.get(0), ServerClaim { category, input, state, dirty: false, accepted: Vec::new() });
    }
    Ok(out)
}

async fn save_claims(tx: &Transaction<'_>, claims: &HashMap<String, ServerClaim>) -> Result<(), ServerError> {
    let dirty: Vec<(&String, &ServerClaim)> = claims.iter().filter(|(_, c)| c.dirty).collect();
    if dirty.is_empty() {
        return Ok(());
    }
    let mut entity = Vec::with_capacity(dirty.len());
    let mut category = Vec::with_capacity(dirty.len());
    let mut key = Vec::with_capacity(dirty.len());
    let mut service = Vec::with_capacity(dirty.len());
    let mut input = Vec::with_capacity(dirty.len());
    let mut state = Vec::with_capacity(dirty.len());
    for (e, c) in dirty {
        entity.push(e.as_str());
        category.push(c.category.code());
        key.push(c.key());
        service.push(c.input.service.as_str());
        input.push(serde_json::to_string(&c.input).map_err(internal)?);
        state.push(serde_json::to_string(&c.state).map_err(internal)?);
    }
    let upsert = tx
        .prepare_cached(
            "INSERT INTO claims (entity, category, claimant_key, service, input, state)
             SELECT entity, category, claimant_key, service, input::jsonb, state::jsonb
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                  AS t(entity, category, claimant_key, service, input, state)
             ON CONFLICT (entity) DO UPDATE SET category = EXCLUDED.category, claimant_key = EXCLUDED.claimant_key,
                 service = EXCLUDED.service, input = EXCLUDED.input, state = EXCLUDED.state",
        )
        .await?;
    tx.execute(&upsert, &[&entity, &category, &key, &service, &input, &state]).await?;
    Ok(())
}

/// The accepted ops of one claim, for folding again around a late op.
async fn claim_ops(tx: &Transaction<'_>, entity: &str) -> Result<Vec<FoldOp>, ServerError> {
    let stmt = tx
        .prepare_cached(
            "SELECT o.op_id::text, o.hlc, o.author, o.device, o.kind, o.payload::text, o.base, o.at_ms,
                    coalesce(o.author_role, u.role), coalesce(o.author_limit, u.approval_limit), o.proposal::text
             FROM ops o LEFT JOIN users u ON u.id = o.author
             WHERE o.entity = $1 AND o.kind != 'claim.import' ORDER BY o.seq",
        )
        .await?;
    let mut out = Vec::new();
    for r in tx.query(&stmt, &[&entity]).await? {
        let payload: serde_json::Value = serde_json::from_str(r.get(5)).map_err(internal)?;
        let Ok(Op::Claim(cmd)) = Op::decode(r.get(4), &payload) else { continue };
        let stamp = stamp_of(r.get(8), r.get(9), r.get(10))
            .unwrap_or(Stamp { role: Role::Reviewer, approval_limit: None, proposal: None });
        out.push(FoldOp {
            op_id: r.get(0),
            hlc: r.get(1),
            user: r.get(2),
            device: r.get(3),
            cmd,
            base: r.get(6),
            at_ms: r.get(7),
            stamp,
        });
    }
    Ok(out)
}

async fn insert_ops(tx: &Transaction<'_>, batch: &[(&WireOp, &Stamp)]) -> Result<HashMap<Uuid, i64>, ServerError> {
    let n = batch.len();
    let (mut op_id, mut hlc, mut author, mut device, mut entity, mut kind, mut payload, mut base, mut at_ms) = (
        Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n),
        Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n),
    );
    let (mut role, mut limit, mut proposal) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for (o, s) in batch {
        op_id.push(Uuid::parse_str(&o.op_id).unwrap_or_default());
        hlc.push(o.hlc);
        author.push(o.user.as_str());
        device.push(o.device.as_str());
        entity.push(o.entity.as_str());
        kind.push(o.kind.as_str());
        payload.push(o.payload.to_string());
        base.push(o.base);
        at_ms.push(o.at_ms);
        role.push(s.role.code());
        limit.push(s.approval_limit);
        proposal.push(s.proposal.as_ref().map(serde_json::to_string).transpose().map_err(internal)?);
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO ops (op_id, hlc, author, device, entity, kind, payload, base, at_ms, author_role, author_limit, proposal)
             SELECT op_id, hlc, author, device, entity, kind, payload::jsonb, base, at_ms, role, lim, proposal::jsonb
             FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::int8[],
                         $10::text[], $11::int8[], $12::text[])
                  WITH ORDINALITY AS t(op_id, hlc, author, device, entity, kind, payload, base, at_ms, role, lim, proposal, n)
             ORDER BY n
             ON CONFLICT (op_id) DO NOTHING
             RETURNING op_id, seq",
        )
        .await?;
    let rows = tx
        .query(&insert, &[&op_id, &hlc, &author, &device, &entity, &kind, &payload, &base, &at_ms, &role, &limit, &proposal])
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The policy's result for a claim under the team's active policy, as the
/// desktops compute it: the claim with the others of its duplicate group
/// (same claimant and service), each with its current category.
async fn proposal_for(
    tx: &Transaction<'_>,
    entity: &str,
    claims: &HashMap<String, ServerClaim>,
    policies: &mut PolicyView,
) -> Result<Option<PolicyProposal>, ServerError> {
    let Some(claim) = claims.get(entity) else { return Ok(None) };
    let policy = active_policy(tx, policies).await?;
    let input_of = |c: &ServerClaim| PolicyInput { category: c.category, ..PolicyInput::from(&c.input) };
    let mut group: Vec<PolicyInput> = vec![input_of(claim)];
    if let Some(key) = claim.key().filter(|k| !k.trim().is_empty()) {
        let stmt = tx
            .prepare_cached("SELECT entity, category, input::text FROM claims WHERE claimant_key = $1 AND service = $2 AND entity != $3")
            .await?;
        let mut seen: HashSet<String> = HashSet::new();
        for r in tx.query(&stmt, &[&key, &claim.input.service, &entity]).await? {
            let e: String = r.get(0);
            // A claim this page changed counts as it is now.
            let member = match claims.get(&e) {
                Some(c) => input_of(c),
                None => {
                    let input: ClaimInput = serde_json::from_str(r.get(2)).map_err(internal)?;
                    PolicyInput { category: Category::parse(r.get(1)).unwrap_or(input.category), ..PolicyInput::from(&input) }
                }
            };
            seen.insert(e);
            group.push(member);
        }
        for (e, c) in claims {
            if e != entity && !seen.contains(e) && c.key().as_deref() == Some(key.as_str()) && c.input.service == claim.input.service {
                group.push(input_of(c));
            }
        }
    }
    let outcome = evaluate_all(&policy, &group).into_iter().next();
    Ok(outcome.map(|o| PolicyProposal { eligible: o.eligible, remedy: o.remedy, amount: o.amount, extension_days: o.extension_days }))
}

async fn load_policies(tx: &Transaction<'_>, policies: &mut PolicyView) -> Result<(), ServerError> {
    if policies.loaded {
        return Ok(());
    }
    let row = tx.query_opt("SELECT value::text FROM team_state WHERE key = 'activation'", &[]).await?;
    policies.active = row.and_then(|r| serde_json::from_str(r.get::<_, &str>(0)).ok());
    policies.loaded = true;
    Ok(())
}

/// The team's active policy (version 1, every store's default, until another is activated).
async fn active_policy(tx: &Transaction<'_>, policies: &mut PolicyView) -> Result<Arc<Policy>, ServerError> {
    load_policies(tx, policies).await?;
    let version = policies.active.as_ref().map(|(_, v)| *v).unwrap_or(1);
    if let Some(p) = policy_cache().lock().map_err(internal)?.get(&version) {
        return Ok(p.clone());
    }
    let policy = match policies.created.get(&version) {
        Some(text) => Policy::from_toml(text).map_err(internal)?,
        None if version == 1 => Policy::default_2022(),
        None => {
            let row = tx.query_opt("SELECT toml FROM policies WHERE version = $1", &[&version]).await?;
            match row {
                Some(r) => Policy::from_toml(r.get::<_, &str>(0)).map_err(internal)?,
                None => Policy::default_2022(),
            }
        }
    };
    let policy = Arc::new(policy);
    policy_cache().lock().map_err(internal)?.insert(version, policy.clone());
    Ok(policy)
}

async fn known_policy(tx: &Transaction<'_>, version: i64, policies: &PolicyView) -> Result<Option<Policy>, ServerError> {
    if version == 1 {
        return Ok(Some(Policy::default_2022()));
    }
    if let Some(text) = policies.created.get(&version) {
        return Ok(Policy::from_toml(text).ok());
    }
    let row = tx.query_opt("SELECT toml FROM policies WHERE version = $1", &[&version]).await?;
    Ok(row.and_then(|r| Policy::from_toml(r.get::<_, &str>(0)).ok()))
}

/// A new policy version: a number not yet taken by other content.
async fn create_policy(
    tx: &Transaction<'_>,
    op: &WireOp,
    p: &claimdesk_core::ops::PolicyCreate,
    policies: &mut PolicyView,
) -> Result<Result<(), Rejection>, ServerError> {
    let policy = Policy::from_toml(&p.toml).map_err(internal)?;
    if let Some(existing) = known_policy(tx, p.version, policies).await? {
        if existing == policy {
            return Ok(Ok(()));
        }
        return Ok(Err(Rejection::new(
            RejectCode::BAD_POLICY,
            format!("policy version {} already exists with other content; save the draft again as a new version", p.version),
        )));
    }
    let id = Uuid::parse_str(&op.op_id).unwrap_or_default();
    tx.execute("INSERT INTO policies (version, toml, op_id) VALUES ($1, $2, $3)", &[&p.version, &p.toml, &id]).await?;
    policies.created.insert(p.version, p.toml.clone());
    Ok(Ok(()))
}

/// An activation: of a version the team has; the latest by clock key is in force.
async fn activate_policy(
    tx: &Transaction<'_>,
    op: &WireOp,
    version: i64,
    policies: &mut PolicyView,
) -> Result<Result<(), Rejection>, ServerError> {
    if known_policy(tx, version, policies).await?.is_none() {
        return Ok(Err(Rejection::new(
            RejectCode::BAD_POLICY,
            format!("policy version {version} is not on the server; send its creation first (sync the desktop that made it)"),
        )));
    }
    load_policies(tx, policies).await?;
    let key = (op.hlc, op.device.clone(), op.op_id.clone());
    if policies.active.as_ref().is_none_or(|(k, _)| key > *k) {
        let value = serde_json::to_string(&(key.clone(), version)).map_err(internal)?;
        tx.execute(
            "INSERT INTO team_state (key, value) VALUES ('activation', $1::text::jsonb)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&value],
        )
        .await?;
        policies.active = Some((key, version));
    }
    Ok(Ok(()))
}
