//! Sync convergence (sync.md "What must hold"): 2-5 desktops make random
//! changes, sync partially through an in-memory server that drops,
//! duplicates and reorders messages and rejects some ops, crash between
//! applying a pulled page and advancing the cursor, and have clocks that
//! jump; after a full sync every store holds the same claims, notes and
//! conflicts, applying any op again changes nothing, no decision is lost,
//! and every audit chain verifies. `PROPTEST_CASES` sets the number of runs.

mod common;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;

use claimdesk_core::ops::{Op, Stamp};
use claimdesk_core::workflow::{Decision, Priority};
use claimdesk_core::{Actor, Category, ClaimStatus, Remedy, Role};
use claimdesk_store::claims::TriageChange;
use claimdesk_store::import::ImportOptions;
use claimdesk_store::sync_desk::RosterUser;
use claimdesk_store::Store;
use claimdesk_sync::admit::{self, Rejection};
use claimdesk_sync::engine::{self, PullTally, PushTally, Replica, SyncError, SyncOptions, Transport};
use claimdesk_sync::fold::{ClaimState, FoldOp};
use claimdesk_sync::protocol::{
    PullResponse, PulledOp, PushOutcome, PushRequest, PushResponse, PushResult, WireOp,
};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

/// The server's semantics (crates/server keeps them on PostgreSQL): one
/// sequence, each op stored once by op id, an answer per op, and every op
/// admitted by the same checks the real server runs (`claimdesk_sync::admit`):
/// the rules decide it on the claim's folded state, and the accepted op is
/// stamped with its author's role and limit from the roster.
#[derive(Default)]
struct FakeServer {
    log: Vec<PulledOp>,
    seq_of: HashMap<String, i64>,
    /// Op ids to reject (chosen by the test).
    reject: BTreeSet<String>,
    /// The team: user → role, approval limit.
    roster: HashMap<String, (Role, Option<i64>)>,
    /// Per claim entity: its folded state, the accepted ops, its filed category.
    claims: HashMap<String, (ClaimState, Vec<FoldOp>, Category)>,
    /// Ops rejected by the admission checks (not by the test's choice).
    refused: Vec<(String, String)>,
}

impl FakeServer {
    fn with_team() -> FakeServer {
        let mut s = FakeServer::default();
        s.roster.insert("admin".into(), (Role::Admin, None));
        for (id, role) in USERS {
            s.roster.insert(id.into(), (role, None));
        }
        s
    }

    fn users(&self) -> Vec<RosterUser> {
        self.roster
            .iter()
            .map(|(id, (role, limit))| RosterUser {
                id: id.clone(),
                display_name: id.clone(),
                role: *role,
                approval_limit: *limit,
                active: true,
            })
            .collect()
    }

    fn admit(&mut self, op: &WireOp) -> Result<Stamp, Rejection> {
        let (role, limit) =
            *self.roster.get(&op.user).ok_or_else(|| Rejection::new("WRONG_AUTHOR", "not on the team"))?;
        let actor = Actor {
            user: op.user.clone(),
            role,
            approval_limit: limit.map(Decimal::from),
            device: op.device.clone(),
        };
        // The tests' clocks jump by at most two minutes ahead: far inside any bound.
        let typed = admit::check_envelope(op, &actor, i64::MAX / 4, 0)?;
        let mut stamp = Stamp::of_role(role, limit);
        match &typed {
            Op::Claim(cmd) => {
                // The reason its code names in the team's policy (the default, version 1).
                stamp.cited = admit::cite(cmd, &claimdesk_core::policy::Policy::default_2022(), Some(1));
                let Some((_, ops, category)) = self.claims.get(&op.entity) else {
                    return Err(Rejection::new("UNKNOWN_CLAIM", "the claim is not on the server"));
                };
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
                let (category, history) = (*category, ops.clone());
                let entry = self.claims.get_mut(&op.entity).expect("checked above");
                admit::admit_claim_op(&mut entry.0, &fold_op, || (ClaimState::imported(category), history))?;
                entry.1.push(fold_op);
            }
            Op::ClaimImport(claim) => {
                admit::check_team_op(&typed, role)?;
                self.claims
                    .entry(op.entity.clone())
                    .or_insert_with(|| (ClaimState::imported(claim.category), Vec::new(), claim.category));
            }
            other => admit::check_team_op(other, role)?,
        }
        Ok(stamp)
    }

    fn push(&mut self, req: &PushRequest) -> PushResponse {
        let results = req
            .ops
            .iter()
            .map(|op| {
                let outcome = if let Some(seq) = self.seq_of.get(&op.op_id) {
                    PushOutcome::Duplicate { seq: *seq, stamp: self.log[*seq as usize - 1].stamp.clone() }
                } else if self.reject.contains(&op.op_id) {
                    PushOutcome::Rejected {
                        code: "ROLE_NOT_ALLOWED".into(),
                        reason: "the server refused this change (test)".into(),
                        explain: None,
                    }
                } else {
                    match self.admit(op) {
                        Ok(stamp) => {
                            let seq = self.log.len() as i64 + 1;
                            self.log.push(PulledOp { seq, op: op.clone(), stamp: Some(stamp.clone()) });
                            self.seq_of.insert(op.op_id.clone(), seq);
                            PushOutcome::Accepted { seq, stamp: Some(stamp) }
                        }
                        Err(r) => {
                            self.refused.push((op.op_id.clone(), r.code.clone()));
                            PushOutcome::Rejected {
                                code: r.code,
                                reason: r.reason,
                                explain: Some(*r.explain),
                            }
                        }
                    }
                };
                PushResult { op_id: op.op_id.clone(), outcome }
            })
            .collect();
        PushResponse { results, server_time_ms: 0 }
    }

    fn pull(&self, after: i64, limit: usize) -> PullResponse {
        let ops: Vec<PulledOp> = self.log.iter().filter(|o| o.seq > after).take(limit).cloned().collect();
        let cursor = ops.last().map(|o| o.seq).unwrap_or(after);
        let head = self.log.len() as i64;
        PullResponse { more: cursor < head, ops, cursor, head, server_time_ms: 0 }
    }
}

/// Ops as a server would send them that predate stamps (the roster decides their role).
fn unstamped(ops: Vec<WireOp>) -> Vec<PulledOp> {
    ops.into_iter().enumerate().map(|(i, op)| PulledOp { seq: i as i64 + 1, op, stamp: None }).collect()
}

/// Whether an op of the log may be a decision of the rules (sync.md): a
/// decision kind, or a triage (one when it moved the status).
fn is_decision(kind: &str, payload: &serde_json::Value) -> bool {
    matches!(Op::decode(kind, payload), Ok(Op::Claim(cmd)) if cmd.is_decision_kind() || matches!(cmd, claimdesk_core::workflow::ClaimCommand::Triage { .. }))
}

/// A network that loses, repeats and reorders messages.
struct Flaky {
    server: Rc<RefCell<FakeServer>>,
    rng: StdRng,
    faults: bool,
}

impl Flaky {
    fn fault(&mut self, p: f64) -> bool {
        self.faults && self.rng.random_bool(p)
    }
}

impl Transport for Flaky {
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, SyncError> {
        if self.fault(0.1) {
            return Err(SyncError::Offline("request lost".into()));
        }
        let mut req = req.clone();
        if self.fault(0.2) {
            req.ops.reverse();
        }
        let mut resp = self.server.borrow_mut().push(&req);
        if self.fault(0.2) {
            // Delivered twice: the second answer says duplicate.
            resp = self.server.borrow_mut().push(&req);
        }
        if self.fault(0.1) {
            return Err(SyncError::Offline("answer lost".into()));
        }
        Ok(resp)
    }

    fn pull(&mut self, after: i64, limit: usize) -> Result<PullResponse, SyncError> {
        if self.fault(0.1) {
            return Err(SyncError::Offline("request lost".into()));
        }
        let mut resp = self.server.borrow().pull(after, limit);
        if self.fault(0.3) {
            let n = resp.ops.len();
            for i in (1..n).rev() {
                let j = self.rng.random_range(0..=i);
                resp.ops.swap(i, j);
            }
        }
        if self.fault(0.1) {
            return Err(SyncError::Offline("answer lost".into()));
        }
        Ok(resp)
    }
}

/// A desktop killed after committing a pulled page but before its cursor moved.
struct CrashAfterApply<'a>(&'a mut Store);

impl Replica for CrashAfterApply<'_> {
    fn device_id(&self) -> String {
        self.0.device().to_string()
    }
    fn outbox_page(&mut self, limit: usize) -> Result<Vec<WireOp>, SyncError> {
        Replica::outbox_page(self.0, limit)
    }
    fn record_push(&mut self, results: &[PushResult]) -> Result<PushTally, SyncError> {
        self.0.record_push(results)
    }
    fn cursor(&mut self) -> Result<i64, SyncError> {
        Replica::cursor(self.0)
    }
    fn apply_page(&mut self, page: &PullResponse) -> Result<PullTally, SyncError> {
        self.0
            .apply_remote(&page.ops, None)
            .map_err(|e| SyncError::Local { code: e.code().into(), message: e.to_string() })?;
        Err(SyncError::Local { code: "CRASH".into(), message: "killed before the cursor moved".into() })
    }
    fn finished(&mut self, at_ms: i64) -> Result<(), SyncError> {
        self.0.finished(at_ms)
    }
}

struct Desk {
    store: Store,
    user: Actor,
    net: Flaky,
}

const USERS: [(&str, Role); 5] = [
    ("sam", Role::Supervisor),
    ("alice", Role::Reviewer),
    ("bob", Role::Reviewer),
    ("sue", Role::Supervisor),
    ("carol", Role::Reviewer),
];
const CLAIMS: [&str; 4] = ["T-001", "T-002", "T-003", "T-004"];

fn sync(desk: &mut Desk, page: usize) -> Result<engine::SyncReport, SyncError> {
    let cancel = AtomicBool::new(false);
    engine::run(&mut desk.store, &mut desk.net, SyncOptions { page }, &mut |_| {}, &cancel)
}

fn set_clock_offset(store: &Store, ms: i64) {
    store
        .conn()
        .execute(
            "INSERT INTO meta (key, value) VALUES ('clock_offset_ms', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [ms.to_string()],
        )
        .expect("offset");
}

fn one_command(desk: &mut Desk, rng: &mut StdRng) {
    let s = &mut desk.store;
    let u = desk.user.clone();
    let c = CLAIMS[rng.random_range(0..CLAIMS.len())];
    let priorities = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];
    let tags = ["택시", "급함", "서류", "중복의심"];
    let _ = match rng.random_range(0..16) {
        0 => s
            .triage(
                &u,
                c,
                None,
                TriageChange {
                    priority: Some(priorities[rng.random_range(0..4)]),
                    tags: rng.random_bool(0.5).then(|| vec![tags[rng.random_range(0..4)].to_string()]),
                    category: rng.random_bool(0.2).then_some(Category::Other),
                    duplicate_of: None,
                },
            )
            .map(|_| ()),
        1 | 2 => s.take(&u, c, None).map(|_| ()),
        3 => s.release(&u, c, None).map(|_| ()),
        4 => s
            .request_info(&u, c, None, Some("DOCUMENTS_MISSING"), "영수증을 보내 주세요", Default::default())
            .map(|_| ()),
        5 => s.info_received(&u, c, None, "받았습니다").map(|_| ()),
        6 | 7 => s
            .recommend(
                &u,
                c,
                None,
                Decision::approve(Remedy::Cash, Decimal::from(rng.random_range(1..5) * 10_000), 0),
                Some("증빙 확인".into()),
            )
            .map(|_| ()),
        8 => s.add_note(&u, c, &format!("메모 {}", rng.random_range(0..1000))).map(|_| ()),
        9 => {
            let own = s.claim(c).ok().and_then(|d| {
                d.notes
                    .into_iter()
                    .find(|n| n.author == u.user && !n.withdrawn && n.kind == claimdesk_core::NoteKind::Note)
            });
            match own {
                Some(n) => s.withdraw_note(&u, c, &n.op_id).map(|_| ()),
                None => Ok(()),
            }
        }
        10 => s.annotate(&u, c, None, Some(priorities[rng.random_range(0..4)]), None).map(|_| ()),
        11 => {
            if rng.random_bool(0.5) {
                s.lease(&u, &[c.to_string()]).map(|_| ())
            } else {
                s.release_lease(&u, &[c.to_string()]).map(|_| ())
            }
        }
        12 | 13 => match s.create_batch_of(&u, "묶음", &[c.to_string()]) {
            Ok(b) if b.added > 0 => s.approve_batch(&u, &b.batch_id).map(|_| ()),
            other => other.map(|_| ()),
        },
        14 => {
            if rng.random_bool(0.5) {
                s.return_to_reviewer(&u, c, "다시 확인해 주세요")
            } else {
                s.remove_from_batch(&u, c)
            }
        }
        _ => {
            let to = [ClaimStatus::Triaged, ClaimStatus::InReview, ClaimStatus::Recommended]
                [rng.random_range(0..3)];
            s.resolve_conflict(&u, c, None, to, "정리함").map(|_| ())
        }
    };
}

fn all_ops(store: &Store) -> Vec<(String, String, String, i64, String)> {
    let mut stmt = store
        .conn()
        .prepare("SELECT op_id, kind, payload, coalesce(base, -1), sync FROM ops WHERE outcome = 'applied' ORDER BY seq")
        .expect("ops");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .expect("ops")
        .collect::<Result<_, _>>()
        .expect("ops")
}

fn pulled_ops(store: &Store) -> Vec<PulledOp> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT op_id, hlc, user_id, device, entity, kind, payload, base, at, coalesce(server_seq, 0), role, approval_limit, proposal, cited
             FROM ops WHERE sync IN ('acked', 'remote') ORDER BY seq",
        )
        .expect("ops");
    stmt.query_map([], |r| {
        let payload: String = r.get(6)?;
        let role: Option<String> = r.get(10)?;
        let proposal: Option<String> = r.get(12)?;
        let stamp = role.and_then(|role| Role::parse(&role)).map(|role| Stamp {
            role,
            approval_limit: r.get(11).ok().flatten(),
            proposal: proposal.and_then(|p| serde_json::from_str(&p).ok()),
            cited: r.get::<_, Option<String>>(13).ok().flatten().and_then(|c| serde_json::from_str(&c).ok()),
        });
        Ok(PulledOp {
            seq: r.get(9)?,
            op: WireOp {
                op_id: r.get(0)?,
                hlc: r.get(1)?,
                user: r.get(2)?,
                device: r.get(3)?,
                entity: r.get(4)?,
                kind: r.get(5)?,
                payload: serde_json::from_str(&payload).unwrap_or_default(),
                base: r.get(7)?,
                at_ms: r.get(8)?,
            },
            stamp,
        })
    })
    .expect("ops")
    .collect::<Result<_, _>>()
    .expect("ops")
}

/// A desktop joins the team: it takes the server's roster, as `claimdesk sync` does.
fn join(desk: &mut Desk) {
    let users = desk.net.server.borrow().users();
    desk.store.apply_roster("admin", &users).expect("roster");
}

/// One whole scenario from a seed. Returns the number of conflicts seen.
fn scenario(seed: u64, replicas: usize, steps: usize) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("dir");
    let server = Rc::new(RefCell::new(FakeServer::with_team()));
    let mut desks: Vec<Desk> = (0..replicas)
        .map(|i| {
            let store = Store::open(&dir.path().join(format!("desk{i}.db"))).expect("store");
            let admin = store.actor("admin").expect("admin");
            Desk {
                store,
                user: admin,
                net: Flaky {
                    server: server.clone(),
                    rng: StdRng::seed_from_u64(seed ^ (i as u64 + 1)),
                    faults: false,
                },
            }
        })
        .collect();
    for d in desks.iter_mut() {
        join(d);
    }
    // The office desk imports the claims; everyone syncs.
    {
        let d = &mut desks[0];
        let admin = d.user.clone();
        let file = dir.path().join("intake.csv");
        std::fs::write(&file, common::small_file()).expect("write");
        d.store.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    }
    for round in 0..2 {
        for d in desks.iter_mut() {
            sync(d, 3 + round).expect("first sync");
        }
    }
    for (i, d) in desks.iter_mut().enumerate() {
        d.user = d.store.actor(USERS[i].0).expect("team member");
        d.net.faults = true;
    }
    // Random work, partial syncs, crashes and clock jumps.
    for _ in 0..steps {
        let i = rng.random_range(0..replicas);
        match rng.random_range(0..20) {
            0..=12 => one_command(&mut desks[i], &mut rng),
            13..=16 => {
                let page = rng.random_range(1..6);
                let _ = sync(&mut desks[i], page);
            }
            17 => {
                let d = &mut desks[i];
                let cancel = AtomicBool::new(false);
                let _ = engine::run(
                    &mut CrashAfterApply(&mut d.store),
                    &mut d.net,
                    SyncOptions { page: 2 },
                    &mut |_| {},
                    &cancel,
                );
            }
            18 => {
                // The wall clock jumps: back up to an hour, or ahead less than the bound.
                let offset = if rng.random_bool(0.5) {
                    -rng.random_range(0..3_600_000)
                } else {
                    rng.random_range(0..120_000)
                };
                set_clock_offset(&desks[i].store, offset);
            }
            _ => {
                // The server refuses the next op this desk pushes.
                if let Ok(page) = desks[i].store.outbox_page(1) {
                    if let Some(op) =
                        page.first().filter(|o| o.kind.starts_with("claim.") && o.kind != "claim.import")
                    {
                        server.borrow_mut().reject.insert(op.op_id.clone());
                    }
                }
            }
        }
    }
    // Back online with correct clocks: a full sync, twice around.
    for d in desks.iter_mut() {
        d.net.faults = false;
        set_clock_offset(&d.store, 0);
    }
    for _ in 0..2 {
        for d in desks.iter_mut() {
            let page = rng.random_range(1..8);
            sync(d, page).expect("full sync");
        }
    }
    // Nothing waits; everything converged.
    let dumps: Vec<String> = desks.iter().map(|d| d.store.canonical_dump().expect("dump")).collect();
    for (i, d) in desks.iter().enumerate() {
        let status = d.store.sync_status().expect("status");
        assert_eq!(status.pending, 0, "desk {i} still has ops to push");
        assert_eq!(dumps[i], dumps[0], "desk {i} differs from desk 0 (seed {seed})");
        d.store.verify_audit().expect("audit chain verifies");
        assert_eq!(d.store.integrity_check().expect("integrity"), "ok");
    }
    // The fast local path and the incremental path equal a fold from scratch.
    for (i, d) in desks.iter_mut().enumerate() {
        d.store.refold_all().expect("refold");
        assert_eq!(
            d.store.canonical_dump().expect("dump"),
            dumps[0],
            "desk {i}: the stored state is not the fold of its ops (seed {seed})"
        );
    }
    // No decision is lost: every decision any desk made and the server took is in every log.
    let accepted: BTreeSet<String> = server.borrow().seq_of.keys().cloned().collect();
    for d in &desks {
        let mine: BTreeSet<String> = all_ops(&d.store).into_iter().map(|o| o.0).collect();
        for o in all_ops(&desks[0].store).iter().chain(all_ops(&d.store).iter()) {
            let payload: serde_json::Value = serde_json::from_str(&o.2).unwrap_or_default();
            if is_decision(&o.1, &payload) && accepted.contains(&o.0) {
                assert!(mine.contains(&o.0), "decision {} is missing on a desk", o.0);
            }
        }
    }
    // Applying everything again changes nothing.
    let everything = pulled_ops(&desks[0].store);
    for d in desks.iter_mut() {
        let before = d.store.canonical_dump().expect("dump");
        let report = d.store.apply_remote(&everything, None).expect("apply again");
        assert_eq!(report.applied, 0);
        assert_eq!(d.store.canonical_dump().expect("dump"), before);
    }
    // Conflicts: one record per divergent group, each listing at least two ops that every desk has.
    let conflicts = desks[0].store.conflicts(true).expect("conflicts");
    let mut seen = BTreeSet::new();
    for c in &conflicts {
        assert!(c.ops.len() >= 2, "a conflict lists the colliding ops side by side");
        assert!(seen.insert((c.external_id.clone(), c.base)), "one conflict per divergent group");
        for op in &c.ops {
            assert!(is_decision(&op.kind, &op.payload));
        }
    }
    if std::env::var("SYNC_TEST_VERBOSE").is_ok() {
        let decisions = all_ops(&desks[0].store)
            .iter()
            .filter(|o| is_decision(&o.1, &serde_json::from_str(&o.2).unwrap_or_default()))
            .count();
        let statuses: Vec<String> = CLAIMS
            .iter()
            .map(|c| desks[0].store.claim(c).map(|d| d.status.code().to_string()).unwrap_or_default())
            .collect();
        eprintln!(
            "seed {seed}: {replicas} desks, {} server ops, {decisions} decisions, {} conflicts, {} rejected, parked {:?}, statuses {statuses:?}",
            server.borrow().log.len(), conflicts.len(), server.borrow().reject.len(),
            desks.iter().map(|d| d.store.sync_status().map(|s| s.parked).unwrap_or(0)).collect::<Vec<_>>()
        );
    }
    conflicts.len()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(16)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn desktops_converge_after_a_full_sync(seed in any::<u64>(), replicas in 2usize..=5, steps in 20usize..90) {
        scenario(seed, replicas, steps);
    }
}

/// The local fast path (claims.rs writes the row) leaves every claim exactly
/// as the fold of its ops: a desktop that made the ops and one that folded
/// them agree.
fn local_scenario(seed: u64, steps: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("dir");
    let server = Rc::new(RefCell::new(FakeServer::with_team()));
    let mut store = Store::open(&dir.path().join("one.db")).expect("store");
    let admin = store.actor("admin").expect("admin");
    for (id, role) in USERS {
        store.create_user(&admin, id, id, role, None).expect("user");
    }
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, common::small_file()).expect("write");
    store.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    let actors: Vec<Actor> = USERS.iter().map(|(id, _)| store.actor(id).expect("actor")).collect();
    let mut desk =
        Desk { store, user: admin, net: Flaky { server, rng: StdRng::seed_from_u64(seed), faults: false } };
    for _ in 0..steps {
        desk.user = actors[rng.random_range(0..actors.len())].clone();
        one_command(&mut desk, &mut rng);
    }
    let made = desk.store.canonical_dump().expect("dump");
    desk.store.refold_all().expect("refold");
    assert_eq!(desk.store.canonical_dump().expect("dump"), made, "seed {seed}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() * 4, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_local_path_equals_the_fold_of_its_ops(seed in any::<u64>(), steps in 10usize..120) {
        local_scenario(seed, steps);
    }
}

/// Two reviewers take the same claim offline: one conflict, kept on every
/// desk, resolved by a supervisor through the ordinary command.
#[test]
fn concurrent_takes_make_one_conflict_that_a_supervisor_resolves() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Rc::new(RefCell::new(FakeServer::with_team()));
    let mut desks: Vec<Desk> = (0..3)
        .map(|i| {
            let store = Store::open(&dir.path().join(format!("d{i}.db"))).expect("store");
            let admin = store.actor("admin").expect("admin");
            Desk {
                store,
                user: admin,
                net: Flaky { server: server.clone(), rng: StdRng::seed_from_u64(i), faults: false },
            }
        })
        .collect();
    for d in desks.iter_mut() {
        join(d);
    }
    let admin = desks[0].user.clone();
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, common::small_file()).expect("write");
    desks[0].store.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    for d in desks.iter_mut() {
        sync(d, 100).expect("sync");
    }
    for d in desks.iter_mut() {
        sync(d, 100).expect("sync");
    }
    let (sam, alice, bob) = (
        desks[0].store.actor("sam").expect("sam"),
        desks[1].store.actor("alice").expect("a"),
        desks[2].store.actor("bob").expect("b"),
    );
    desks[1].store.take(&alice, "T-001", None).expect("alice takes");
    desks[2].store.take(&bob, "T-001", None).expect("bob takes");
    // Alice also annotates another claim, which collides with nothing.
    desks[1].store.annotate(&alice, "T-002", None, Some(Priority::High), None).expect("annotate");
    for _ in 0..2 {
        for d in desks.iter_mut() {
            sync(d, 100).expect("sync");
        }
    }
    for d in &desks {
        let c = d.store.claim("T-001").expect("claim");
        assert_eq!(c.status, ClaimStatus::Conflict);
        let conflicts = d.store.conflicts(false).expect("conflicts");
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].ops.len(), 2);
        assert_eq!(d.store.sync_status().expect("status").conflicts, 1);
        assert_eq!(d.store.claim("T-002").expect("claim").status, ClaimStatus::New);
    }
    // A reviewer cannot resolve; the supervisor can, and everyone sees it.
    assert!(desks[1].store.resolve_conflict(&alice, "T-001", None, ClaimStatus::Triaged, "").is_err());
    desks[0]
        .store
        .resolve_conflict(&sam, "T-001", None, ClaimStatus::InReview, "김 심사자가 계속")
        .expect("resolve");
    for _ in 0..2 {
        for d in desks.iter_mut() {
            sync(d, 100).expect("sync");
        }
    }
    let dump = desks[0].store.canonical_dump().expect("dump");
    for d in &desks {
        assert_eq!(d.store.canonical_dump().expect("dump"), dump);
        assert_eq!(d.store.claim("T-001").expect("claim").status, ClaimStatus::InReview);
        assert!(d.store.conflicts(false).expect("open").is_empty());
        assert_eq!(d.store.conflicts(true).expect("all").len(), 1, "the resolved conflict stays on record");
    }
}

/// A change the server rejects is parked where its author sees it; its
/// effect is undone and the ops behind it still go through.
#[test]
fn a_rejected_op_is_parked_undone_and_blocks_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Rc::new(RefCell::new(FakeServer::with_team()));
    let mut store = Store::open(&dir.path().join("a.db")).expect("store");
    let admin = store.actor("admin").expect("admin");
    store.apply_roster("admin", &server.borrow().users()).expect("roster");
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, common::small_file()).expect("write");
    store.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    let alice = store.actor("alice").expect("alice");
    let note = store.add_note(&alice, "T-001", "거절될 메모").expect("note");
    store.annotate(&alice, "T-001", None, Some(Priority::Urgent), None).expect("annotate");
    server.borrow_mut().reject.insert(note.op_id.clone());
    let mut desk = Desk {
        store,
        user: alice,
        net: Flaky { server: server.clone(), rng: StdRng::seed_from_u64(1), faults: false },
    };
    let report = sync(&mut desk, 2).expect("sync");
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].op_id, note.op_id);
    let status = desk.store.sync_status().expect("status");
    assert_eq!((status.pending, status.parked), (0, 1));
    let parked = desk.store.parked_ops().expect("parked");
    assert!(parked[0].reason.contains("refused"));
    let claim = desk.store.claim("T-001").expect("claim");
    assert!(claim.notes.iter().all(|n| n.withdrawn), "the rejected note is hidden, not deleted");
    assert_eq!(claim.notes.len(), 1);
    assert_eq!(claim.priority, "urgent", "the op behind it went through");
    desk.store.verify_audit().expect("chain");
}

/// A pulled op stamped too far in the future is parked with a clear reason,
/// and applied once the clocks agree.
#[test]
fn a_stamp_too_far_ahead_is_parked_then_applied() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = Store::open(&dir.path().join("a.db")).expect("a");
    let mut b = Store::open(&dir.path().join("b.db")).expect("b");
    let admin = a.actor("admin").expect("admin");
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, common::small_file()).expect("write");
    a.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    let imports = unstamped(a.outbox_page(1000).expect("outbox"));
    b.apply_remote(&imports, Some(1)).expect("apply");
    set_clock_offset(&a, 60 * 60 * 1000);
    a.add_note(&admin, "T-001", "미래에서 온 메모").expect("note");
    let ahead = unstamped(
        a.outbox_page(1000).expect("outbox").into_iter().filter(|o| o.kind == "claim.add_note").collect(),
    );
    let report = b.apply_remote(&ahead, Some(2)).expect("apply");
    assert_eq!(report.parked.len(), 1);
    assert_eq!(report.parked[0].code, "CLOCK_AHEAD");
    assert!(report.parked[0].reason.contains("ahead"));
    assert!(b.claim("T-001").expect("claim").notes.is_empty());
    // B's clock catches up (here: B's clock is the one that was behind).
    set_clock_offset(&b, 60 * 60 * 1000);
    let report = b.apply_remote(&[], Some(2)).expect("retry");
    assert_eq!(report.unparked, 1);
    assert_eq!(b.claim("T-001").expect("claim").notes.len(), 1);
    assert_eq!(b.sync_status().expect("status").parked, 0);
    b.verify_audit().expect("chain");
}

fn index_count(store: &Store) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'claims_%'",
            [],
            |r| r.get(0),
        )
        .expect("indexes")
}

/// A large first pull loads in bulk (queue indexes down, rebuilt at the last
/// page); cut short, the store rebuilds them when it is opened again.
#[test]
fn a_bulk_first_pull_rebuilds_its_indexes_at_the_end_or_at_the_next_open() {
    let dir = tempfile::tempdir().expect("dir");
    let mut source = Store::open(&dir.path().join("s.db")).expect("s");
    let admin = source.actor("admin").expect("admin");
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, common::small_file()).expect("write");
    source.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    let ops = unstamped(source.outbox_page(1000).expect("outbox"));
    let full = index_count(&source);
    let path = dir.path().join("t.db");
    {
        let mut target = Store::open(&path).expect("t");
        // The server says 100,000 more ops wait: bulk mode.
        target.apply_pulled(&ops[..3], 3, 100_000).expect("first page");
        assert!(index_count(&target) < full, "the queue indexes are down during the bulk pull");
        // Killed here: the next open puts them back.
    }
    let mut target = Store::open(&path).expect("reopen");
    assert_eq!(index_count(&target), full);
    target.apply_pulled(&ops[3..], ops.len() as i64, 0).expect("last page");
    assert_eq!(index_count(&target), full);
    assert_eq!(target.queue_count(&Default::default()).expect("count"), 4);
    assert_eq!(target.integrity_check().expect("integrity"), "ok");
}

/// Found by the convergence test: a note withdrawn by its author and then
/// rejected by the server (while the withdrawal went through) is out of the
/// shared state on the author's desk too.
#[test]
fn a_withdrawn_note_whose_op_was_rejected_leaves_the_shared_state() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Rc::new(RefCell::new(FakeServer::with_team()));
    let mut a = Store::open(&dir.path().join("a.db")).expect("a");
    let b = Store::open(&dir.path().join("b.db")).expect("b");
    let admin = a.actor("admin").expect("admin");
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, common::small_file()).expect("write");
    a.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    let note = a.add_note(&admin, "T-003", "곧 지울 메모").expect("note");
    a.withdraw_note(&admin, "T-003", &note.op_id).expect("withdraw");
    server.borrow_mut().reject.insert(note.op_id.clone());
    let mut desks = [
        Desk {
            store: a,
            user: admin.clone(),
            net: Flaky { server: server.clone(), rng: StdRng::seed_from_u64(1), faults: false },
        },
        Desk {
            store: b,
            user: admin,
            net: Flaky { server: server.clone(), rng: StdRng::seed_from_u64(2), faults: false },
        },
    ];
    for _ in 0..2 {
        for d in desks.iter_mut() {
            sync(d, 10).expect("sync");
        }
    }
    assert_eq!(desks[0].store.canonical_dump().expect("a"), desks[1].store.canonical_dump().expect("b"));
    assert_eq!(
        desks[0].store.claim("T-003").expect("claim").notes.len(),
        1,
        "kept on its author's desk, hidden"
    );
}

/// Two desktops import the same intake file: the claims arrive twice (other
/// op ids) in one page; each claim is stored once and the stores agree.
#[test]
fn the_same_file_imported_on_two_desktops_gives_each_claim_once() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, common::small_file()).expect("write");
    let mut a = Store::open(&dir.path().join("a.db")).expect("a");
    let mut b = Store::open(&dir.path().join("b.db")).expect("b");
    let mut c = Store::open(&dir.path().join("c.db")).expect("c");
    for s in [&mut a, &mut b] {
        let admin = s.actor("admin").expect("admin");
        s.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    }
    let mut both = a.outbox_page(100).expect("a");
    both.extend(b.outbox_page(100).expect("b"));
    let both = unstamped(both);
    let report = c.apply_remote(&both, Some(both.len() as i64)).expect("apply");
    assert_eq!(report.imported_claims, 4);
    assert_eq!(c.queue_count(&Default::default()).expect("count"), 4);
    a.apply_remote(&both, None).expect("a applies b's");
    assert_eq!(a.canonical_dump().expect("a"), c.canonical_dump().expect("c"));
    c.verify_audit().expect("chain");
}

/// Users are managed on the server: its roster becomes the store's team,
/// and a new store has nothing of its own bootstrap to push.
#[test]
fn the_servers_roster_is_the_team_and_a_new_store_pushes_nothing() {
    use claimdesk_store::sync_desk::RosterUser;
    use claimdesk_sync::protocol::UserInfo;
    let roster_of = |users: &[UserInfo]| users.iter().filter_map(RosterUser::from_wire).collect::<Vec<_>>();
    let dir = tempfile::tempdir().expect("dir");
    let mut s = Store::open(&dir.path().join("a.db")).expect("a");
    assert_eq!(
        s.sync_status().expect("status").pending,
        0,
        "catalog, policy and admin of a new store stay local"
    );
    let roster = vec![
        UserInfo {
            id: "kim".into(),
            display_name: "김민수".into(),
            role: "reviewer".into(),
            approval_limit: None,
            active: true,
        },
        UserInfo {
            id: "park".into(),
            display_name: "박지현".into(),
            role: "supervisor".into(),
            approval_limit: Some(5_000_000),
            active: true,
        },
    ];
    assert_eq!(s.apply_roster("admin", &roster_of(&roster)).expect("roster"), 2);
    assert_eq!(s.apply_roster("admin", &roster_of(&roster)).expect("again"), 0, "nothing changed");
    let park = s.actor("park").expect("park");
    assert_eq!(park.role, Role::Supervisor);
    assert_eq!(park.approval_limit, Some(Decimal::from(5_000_000)));
    let mut changed = roster.clone();
    changed[0].active = false;
    assert_eq!(s.apply_roster("admin", &roster_of(&changed)).expect("deactivated"), 1);
    assert!(s.actor("kim").is_err(), "a user deactivated on the server cannot act here");
}
