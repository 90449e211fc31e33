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
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};

use claimdesk_core::catalog::FIRST_INCIDENT;
use claimdesk_core::model::claimant_key;
use claimdesk_core::ops::{Op, Stamp};
use claimdesk_core::policy::{evaluate_all, Policy, PolicyInput};
use claimdesk_core::workflow::{ClaimCommand, PolicyProposal};
use claimdesk_core::{Category, Role};
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
    /// Its incident (never changes).
    incident: String,
    category: Category,
    /// What the policy reads of the claim (as imported or last updated; its
    /// category as filed): the server keeps no more of the intake row.
    input: PolicyInput,
    state: ClaimState,
    /// Changed by this page: written back at its end.
    dirty: bool,
    /// Its row exists (loaded at the start of the page), else it is inserted.
    stored: bool,
    /// The intake row changed in this page (an intake update).
    input_changed: bool,
    /// Accepted in this page (not yet in the ops table), for folding again a late op.
    accepted: Vec<FoldOp>,
}

impl ServerClaim {
    fn key(&self) -> Option<String> {
        claimant_key(self.category, self.input.phone.as_deref(), self.input.brn.as_deref())
            .map(str::to_string)
    }

    /// The duplicate group (incident, claimant key, service) the claim is in now; none without a key.
    fn group(&self) -> Option<Group> {
        Some((
            self.incident.clone(),
            self.key().filter(|k| !k.trim().is_empty())?,
            self.input.service.clone(),
        ))
    }
}

/// A duplicate group: incident, claimant key, service.
type Group = (String, String, String);

/// An activation's clock key and version.
type Activation = ((i64, String, String), i64);

/// What a page learned about the team's policies (read when first needed).
#[derive(Default)]
struct PolicyView {
    /// The activation in force of each incident read so far (None: none yet).
    active: HashMap<String, Option<Activation>>,
    /// Versions created in this page: their text and incident.
    created: HashMap<i64, (String, String)>,
    /// Incidents created in this page.
    incidents: HashSet<String>,
    /// The stored claims of each duplicate group (claimant key, service) the
    /// page's recommendations need, read in one query at the start of the
    /// page (the `claims` rows change only when the page ends).
    groups: HashMap<Group, Vec<(String, PolicyInput)>>,
    /// The claims of the page by the duplicate group they are in now.
    page_groups: HashMap<Group, HashSet<String>>,
}

impl PolicyView {
    /// Files a page claim under its current group, out of the one it was in.
    fn regroup(&mut self, entity: &str, before: Option<Group>, now: Option<Group>) {
        if before == now {
            return;
        }
        if let Some(old) = before {
            if let Some(members) = self.page_groups.get_mut(&old) {
                members.remove(entity);
            }
        }
        if let Some(new) = now {
            self.page_groups.entry(new).or_default().insert(entity.to_string());
        }
    }
}

/// Parsed policy versions, shared by every request of this process.
fn policy_cache() -> &'static Mutex<HashMap<i64, Arc<Policy>>> {
    static CACHE: OnceLock<Mutex<HashMap<i64, Arc<Policy>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A chunk's insert on its way: the seq of each op it stored.
type Inserting<'a> = Pin<Box<dyn Future<Output = Result<HashMap<Uuid, i64>, ServerError>> + Send + 'a>>;

/// Ops decided before their insert is sent (see `store_page`).
const ADMIT_CHUNK: usize = 1000;

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
    let author_stamp = Stamp::of_role(session.role, session.approval_limit);
    let tx = client.transaction().await?;
    // Pushes commit one at a time, in sequence order: a pull never skips an op
    // that commits later with a lower seq (docs/decisions/0006-server-stack.md).
    let lock = tx.prepare_cached("SELECT pg_advisory_xact_lock($1)").await?;
    tx.execute(&lock, &[&LOCK_PUSH]).await?;

    // Ops stored by an earlier push (a retry) are answered as duplicates, with their stamp.
    let ids: Vec<Uuid> = ops
        .iter()
        .filter_map(|o| Uuid::parse_str(&o.op_id).ok())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
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
    for (entity, claim) in &claims {
        policies.regroup(entity, None, claim.group());
    }
    prefetch_groups(&tx, ops, &claims, &mut policies).await?;

    enum Slot {
        Rejected(Rejection),
        Duplicate(i64, Option<Stamp>),
        Insert(Stamp),
        /// The same op a second time in this page.
        Again,
    }
    let mut slots = Vec::with_capacity(ops.len());
    let mut in_page: HashSet<&str> = HashSet::new();
    let mut seqs: HashMap<Uuid, i64> = HashMap::new();
    // The page is admitted in chunks, and each chunk's accepted ops are
    // inserted while the next chunk is being decided: PostgreSQL stores one
    // while this process decides the other. Inserts stay in page order.
    {
        let mut inserting: Option<Inserting<'_>> = None;
        for chunk in ops.chunks(ADMIT_CHUNK) {
            let first = slots.len();
            let admit = async {
                for op in chunk {
                    if let Some((seq, stamp)) = Uuid::parse_str(&op.op_id).ok().and_then(|id| known.get(&id))
                    {
                        slots.push(Slot::Duplicate(*seq, stamp.clone()));
                        continue;
                    }
                    if in_page.contains(op.op_id.as_str()) {
                        slots.push(Slot::Again);
                        continue;
                    }
                    match admit_one(
                        &tx,
                        op,
                        &actor,
                        &author_stamp,
                        now_ms,
                        max_clock_ahead_ms,
                        &mut claims,
                        &mut policies,
                    )
                    .await?
                    {
                        Ok(stamp) => {
                            in_page.insert(op.op_id.as_str());
                            slots.push(Slot::Insert(stamp));
                        }
                        Err(r) => slots.push(Slot::Rejected(r)),
                    }
                }
                Ok::<(), ServerError>(())
            };
            match inserting.take() {
                // Polled first, so the insert is on its way before the chunk is decided.
                Some(insert) => {
                    let (stored, admitted) = futures_util::future::join(insert, admit).await;
                    seqs.extend(stored?);
                    admitted?;
                }
                None => admit.await?,
            }
            let batch: Vec<(&WireOp, Stamp)> = chunk
                .iter()
                .zip(&slots[first..])
                .filter_map(|(o, s)| match s {
                    Slot::Insert(stamp) => Some((o, stamp.clone())),
                    _ => None,
                })
                .collect();
            if !batch.is_empty() {
                let tx = &tx;
                inserting = Some(Box::pin(async move { insert_ops(tx, &batch).await }));
            }
        }
        if let Some(insert) = inserting {
            seqs.extend(insert.await?);
        }
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
                Slot::Rejected(r) => {
                    PushOutcome::Rejected { code: r.code, reason: r.reason, explain: Some(*r.explain) }
                }
                Slot::Insert(stamp) => match Uuid::parse_str(&op.op_id).ok().and_then(|id| seqs.get(&id)) {
                    Some(seq) => {
                        stamps.insert(op.op_id.as_str(), stamp.clone());
                        PushOutcome::Accepted { seq: *seq, stamp: Some(stamp) }
                    }
                    None => PushOutcome::Rejected {
                        code: "INTERNAL".into(),
                        reason: "the server could not store this change; it will be sent again".into(),
                        explain: None,
                    },
                },
                Slot::Again => match Uuid::parse_str(&op.op_id).ok().and_then(|id| seqs.get(&id)) {
                    Some(seq) => {
                        PushOutcome::Duplicate { seq: *seq, stamp: stamps.get(op.op_id.as_str()).cloned() }
                    }
                    None => {
                        let r = claimdesk_sync::admit::Rejection::new(
                            RejectCode::BAD_OP,
                            "this change was sent twice in one page",
                        );
                        PushOutcome::Rejected { code: r.code, reason: r.reason, explain: Some(*r.explain) }
                    }
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
            if !known_incident(tx, claim.incident_id(), policies).await? {
                return Ok(Err(unknown_incident(claim.incident_id())));
            }
            // The same intake row imported on two desktops: the first one counts.
            if !claims.contains_key(&op.entity) {
                let imported = ServerClaim {
                    incident: claim.incident_id().to_string(),
                    category: claim.category,
                    input: PolicyInput::from(&**claim),
                    state: ClaimState::of_import(claim),
                    dirty: true,
                    stored: false,
                    input_changed: true,
                    accepted: Vec::new(),
                };
                policies.regroup(&op.entity, None, imported.group());
                claims.insert(op.entity.clone(), imported);
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
            // The reason its code names in the policy in force (the fold refuses a code without one).
            if cmd.citation().is_some() {
                stamp.cited = cited_for(tx, cmd, &op.entity, claims, policies).await?;
            }
            // A document tick names a document that policy asks of the claim's category.
            if let ClaimCommand::CheckDocument { .. } = cmd {
                let claim = claims.get(&op.entity).ok_or_else(|| internal("claim vanished"))?;
                let (incident, category) = (claim.incident.clone(), claim.state.category);
                let policy = active_policy(tx, policies, &incident).await?;
                if let Err(r) = claimdesk_core::workflow::check_document(cmd, &policy, category) {
                    return Ok(Err(Rejection::of(r.code(), &r)));
                }
            }
            let fold_op = FoldOp::of_wire(op, cmd.clone(), stamp.clone());
            let claim = claims.get(&op.entity).ok_or_else(|| internal("claim vanished"))?;
            let history = if claim.state.accepts_next(&fold_op) {
                Vec::new()
            } else {
                let mut h = claim_ops(tx, &op.entity).await?;
                h.extend(claim.accepted.iter().cloned());
                h
            };
            let start = ClaimState::imported(claim.input.category)
                .with_report_type(claimdesk_core::ReportType::of_intake(&claim.input.extra));
            let claim = claims.get_mut(&op.entity).ok_or_else(|| internal("claim vanished"))?;
            if let Err(r) = admit::admit_claim_op(&mut claim.state, &fold_op, || (start, history)) {
                return Ok(Err(r));
            }
            let before = claim.group();
            claim.category = claim.state.category;
            if let Some(input) = &claim.state.intake {
                let updated = PolicyInput::from(&**input);
                if updated != claim.input {
                    claim.input = updated;
                    claim.input_changed = true;
                }
            }
            policies.regroup(&op.entity, before, claim.group());
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
                Op::IncidentCreate(c) => {
                    if let Err(r) = create_incident(tx, op, &c.catalog.incident.id, policies).await? {
                        return Ok(Err(r));
                    }
                }
                Op::IncidentUpdate(claimdesk_core::catalog::Incident { id, .. })
                    if !known_incident(tx, id, policies).await? =>
                {
                    return Ok(Err(unknown_incident(id)));
                }
                Op::CatalogReplace(c) if !known_incident(tx, &c.incident.id, policies).await? => {
                    return Ok(Err(unknown_incident(&c.incident.id)));
                }
                _ => {}
            }
            Ok(Ok(author_stamp.clone()))
        }
    }
}

async fn stored_ops(
    tx: &Transaction<'_>,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (i64, Option<Stamp>)>, ServerError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let stmt = tx
        .prepare_cached(
            "SELECT op_id, seq, author_role, author_limit, proposal::text, cited::text FROM ops WHERE op_id = ANY($1)",
        )
        .await?;
    Ok(tx
        .query(&stmt, &[&ids])
        .await?
        .iter()
        .map(|r| {
            (r.get::<_, Uuid>(0), (r.get::<_, i64>(1), stamp_of(r.get(2), r.get(3), r.get(4), r.get(5))))
        })
        .collect())
}

/// A stored stamp (none for ops stored before schema 2).
pub fn stamp_of(
    role: Option<&str>,
    limit: Option<i64>,
    proposal: Option<&str>,
    cited: Option<&str>,
) -> Option<Stamp> {
    let role = Role::parse(role?)?;
    let proposal = proposal.and_then(|p| serde_json::from_str::<PolicyProposal>(p).ok());
    let cited = cited.and_then(|c| serde_json::from_str(c).ok());
    Some(Stamp { role, approval_limit: limit, proposal, cited })
}

async fn load_claims(
    tx: &Transaction<'_>,
    entities: &[&str],
) -> Result<HashMap<String, ServerClaim>, ServerError> {
    let mut out = HashMap::new();
    if entities.is_empty() {
        return Ok(out);
    }
    let stmt = tx
        .prepare_cached("SELECT entity, category, input, state, incident FROM claims WHERE entity = ANY($1)")
        .await?;
    for r in tx.query(&stmt, &[&entities]).await? {
        // Schema 2 stored the whole intake row: it reads as what the policy reads of it.
        let input: PolicyInput = serde_json::from_str(r.get(2)).map_err(internal)?;
        let state: ClaimState = serde_json::from_str(r.get(3)).map_err(internal)?;
        let category = Category::parse(r.get(1)).unwrap_or(input.category);
        let claim = ServerClaim {
            incident: r.get(4),
            category,
            input,
            state,
            dirty: false,
            stored: true,
            input_changed: false,
            accepted: Vec::new(),
        };
        out.insert(r.get(0), claim);
    }
    Ok(out)
}

async fn save_claims(tx: &Transaction<'_>, claims: &HashMap<String, ServerClaim>) -> Result<(), ServerError> {
    // New claims are inserted, changed ones updated (their intake row only when it changed).
    for stored in [false, true] {
        let rows: Vec<(&String, &ServerClaim)> =
            claims.iter().filter(|(_, c)| c.dirty && c.stored == stored).collect();
        if rows.is_empty() {
            continue;
        }
        let n = rows.len();
        let (mut entity, mut category, mut key, mut service, mut input, mut state) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let mut incident = Vec::with_capacity(n);
        for (e, c) in rows {
            entity.push(e.as_str());
            incident.push(c.incident.as_str());
            category.push(c.category.code());
            key.push(c.key());
            service.push(c.input.service.as_str());
            input.push(if c.input_changed {
                Some(serde_json::to_string(&c.input).map_err(internal)?)
            } else {
                None
            });
            state.push(serde_json::to_string(&c.state).map_err(internal)?);
        }
        if stored {
            let stmt = tx
                .prepare_cached(
                    "UPDATE claims c SET category = t.category, claimant_key = t.claimant_key, service = t.service,
                         input = coalesce(t.input, c.input), state = t.state
                     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                          AS t(entity, category, claimant_key, service, input, state)
                     WHERE c.entity = t.entity",
                )
                .await?;
            tx.execute(&stmt, &[&entity, &category, &key, &service, &input, &state]).await?;
        } else {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO claims (entity, category, claimant_key, service, input, state, incident)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])",
                )
                .await?;
            tx.execute(&stmt, &[&entity, &category, &key, &service, &input, &state, &incident]).await?;
        }
    }
    Ok(())
}

/// The accepted ops of one claim, for folding again around a late op.
async fn claim_ops(tx: &Transaction<'_>, entity: &str) -> Result<Vec<FoldOp>, ServerError> {
    let stmt = tx
        .prepare_cached(
            "SELECT o.op_id::text, o.hlc, o.author, o.device, o.kind, o.payload::text, o.base, o.at_ms,
                    coalesce(o.author_role, u.role), coalesce(o.author_limit, u.approval_limit), o.proposal::text,
                    o.cited::text
             FROM ops o LEFT JOIN users u ON u.id = o.author
             WHERE o.entity = $1 AND o.kind != 'claim.import' ORDER BY o.seq",
        )
        .await?;
    let mut out = Vec::new();
    for r in tx.query(&stmt, &[&entity]).await? {
        let payload: serde_json::Value = serde_json::from_str(r.get(5)).map_err(internal)?;
        let Ok(Op::Claim(cmd)) = Op::decode(r.get(4), &payload) else { continue };
        let stamp = stamp_of(r.get(8), r.get(9), r.get(10), r.get(11))
            .unwrap_or(Stamp::of_role(Role::Reviewer, None));
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

async fn insert_ops(
    tx: &Transaction<'_>,
    batch: &[(&WireOp, Stamp)],
) -> Result<HashMap<Uuid, i64>, ServerError> {
    let n = batch.len();
    let (mut op_id, mut hlc, mut author, mut device, mut entity, mut kind, mut payload, mut base, mut at_ms) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut role, mut limit, mut proposal, mut cited) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
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
        cited.push(s.cited.as_ref().map(serde_json::to_string).transpose().map_err(internal)?);
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO ops (op_id, hlc, author, device, entity, kind, payload, base, at_ms, author_role, author_limit, proposal, cited)
             SELECT op_id, hlc, author, device, entity, kind, payload, base, at_ms, role, lim, proposal, cited
             FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::int8[],
                         $10::text[], $11::int8[], $12::text[], $13::text[])
                  WITH ORDINALITY AS t(op_id, hlc, author, device, entity, kind, payload, base, at_ms, role, lim, proposal, cited, n)
             ORDER BY n
             ON CONFLICT (op_id) DO NOTHING
             RETURNING op_id, seq",
        )
        .await?;
    let rows = tx
        .query(
            &insert,
            &[
                &op_id, &hlc, &author, &device, &entity, &kind, &payload, &base, &at_ms, &role, &limit,
                &proposal, &cited,
            ],
        )
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
    let policy = active_policy(tx, policies, &claim.incident).await?;
    let input_of = |c: &ServerClaim| PolicyInput { category: c.category, ..c.input.clone() };
    let mut group: Vec<PolicyInput> = vec![input_of(claim)];
    if let Some(pair) = claim.group() {
        if !policies.groups.contains_key(&pair) {
            // A group the prefetch did not foresee (a category corrected in this page).
            let stored =
                group_members(tx, &[pair.0.as_str()], &[pair.1.as_str()], &[pair.2.as_str()]).await?;
            policies.groups.insert(pair.clone(), stored.into_values().next().unwrap_or_default());
        }
        // The page's claims count as they are now; the stored rows for the others.
        for e in policies.page_groups.get(&pair).into_iter().flatten() {
            if e != entity {
                if let Some(c) = claims.get(e) {
                    group.push(input_of(c));
                }
            }
        }
        for (e, stored) in policies.groups.get(&pair).map(Vec::as_slice).unwrap_or_default() {
            if e != entity && !claims.contains_key(e) {
                group.push(stored.clone());
            }
        }
    }
    let outcome = evaluate_all(&policy, &group).into_iter().next();
    Ok(outcome.map(|o| PolicyProposal::of(&o)))
}

/// The catalog entry a claim op's reason code names in the active policy of
/// the claim's incident, with that policy's version (None: not found).
async fn cited_for(
    tx: &Transaction<'_>,
    cmd: &ClaimCommand,
    entity: &str,
    claims: &HashMap<String, ServerClaim>,
    policies: &mut PolicyView,
) -> Result<Option<claimdesk_core::policy::CitedReason>, ServerError> {
    let Some(claim) = claims.get(entity) else { return Ok(None) };
    let version = activation(tx, policies, &claim.incident).await?.map(|(_, v)| v).unwrap_or(1);
    let policy = active_policy(tx, policies, &claim.incident).await?;
    Ok(admit::cite(cmd, &policy, Some(version)))
}

/// Reads, in one query, the stored members of the duplicate groups of every
/// claim the page recommends (one round trip per page, not per op).
async fn prefetch_groups(
    tx: &Transaction<'_>,
    ops: &[WireOp],
    claims: &HashMap<String, ServerClaim>,
    policies: &mut PolicyView,
) -> Result<(), ServerError> {
    let pairs: HashSet<Group> = ops
        .iter()
        .filter(|o| o.kind == "claim.recommend")
        .filter_map(|o| claims.get(&o.entity)?.group())
        .collect();
    if pairs.is_empty() {
        return Ok(());
    }
    let incidents: Vec<&str> = pairs.iter().map(|(i, _, _)| i.as_str()).collect();
    let keys: Vec<&str> = pairs.iter().map(|(_, k, _)| k.as_str()).collect();
    let services: Vec<&str> = pairs.iter().map(|(_, _, s)| s.as_str()).collect();
    let mut found = group_members(tx, &incidents, &keys, &services).await?;
    for pair in pairs {
        let members = found.remove(&pair).unwrap_or_default();
        policies.groups.insert(pair, members);
    }
    Ok(())
}

/// The stored claims of the duplicate groups (incidents[i], keys[i], services[i]), by group.
async fn group_members(
    tx: &Transaction<'_>,
    incidents: &[&str],
    keys: &[&str],
    services: &[&str],
) -> Result<HashMap<Group, Vec<(String, PolicyInput)>>, ServerError> {
    let stmt = tx
        .prepare_cached(
            "SELECT c.entity, c.category, c.input, c.incident, c.claimant_key, c.service
             FROM unnest($1::text[], $2::text[], $3::text[]) AS g(i, k, s)
             JOIN claims c ON c.incident = g.i AND c.claimant_key = g.k AND c.service = g.s",
        )
        .await?;
    let mut out: HashMap<Group, Vec<(String, PolicyInput)>> = HashMap::new();
    for r in tx.query(&stmt, &[&incidents, &keys, &services]).await? {
        let input: PolicyInput = serde_json::from_str(r.get(2)).map_err(internal)?;
        let member = PolicyInput { category: Category::parse(r.get(1)).unwrap_or(input.category), ..input };
        out.entry((r.get(3), r.get(4), r.get(5))).or_default().push((r.get(0), member));
    }
    Ok(out)
}

/// The team_state key of an incident's activation (the first incident's is that of schema 2).
fn activation_key(incident: &str) -> String {
    if incident == FIRST_INCIDENT {
        "activation".to_string()
    } else {
        format!("activation:{incident}")
    }
}

fn unknown_incident(id: &str) -> Rejection {
    Rejection::new(
        RejectCode::UNKNOWN_INCIDENT,
        format!("the incident '{}' is not on the server; send its creation first (sync the desktop that started it)", id.chars().take(80).collect::<String>()),
    )
}

/// Whether the team has an incident (the first one always).
async fn known_incident(tx: &Transaction<'_>, id: &str, policies: &PolicyView) -> Result<bool, ServerError> {
    if id == FIRST_INCIDENT || policies.incidents.contains(id) {
        return Ok(true);
    }
    let stmt = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM incidents WHERE id = $1)").await?;
    Ok(tx.query_one(&stmt, &[&id]).await?.get(0))
}

/// A new incident: an id not yet taken.
async fn create_incident(
    tx: &Transaction<'_>,
    op: &WireOp,
    id: &str,
    policies: &mut PolicyView,
) -> Result<Result<(), Rejection>, ServerError> {
    if known_incident(tx, id, policies).await? {
        return Ok(Err(Rejection::new(
            RejectCode::BAD_INCIDENT,
            format!("an incident '{id}' exists already; choose another id"),
        )));
    }
    let op_id = Uuid::parse_str(&op.op_id).unwrap_or_default();
    tx.execute("INSERT INTO incidents (id, op_id) VALUES ($1, $2)", &[&id, &op_id]).await?;
    policies.incidents.insert(id.to_string());
    Ok(Ok(()))
}

/// An incident's activation in force (read once per page).
async fn activation(
    tx: &Transaction<'_>,
    policies: &mut PolicyView,
    incident: &str,
) -> Result<Option<Activation>, ServerError> {
    if let Some(a) = policies.active.get(incident) {
        return Ok(a.clone());
    }
    let row = tx
        .query_opt("SELECT value::text FROM team_state WHERE key = $1", &[&activation_key(incident)])
        .await?;
    let found: Option<Activation> = row.and_then(|r| serde_json::from_str(r.get::<_, &str>(0)).ok());
    policies.active.insert(incident.to_string(), found.clone());
    Ok(found)
}

/// An incident's active policy (for the first incident version 1, every
/// store's default, until another is activated).
async fn active_policy(
    tx: &Transaction<'_>,
    policies: &mut PolicyView,
    incident: &str,
) -> Result<Arc<Policy>, ServerError> {
    let version = activation(tx, policies, incident).await?.map(|(_, v)| v).unwrap_or(1);
    if let Some(p) = policy_cache().lock().map_err(internal)?.get(&version) {
        return Ok(p.clone());
    }
    let policy = match policies.created.get(&version) {
        Some((text, _)) => Policy::from_toml(text).map_err(internal)?,
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

/// A version the team has, with its incident.
async fn known_policy(
    tx: &Transaction<'_>,
    version: i64,
    policies: &PolicyView,
) -> Result<Option<(Policy, String)>, ServerError> {
    if version == 1 {
        return Ok(Some((Policy::default_2022(), FIRST_INCIDENT.to_string())));
    }
    if let Some((text, incident)) = policies.created.get(&version) {
        return Ok(Policy::from_toml(text).ok().map(|p| (p, incident.clone())));
    }
    let row = tx.query_opt("SELECT toml, incident FROM policies WHERE version = $1", &[&version]).await?;
    Ok(row.and_then(|r| Some((Policy::from_toml(r.get::<_, &str>(0)).ok()?, r.get(1)))))
}

/// A new policy version: a number not yet taken by other content.
async fn create_policy(
    tx: &Transaction<'_>,
    op: &WireOp,
    p: &claimdesk_core::ops::PolicyCreate,
    policies: &mut PolicyView,
) -> Result<Result<(), Rejection>, ServerError> {
    let policy = Policy::from_toml(&p.toml).map_err(internal)?;
    if !known_incident(tx, p.incident_id(), policies).await? {
        return Ok(Err(unknown_incident(p.incident_id())));
    }
    if let Some((existing, incident)) = known_policy(tx, p.version, policies).await? {
        if existing == policy && incident == p.incident_id() {
            return Ok(Ok(()));
        }
        return Ok(Err(Rejection::said(
            RejectCode::BAD_POLICY,
            claimdesk_core::msg!("policy.version_taken", version = p.version),
        )));
    }
    let id = Uuid::parse_str(&op.op_id).unwrap_or_default();
    tx.execute(
        "INSERT INTO policies (version, toml, op_id, incident) VALUES ($1, $2, $3, $4)",
        &[&p.version, &p.toml, &id, &p.incident_id()],
    )
    .await?;
    policies.created.insert(p.version, (p.toml.clone(), p.incident_id().to_string()));
    Ok(Ok(()))
}

/// An activation: of a version the team has; the latest by clock key is in force.
async fn activate_policy(
    tx: &Transaction<'_>,
    op: &WireOp,
    version: i64,
    policies: &mut PolicyView,
) -> Result<Result<(), Rejection>, ServerError> {
    let Some((_, incident)) = known_policy(tx, version, policies).await? else {
        return Ok(Err(Rejection::said(
            RejectCode::BAD_POLICY,
            claimdesk_core::msg!("policy.version_unknown", version = version),
        )));
    };
    // Each incident's latest activation is in force; a version activates in its own incident.
    let key = (op.hlc, op.device.clone(), op.op_id.clone());
    if activation(tx, policies, &incident).await?.is_none_or(|(k, _)| key > k) {
        let value = serde_json::to_string(&(key.clone(), version)).map_err(internal)?;
        tx.execute(
            "INSERT INTO team_state (key, value) VALUES ($2, $1::text::jsonb)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&value, &activation_key(&incident)],
        )
        .await?;
        policies.active.insert(incident, Some((key, version)));
    }
    Ok(Ok(()))
}
