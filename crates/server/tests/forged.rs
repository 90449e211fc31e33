//! A modified client gains nothing (sync.md, "Who decides"; decision 0007):
//!
//! - forged ops sent with a raw HTTP client, as a reviewer, a supervisor and
//!   an admin, are refused by the server with the core's codes;
//! - the same ops written straight into the server's database, past its
//!   checks, are refused by the fold of every desktop that pulls them, and
//!   poison ops (a policy that does not parse, a catalog with a service
//!   twice, a payload that does not read, a kind nobody knows, an oversized
//!   note) leave every desktop syncing, with nothing approved or paid.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use claimdesk_core::{ClaimStatus, Role};
use claimdesk_store::sync_desk::RosterUser;
use claimdesk_store::Store;
use claimdesk_sync::client::{ClientConfig, SyncClient};
use claimdesk_sync::protocol::*;
use common::*;
use serde_json::{json, Value};

const BAD_POLICY: &str = "name = \"깨진 정책\"\n[filing_window]\nstart = 'not a date'\n";

fn dup_catalog() -> Value {
    let mut catalog = serde_json::to_value(claimdesk_core::Catalog::default_2022()).expect("catalog");
    let first = catalog["service"][0].clone();
    catalog["service"].as_array_mut().expect("services").push(first);
    catalog
}

fn nested(depth: usize) -> Value {
    (0..depth).fold(json!("바닥"), |inner, _| json!({ "d": inner }))
}

struct Team {
    kim: Api,
    lee: Api,
    park: Api,
    choi: Api,
    ada: Api,
}

/// kim, lee: reviewers; park: supervisor with a 100,000 won limit; choi: supervisor; ada: admin.
/// C-1: taken and recommended (30,000) by lee, batched by choi. C-4: recommended (250,000) by kim, batched.
async fn team(url: &str, db: &str) -> (Team, WireOp, WireOp) {
    for (id, role, limit) in [
        ("kim", "reviewer", None),
        ("lee", "reviewer", None),
        ("park", "supervisor", Some(100_000)),
        ("choi", "supervisor", None),
        ("ada", "admin", None),
    ] {
        create_user(db, id, role, limit);
    }
    seed(url, db, &(1..=6).map(|i| format!("C-{i}")).collect::<Vec<_>>()).await;
    let t = Team {
        kim: Api::login(url, "kim", "dev-kim").await,
        lee: Api::login(url, "lee", "dev-lee").await,
        park: Api::login(url, "park", "dev-park").await,
        choi: Api::login(url, "choi", "dev-choi").await,
        ada: Api::login(url, "ada", "dev-ada").await,
    };
    let lee_takes = take(&t.lee, "C-1");
    let lee_rec = recommend(&t.lee, "C-1", 30_000);
    let kim_takes = take(&t.kim, "C-4");
    let kim_rec = recommend(&t.kim, "C-4", 250_000);
    let all_accepted = |r: Vec<PushResult>| assert!(r.iter().all(|x| outcome_code(x) == "accepted"), "{r:?}");
    all_accepted(t.lee.push(&[lee_takes, lee_rec.clone()]).await);
    all_accepted(t.kim.push(&[kim_takes, kim_rec.clone()]).await);
    let mut batch_ops = batch(&t.choi, "C-1", "B-1");
    batch_ops.push(t.choi.op("claim:C-4", "claim.add_to_batch", json!({"batch_id": "B-1"})));
    all_accepted(t.choi.push(&batch_ops).await);
    (t, lee_rec, kim_rec)
}

/// The forged ops of each role, with the code the rules give them.
fn forgeries(t: &Team, lee_rec: &WireOp, kim_rec: &WireOp) -> Vec<(WireOp, &'static str)> {
    let fifty_million =
        json!({"decision": "approve", "remedy": "cash", "amount": "50000000", "extension_days": 0});
    let mut out = vec![
        // The attack of the last review: a reviewer's "approved, 50,000,000 won", naming someone else.
        (
            t.kim.op("claim:C-2", "claim.recommend", json!({"to": "approved", "by": "lee", "op_id": lee_rec.op_id, "is_override": false, "decision": fifty_million})),
            "WRONG_STATE",
        ),
        (t.kim.op("claim:C-1", "claim.approve", json!({"recommendation_op": lee_rec.op_id, "to": "approved"})), "ROLE_NOT_ALLOWED"),
        (t.kim.op("claim:C-1", "claim.mark_paid", json!({"payout_id": "P-x", "to": "paid"})), "ROLE_NOT_ALLOWED"),
        (t.kim.op("claim:C-1", "claim.take", json!({"to": "paid", "assignee": "kim"})), "WRONG_STATE"),
        (t.kim.op("claim:C-1", "claim.resolve_conflict", json!({"to": "approved"})), "ROLE_NOT_ALLOWED"),
        (t.kim.op("batch:B-9", "batch.create", json!({"id": "B-9", "name": "가짜"})), "ROLE_NOT_ALLOWED"),
        (t.kim.op("policy:1", "policy.activate", json!({"version": 1})), "ROLE_NOT_ALLOWED"),
        // A supervisor: their own recommendation, a made-up one, over the limit, payment, the catalog, a broken policy.
        (t.park.op("claim:C-1", "claim.approve", json!({"recommendation_op": uuid::Uuid::now_v7().to_string()})), "RECOMMENDATION_SUPERSEDED"),
        (t.park.op("claim:C-4", "claim.approve", json!({"recommendation_op": kim_rec.op_id})), "OVER_APPROVAL_LIMIT"),
        (t.park.op("claim:C-1", "claim.mark_paid", json!({"payout_id": "P-x"})), "ROLE_NOT_ALLOWED"),
        (t.park.op("catalog", "catalog.replace", dup_catalog()), "ROLE_NOT_ALLOWED"),
        (t.park.op("policy:2", "policy.create", json!({"version": 2, "name": "깨진 정책", "toml": BAD_POLICY})), "BAD_POLICY"),
        (t.park.op("policy:2", "policy.activate", json!({"version": 2})), "BAD_POLICY"),
        // An admin: a catalog with a service twice, paying an unapproved claim, odd content.
        (t.ada.op("catalog", "catalog.replace", dup_catalog()), "BAD_CATALOG"),
        (t.ada.op("claim:C-1", "claim.mark_paid", json!({"payout_id": "P-x"})), "WRONG_STATE"),
        (t.ada.op("claim:C-1", "claim.reserve_payout", json!({"payout_id": "P-x"})), "WRONG_STATE"),
        (t.ada.op("claim:C-5", "claim.add_note", json!({"body": "NUL \u{0} 글자"})), "BAD_OP"),
        (t.ada.op("claim:C-5", "claim.add_note", json!({"body": "가".repeat(100_000)})), "BAD_OP"),
        (t.ada.op("claim:C-5", "claim.add_note", json!({"body": "깊다", "x": nested(40)})), "BAD_OP"),
        (t.ada.op("claim:C-5", "claim.recommend", json!({"decision": "모두 승인"})), "BAD_PAYLOAD"),
        (t.ada.op("claim:C-5", "claim.teleport", json!({})), "UNKNOWN_KIND"),
        (t.ada.op("user:ada", "user.update", json!({"id": "kim", "role": "admin"})), "USERS_MANAGED_ON_SERVER"),
    ];
    // Recommending 50,000,000 after a real take: a recommendation (not an approval), which needs a justification.
    out.push((t.kim.op("claim:C-2", "claim.take", json!({"to": "approved"})), "accepted"));
    out.push((
        t.kim.op(
            "claim:C-2",
            "claim.recommend",
            json!({"to": "approved", "is_override": false, "decision": fifty_million}),
        ),
        "OVERRIDE_NEEDS_JUSTIFICATION",
    ));
    // Grants: more than the policy gives (5,000,000 won of message credit) without a justification,
    // and cash hidden in the list beside a small amount (the amount an approval limit reads).
    let more_credit = json!({"decision": "approve", "remedy": "cash", "amount": "60000", "extension_days": 0,
        "grants": [{"kind": "cash", "amount": "60000"}, {"kind": "message_credit", "amount": "5000000"}]});
    out.push((
        t.kim.op("claim:C-2", "claim.recommend", json!({"decision": more_credit})),
        "OVERRIDE_NEEDS_JUSTIFICATION",
    ));
    let hidden_cash = json!({"decision": "approve", "remedy": "cash", "amount": "30000", "extension_days": 0,
        "grants": [{"kind": "cash", "amount": "50000000"}]});
    out.push((
        t.kim.op(
            "claim:C-2",
            "claim.recommend",
            json!({"decision": hidden_cash, "justification": "영업 손실 확인"}),
        ),
        "INVALID",
    ));
    // Coded reasons: a denial or request citing a code the policy in force does not have (or one of
    // another kind), and a damage claim closed as a non-damage report.
    for (kind, payload, want) in [
        (
            "claim.recommend",
            json!({"decision": {"decision": "deny", "code": "MADE_UP"}, "justification": "x"}),
            "UNKNOWN_REASON",
        ),
        (
            "claim.recommend",
            json!({"decision": {"decision": "deny", "code": "DOCUMENTS_MISSING"}, "justification": "x"}),
            "UNKNOWN_REASON",
        ),
        ("claim.request_info", json!({"code": "NO_LOSS_SHOWN", "message": "서류"}), "UNKNOWN_REASON"),
        ("claim.close_no_damage", json!({"reply": "INQUIRY_ANSWERED"}), "DAMAGE_CLAIM"),
    ] {
        out.push((t.kim.op("claim:C-2", kind, payload), want));
    }
    out
}

async fn push_as(t: &Team, op: &WireOp) -> PushResult {
    let api = match op.user.as_str() {
        "kim" => &t.kim,
        "park" => &t.park,
        _ => &t.ada,
    };
    api.push(std::slice::from_ref(op)).await.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_ops_from_a_raw_client_are_refused_by_the_server() {
    let db = fresh_database("forged").await;
    let server = Server::start(&db);
    let (t, lee_rec, kim_rec) = team(&server.url, &db).await;
    for (op, want) in forgeries(&t, &lee_rec, &kim_rec) {
        let r = push_as(&t, &op).await;
        let got = outcome_code(&r);
        let want = if want == "accepted" { want.to_string() } else { format!("rejected:{want}") };
        assert_eq!(got, want, "{} {} by {}: {r:?}", op.kind, op.payload, op.user);
    }
    // Nothing forged moved a claim: the honest path still works, and only it.
    let r = t.choi.push(&[approve(&t.choi, "C-1", &lee_rec)]).await;
    assert_eq!(outcome_code(&r[0]), "accepted", "choi approves lee's recommendation");
    // Dual control: the admin who reserved it cannot say it was paid; another admin can, once.
    let own = vec![
        t.ada.op("claim:C-1", "claim.reserve_payout", json!({"payout_id": "P-1"})),
        t.ada.op("claim:C-1", "claim.mark_paid", json!({"payout_id": "P-1"})),
    ];
    let codes: Vec<String> = t.ada.push(&own).await.iter().map(outcome_code).collect();
    assert_eq!(codes, ["accepted", "rejected:DUAL_CONTROL"], "ada's own payout");
    let other = Api::login(&server.url, "seeder", "dev-seeder").await;
    let pay = vec![
        other.op("claim:C-1", "claim.mark_paid", json!({"payout_id": "P-1"})),
        other.op("claim:C-1", "claim.mark_paid", json!({"payout_id": "P-1"})),
    ];
    let codes: Vec<String> = other.push(&pay).await.iter().map(outcome_code).collect();
    assert_eq!(codes, ["accepted", "rejected:WRONG_STATE"], "paid once");
}

/// A desktop that syncs through the real client as `user`, with the server's roster.
fn desk(dir: &Path, name: &str, url: &str, user: &str) -> (Store, SyncClient) {
    let mut store = Store::open(&dir.join(format!("{name}.db"))).expect("store");
    let mut client = SyncClient::new(&ClientConfig::new(url, 2)).expect("client");
    client
        .login(&LoginRequest {
            user: user.into(),
            password: format!("password-{user}"),
            device_id: store.device().into(),
            device_name: name.into(),
            device_secret: String::new(),
        })
        .expect("login");
    let roster: Vec<RosterUser> =
        client.users().expect("users").iter().filter_map(RosterUser::from_wire).collect();
    store.apply_roster(user, &roster).expect("roster");
    store.set_sync_setting("server_url", url).expect("url");
    (store, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_ops_written_into_the_servers_database_are_refused_by_every_desktop() {
    let db = fresh_database("injected").await;
    let server = Server::start(&db);
    let (t, lee_rec, kim_rec) = team(&server.url, &db).await;
    // Past every check of the server: straight into its ops table, stamped with the author's real role.
    let (pg, conn) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(conn);
    let roles: HashMap<&str, &str> =
        [("kim", "reviewer"), ("park", "supervisor"), ("ada", "admin")].into_iter().collect();
    let mut injected = Vec::new();
    for (op, want) in forgeries(&t, &lee_rec, &kim_rec) {
        // PostgreSQL cannot hold a NUL in jsonb: that one only ever reaches the server's front door.
        if op.payload.to_string().contains("\\u0000") {
            continue;
        }
        let id = uuid::Uuid::parse_str(&op.op_id).expect("uuid");
        pg.execute(
            "INSERT INTO ops (op_id, hlc, author, device, entity, kind, payload, base, at_ms, author_role, author_limit)
             VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9, $10, $11)",
            &[&id, &op.hlc, &op.user, &op.device, &op.entity, &op.kind, &op.payload.to_string(), &op.base, &op.at_ms,
              &roles[op.user.as_str()], &(if op.user == "park" { Some(100_000i64) } else { None })],
        )
        .await
        .expect("inject");
        injected.push((op, want));
    }
    // An honest note after all of them.
    let last = note(&t.kim, "C-6", "독이 든 변경 뒤의 정상 메모");
    assert_eq!(outcome_code(&t.kim.push(std::slice::from_ref(&last)).await[0]), "accepted");

    let dir = tempfile::tempdir().expect("dir");
    let url = server.url.clone();
    let dumps = tokio::task::spawn_blocking(move || {
        let mut dumps = Vec::new();
        for (name, user) in [("office", "ada"), ("supervisor", "choi")] {
            let (mut store, mut client) = desk(dir.path(), name, &url, user);
            let report = client
                .sync(&mut store, &mut |_| {}, &AtomicBool::new(false))
                .expect("the poison ops do not stop the sync");
            assert!(report.pulled > 0);
            // Synced to the end: the honest note behind the poison is there.
            let c6 = store.claim("C-6").expect("C-6");
            assert!(c6.notes.iter().any(|n| n.body.contains("정상 메모")), "{name}: {:?}", c6.notes);
            // Nothing was approved or paid by a forgery, no 50,000,000 won recommendation stands.
            for id in ["C-1", "C-2", "C-3", "C-4", "C-5"] {
                let c = store.claim(id).expect("claim");
                assert!(
                    !matches!(
                        c.status,
                        ClaimStatus::Approved | ClaimStatus::Paid | ClaimStatus::ClosedDenied
                    ),
                    "{name} {id}: {:?}",
                    c.status
                );
                if let Some(r) = &c.recommendation {
                    let forged = claimdesk_core::workflow::Decision::approve(
                        claimdesk_core::Remedy::Cash,
                        50_000_000.into(),
                        0,
                    );
                    assert_ne!(r.decision, forged);
                    assert!(
                        r.decision.grants().iter().all(|g| g.amount < 1_000_000.into()),
                        "{name} {id}: {:?}",
                        r.decision
                    );
                }
            }
            assert_eq!(store.claim("C-1").expect("C-1").status, ClaimStatus::Batched);
            assert_eq!(
                store.claim("C-2").expect("C-2").status,
                ClaimStatus::InReview,
                "the forged take is a take, nothing more"
            );
            // Every forged claim op is kept, visible, with the rules' reason; every poison team op parked.
            let refused: HashMap<String, String> =
                store.refused_ops(1000).expect("refused").into_iter().map(|r| (r.op_id, r.code)).collect();
            let parked: HashMap<String, String> =
                store.parked_ops().expect("parked").into_iter().map(|p| (p.op_id, p.code)).collect();
            for (op, want) in &injected {
                if *want == "accepted" {
                    continue;
                }
                let is_claim_op = op.kind.starts_with("claim.");
                match (refused.get(&op.op_id), parked.get(&op.op_id)) {
                    // A claim op the rules refused: the fold's code is the server's.
                    (Some(code), _) => {
                        assert_eq!(code, want, "{name}: {} by {}", op.kind, op.user);
                        // The claim's timeline (what the Claim screen shows) marks it refused, with the reason.
                        let external_id = op.entity.trim_start_matches("claim:");
                        let timeline = store.timeline(external_id).expect("timeline");
                        let entry = timeline
                            .iter()
                            .find(|e| e.op_id == op.op_id)
                            .expect("the refused op is on the timeline");
                        let refusal = entry.refusal.as_ref().expect("marked refused");
                        assert_eq!(&refusal.code, want);
                        assert!(!refusal.reason.is_empty(), "{name}: {} has no reason", op.op_id);
                    }
                    // One that does not read, or a team op: parked, never applied.
                    (None, Some(code)) => assert!(
                        !is_claim_op || code == want,
                        "{name}: {} by {} parked as {code}, expected {want}",
                        op.kind,
                        op.user
                    ),
                    // An oversized or deeply nested note is a note to a desktop: the server's front door stops those.
                    (None, None) => assert!(
                        *want == "BAD_OP" && op.kind == "claim.add_note",
                        "{name}: {} by {} was applied",
                        op.kind,
                        op.user
                    ),
                }
            }
            assert_eq!(store.active_policy().expect("policy").0, 1, "the broken policy was never activated");
            assert!(store.sync_status().expect("status").refused > 0);
            store.verify_audit().expect("chain");
            dumps.push(store.canonical_dump().expect("dump"));
        }
        dumps
    })
    .await
    .expect("desktops");
    assert_eq!(dumps[0], dumps[1], "both desktops decided the same");
    let _ = Role::Admin;
}

/// A valid intake row (as common::claim_json) of another category and with extra columns.
fn claim_row(id: &str, category: &str, extra: Value) -> Value {
    let mut row = claim_json(id);
    row["category"] = json!(category);
    row["extra"] = extra;
    if category == "small_business" {
        row["brn"] = json!("2208162517");
        row["service"] = json!("talk_channel");
        row["claimed_amount"] = json!("200000");
    }
    row
}

/// A team on the final 2022 policy: the server proposes each claim's grants
/// (a tier read from the import's extra column, cash plus message credit),
/// an honest recommendation of them needs no justification, and more credit
/// or hidden cash is refused, at the server and at every desktop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_on_the_final_2022_policy_gets_its_grants_and_nothing_more() {
    let db = fresh_database("final2022").await;
    let server = Server::start(&db);
    for (id, role) in [("kim", "reviewer"), ("park", "supervisor"), ("ada", "admin")] {
        create_user(&db, id, role, None);
    }
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let park = Api::login(&server.url, "park", "dev-park").await;
    let ada = Api::login(&server.url, "ada", "dev-ada").await;
    let imports = vec![
        ada.op("claim:G-1", "claim.import", claim_row("G-1", "taxi_driver", json!({"멤버십 등급": "블랙"}))),
        ada.op("claim:G-2", "claim.import", claim_row("G-2", "small_business", json!({}))),
        ada.op("claim:G-3", "claim.import", claim_row("G-3", "taxi_driver", json!({"비고": "등급 미기재"}))),
    ];
    let accepted = |r: Vec<PushResult>| r.iter().map(outcome_code).collect::<Vec<_>>();
    assert_eq!(accepted(ada.push(&imports).await), ["accepted"; 3]);
    let toml = claimdesk_core::policy::FINAL_2022_POLICY_TOML;
    let policy = vec![
        park.op("policy:2", "policy.create", json!({"version": 2, "name": "2022 최종", "toml": toml})),
        park.op("policy:2", "policy.activate", json!({"version": 2})),
    ];
    assert_eq!(accepted(park.push(&policy).await), ["accepted"; 2]);

    let rec = |claim: &str, decision: Value, justification: Option<&str>| {
        let mut payload = json!({"decision": decision});
        if let Some(j) = justification {
            payload["justification"] = json!(j);
        }
        kim.op(&format!("claim:{claim}"), "claim.recommend", payload)
    };
    let credit = |amount: &str| {
        json!({"decision": "approve", "remedy": "cash", "amount": "30000", "extension_days": 0,
               "grants": [{"kind": "cash", "amount": "30000"}, {"kind": "message_credit", "amount": amount, "label": "카카오톡 채널 메시지 크레딧"}]})
    };
    let black = json!({"decision": "approve", "remedy": "cash", "amount": "230000", "extension_days": 0});
    let ops = vec![
        take(&kim, "G-1"),
        rec("G-1", black, None),
        take(&kim, "G-2"),
        rec("G-2", credit("5000000"), None),
        rec(
            "G-2",
            json!({"decision": "approve", "remedy": "cash", "amount": "30000", "extension_days": 0,
                   "grants": [{"kind": "cash", "amount": "5000000"}]}),
            Some("근거"),
        ),
        rec("G-2", credit("50000"), None),
        take(&kim, "G-3"),
        rec(
            "G-3",
            json!({"decision": "approve", "remedy": "cash", "amount": "25000", "extension_days": 0}),
            None,
        ),
    ];
    let codes = accepted(kim.push(&ops).await);
    assert_eq!(
        codes,
        [
            "accepted",
            "accepted",
            "accepted",
            "rejected:OVERRIDE_NEEDS_JUSTIFICATION",
            "rejected:INVALID",
            "accepted",
            "accepted",
            // No tier: the server's proposal is manual review (SEGMENT_MISSING), so any amount needs a justification.
            "rejected:OVERRIDE_NEEDS_JUSTIFICATION",
        ],
        "the server proposes the tier's cash and the credit itself"
    );

    // A desktop pulls the team's log and decides the same.
    let dir = tempfile::tempdir().expect("dir");
    let url = server.url.clone();
    tokio::task::spawn_blocking(move || {
        let (mut store, mut client) = desk(dir.path(), "office", &url, "ada");
        client.sync(&mut store, &mut |_| {}, &AtomicBool::new(false)).expect("sync");
        assert_eq!(store.active_policy().expect("policy").0, 2);
        let g1 = store.claim("G-1").expect("G-1").recommendation.expect("recommended");
        assert!(!g1.is_override);
        let g2 = store.claim("G-2").expect("G-2").recommendation.expect("recommended");
        assert!(!g2.is_override, "cash and the policy's credit follow the policy");
        assert_eq!(
            g2.decision.grants().iter().map(|g| (g.kind, g.amount)).collect::<Vec<_>>(),
            [
                (claimdesk_core::Remedy::Cash, 30_000.into()),
                (claimdesk_core::Remedy::MessageCredit, 50_000.into()),
            ]
        );
        // The desktop's own evaluation (what its claim screen shows) is the server's.
        let o = store.explain("G-1").expect("explain").outcome;
        assert_eq!((o.remedy, o.amount), (claimdesk_core::Remedy::Cash, 230_000.into()));
        assert_eq!(
            store.explain("G-3").expect("explain").outcome.reason,
            Some(claimdesk_core::Reason::SegmentMissing)
        );
        store.verify_audit().expect("chain");
    })
    .await
    .expect("desktop");
}
