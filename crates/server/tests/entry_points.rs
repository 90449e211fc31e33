//! Every role × every action, at the two entry points a team shares: the
//! server's push and another desktop's fold (the same ops written straight
//! into the server's database, so that only the desktop's rules stand
//! between them and its store). The local entry points (the app's commands
//! and the CLI, both over the store) are crates/store/tests/roles.rs and
//! crates/cli/tests/cli.rs.
//!
//! The table of who may do what is written here apart from the core: an
//! action a role may not take is refused as ROLE_NOT_ALLOWED, whatever the
//! claim's state (the role is the rules' first check); an action it may take
//! is never refused for its role.

mod common;

use std::sync::atomic::AtomicBool;

use claimdesk_core::Role;
use claimdesk_store::sync_desk::RosterUser;
use claimdesk_store::Store;
use claimdesk_sync::client::{ClientConfig, SyncClient};
use claimdesk_sync::protocol::*;
use common::*;
use serde_json::{json, Value};

/// The least role each action needs (domain.md), by kind.
fn needs(kind: &str) -> Role {
    match kind {
        "claim.add_to_batch"
        | "claim.remove_from_batch"
        | "claim.return_to_reviewer"
        | "claim.approve"
        | "claim.resolve_conflict"
        | "claim.reopen"
        | "claim.notify"
        | "claim.expire"
        | "batch.create"
        | "batch.approve"
        | "policy.create"
        | "policy.activate"
        | "incident.create"
        | "incident.update" => Role::Supervisor,
        "claim.update"
        | "claim.import"
        | "claim.reserve_payout"
        | "claim.release_payout"
        | "claim.mark_paid"
        | "catalog.replace"
        | "payout.export"
        | "payout.confirm"
        | "payout.cancel"
        | "claim.reserve_fulfilment"
        | "claim.release_fulfilment"
        | "claim.mark_fulfilled"
        | "fulfilment.export"
        | "fulfilment.confirm"
        | "fulfilment.cancel" => Role::Admin,
        _ => Role::Reviewer,
    }
}

fn rank(r: Role) -> u8 {
    match r {
        Role::Reviewer => 0,
        Role::Supervisor => 1,
        Role::Admin => 2,
    }
}

/// One op of every kind a desktop sends, by `api`, about claim `claim` (its
/// content well formed; the claim's state is whatever it is by then).
fn every_kind(api: &Api, claim: &str, n: usize) -> Vec<WireOp> {
    let c = format!("claim:{claim}");
    let policy = claimdesk_core::policy::Policy::default_2022().to_toml();
    let catalog = serde_json::to_value(claimdesk_core::Catalog::default_2022()).expect("catalog");
    let batch_id = format!("B-{}-{n}", api.user);
    let payout = format!("P-{}-{n}", api.user);
    let fulfilment = format!("F-{}-{n}", api.user);
    let claim_kinds: Vec<(&str, Value)> = vec![
        ("claim.triage", json!({"priority": "high"})),
        ("claim.take", json!({})),
        ("claim.release", json!({})),
        ("claim.request_info", json!({"code": "ACCOUNT_INFO_NEEDED", "message": "통장 사본"})),
        ("claim.info_received", json!({"note": ""})),
        (
            "claim.recommend",
            json!({"decision": {"decision": "deny", "code": "DUPLICATE", "reason": "중복"}, "justification": "중복 신고"}),
        ),
        ("claim.add_note", json!({"body": "메모"})),
        ("claim.withdraw_note", json!({"note_op": uuid::Uuid::now_v7().to_string()})),
        ("claim.annotate", json!({"tags": ["확인"]})),
        (
            "claim.add_evidence",
            json!({"sha256": "ab".repeat(32), "file_name": "영수증.jpg", "mime": "image/jpeg", "size": 10}),
        ),
        ("claim.reveal_personal_data", json!({"field": "phone"})),
        ("claim.update", json!({"claim": claim_json(claim), "fields": ["name"]})),
        ("claim.lease", json!({})),
        ("claim.release_lease", json!({})),
        ("claim.add_to_batch", json!({"batch_id": batch_id})),
        ("claim.remove_from_batch", json!({})),
        ("claim.return_to_reviewer", json!({"comment": "다시 확인"})),
        ("claim.approve", json!({"recommendation_op": uuid::Uuid::now_v7().to_string()})),
        ("claim.reserve_payout", json!({"payout_id": payout})),
        ("claim.release_payout", json!({"payout_id": payout})),
        ("claim.mark_paid", json!({"payout_id": payout})),
        ("claim.reserve_fulfilment", json!({"fulfilment_id": fulfilment})),
        ("claim.release_fulfilment", json!({"fulfilment_id": fulfilment})),
        ("claim.mark_fulfilled", json!({"fulfilment_id": fulfilment})),
        ("claim.resolve_conflict", json!({"to": "triaged"})),
        ("claim.set_report_type", json!({"report_type": "inquiry"})),
        ("claim.close_no_damage", json!({"reply": "INQUIRY_ANSWERED"})),
        ("claim.reopen", json!({})),
        ("claim.notify", json!({"channels": ["pdf", "sms"], "lang": "ko"})),
        ("claim.check_document", json!({"document": "BANK_ACCOUNT_COPY"})),
        ("claim.expire", json!({"note": "기한 경과"})),
    ];
    let mut ops: Vec<WireOp> = claim_kinds.into_iter().map(|(k, p)| api.op(&c, k, p)).collect();
    let new_claim = format!("N-{}-{n}", api.user);
    ops.push(api.op(&format!("claim:{new_claim}"), "claim.import", claim_json(&new_claim)));
    ops.push(api.op(&format!("batch:{batch_id}"), "batch.create", json!({"id": batch_id, "name": "묶음"})));
    ops.push(api.op(&format!("batch:{batch_id}"), "batch.approve", json!({})));
    ops.push(api.op(
        &format!("policy:{}", 10 + n),
        "policy.create",
        json!({"version": 10 + n, "name": "사본", "toml": policy}),
    ));
    ops.push(api.op("policy:1", "policy.activate", json!({"version": 1})));
    ops.push(api.op("catalog", "catalog.replace", catalog));
    let mut started = claimdesk_core::Catalog::default_2022();
    started.incident.id = format!("inc-{}-{n}", api.user);
    ops.push(api.op(
        &format!("incident:{}", started.incident.id),
        "incident.create",
        json!({"catalog": started}),
    ));
    let first = claimdesk_core::Catalog::default_2022().incident;
    ops.push(api.op(
        &format!("incident:{}", first.id),
        "incident.update",
        serde_json::to_value(&first).expect("incident"),
    ));
    ops.push(api.op(
        &format!("payout:{payout}"),
        "payout.export",
        json!({"id": payout, "file": "p.csv", "claims": 1, "total": 0}),
    ));
    ops.push(api.op(&format!("payout:{payout}"), "payout.confirm", json!({"id": payout})));
    ops.push(api.op(&format!("payout:{payout}"), "payout.cancel", json!({"id": payout})));
    ops.push(api.op(
        &format!("fulfilment:{fulfilment}"),
        "fulfilment.export",
        json!({"id": fulfilment, "file": "f.csv", "claims": 1, "total": 0}),
    ));
    ops.push(api.op(&format!("fulfilment:{fulfilment}"), "fulfilment.confirm", json!({"id": fulfilment})));
    ops.push(api.op(&format!("fulfilment:{fulfilment}"), "fulfilment.cancel", json!({"id": fulfilment})));
    ops
}

const ROLES: [(&str, Role); 3] = [("rita", Role::Reviewer), ("sam", Role::Supervisor), ("ada", Role::Admin)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_and_action_at_the_server_and_at_another_desktops_fold() {
    let db = fresh_database("roles").await;
    for (id, role) in ROLES {
        create_user(&db, id, role.code(), None);
    }
    let server = Server::start(&db);
    seed(&server.url, &db, &["R-1".into(), "R-2".into(), "R-3".into()]).await;
    let mut checked = 0;

    // The server's push.
    for (n, (id, role)) in ROLES.iter().enumerate() {
        let api = Api::login(&server.url, id, &format!("dev-{id}")).await;
        for op in every_kind(&api, &format!("R-{}", n + 1), n) {
            let r = api.push(std::slice::from_ref(&op)).await.remove(0);
            let refused_for_role = outcome_code(&r) == "rejected:ROLE_NOT_ALLOWED";
            assert_eq!(
                refused_for_role,
                rank(*role) < rank(needs(&op.kind)),
                "{} by a {role} at the server: {r:?}",
                op.kind
            );
            checked += 1;
        }
    }

    // Another desktop's fold: the same kinds, written into the server's database with their authors' real roles.
    let (pg, conn) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(conn);
    let mut injected: Vec<(WireOp, Role)> = Vec::new();
    for (n, (id, role)) in ROLES.iter().enumerate() {
        let api = Api::login(&server.url, id, &format!("dev-{id}-2")).await;
        for op in every_kind(&api, &format!("R-{}", n + 1), n + 3) {
            let op_id = uuid::Uuid::parse_str(&op.op_id).expect("uuid");
            pg.execute(
                "INSERT INTO ops (op_id, hlc, author, device, entity, kind, payload, base, at_ms, author_role)
                 VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9, $10)",
                &[&op_id, &op.hlc, &op.user, &op.device, &op.entity, &op.kind, &op.payload.to_string(), &op.base, &op.at_ms, &role.code()],
            )
            .await
            .expect("inject");
            injected.push((op, *role));
        }
    }
    let url = server.url.clone();
    let dir = tempfile::tempdir().expect("dir");
    let folded = tokio::task::spawn_blocking(move || {
        let mut store = Store::open(&dir.path().join("desk.db")).expect("store");
        let mut client = SyncClient::new(&ClientConfig::new(&url, 2)).expect("client");
        client
            .login(&LoginRequest {
                user: "ada".into(),
                password: "password-ada".into(),
                device_id: store.device().into(),
                device_name: "desk".into(),
                device_secret: String::new(),
            })
            .expect("login");
        let roster: Vec<RosterUser> =
            client.users().expect("users").iter().filter_map(RosterUser::from_wire).collect();
        store.apply_roster("ada", &roster).expect("roster");
        client.sync(&mut store, &mut |_| {}, &AtomicBool::new(false)).expect("sync");
        let mut codes = std::collections::HashMap::new();
        for r in store.refused_ops(10_000).expect("refused") {
            codes.insert(r.op_id, r.code);
        }
        for p in store.parked_ops().expect("parked") {
            codes.insert(p.op_id, p.code);
        }
        codes
    })
    .await
    .expect("desktop");
    for (op, role) in &injected {
        let refused_for_role = folded.get(&op.op_id).map(String::as_str) == Some("ROLE_NOT_ALLOWED");
        assert_eq!(
            refused_for_role,
            rank(*role) < rank(needs(&op.kind)),
            "{} by a {role} in a desktop's fold: {:?}",
            op.kind,
            folded.get(&op.op_id)
        );
        checked += 1;
    }
    assert_eq!(checked, 2 * 3 * 45, "every kind of op, every role, both entry points");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_and_policies_of_an_incident_the_server_does_not_have_are_refused() {
    let db = fresh_database("incidents").await;
    create_user(&db, "ada", "admin", None);
    let server = Server::start(&db);
    let ada = Api::login(&server.url, "ada", "dev-ada").await;
    let mut claim = claim_json("X-1");
    claim["incident"] = json!("breach-2025-11");
    let policy = claimdesk_core::policy::Policy::default_2022().to_toml();
    let refused = ada
        .push(&[
            ada.op("claim:X-1", "claim.import", claim.clone()),
            ada.op(
                "policy:20",
                "policy.create",
                json!({"version": 20, "toml": policy, "incident": "breach-2025-11"}),
            ),
        ])
        .await;
    assert!(refused.iter().all(|r| outcome_code(r) == "rejected:UNKNOWN_INCIDENT"), "{refused:?}");
    let mut breach = claimdesk_core::Catalog::default_2022();
    breach.incident.id = "breach-2025-11".into();
    let create = ada.op("incident:breach-2025-11", "incident.create", json!({"catalog": breach}));
    let accepted = ada
        .push(&[
            create.clone(),
            ada.op("claim:X-1", "claim.import", claim),
            ada.op(
                "policy:20",
                "policy.create",
                json!({"version": 20, "toml": policy, "incident": "breach-2025-11"}),
            ),
        ])
        .await;
    assert!(accepted.iter().all(|r| outcome_code(r) == "accepted"), "{accepted:?}");
    // The same id a second time (another desktop's start of it) is refused.
    let again =
        ada.push(&[ada.op("incident:breach-2025-11", "incident.create", json!({"catalog": breach}))]).await;
    assert_eq!(outcome_code(&again[0]), "rejected:BAD_INCIDENT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_needs_a_code_of_the_policy_in_force_at_the_push_and_the_stamp_carries_its_text() {
    let db = fresh_database("reasons").await;
    create_user(&db, "rita", "reviewer", None);
    let server = Server::start(&db);
    seed(&server.url, &db, &["Q-1".into(), "Q-2".into()]).await;
    let rita = Api::login(&server.url, "rita", "dev-rita").await;
    let deny = |claim: &str, decision: Value| {
        rita.op(
            &format!("claim:{claim}"),
            "claim.recommend",
            json!({"decision": decision, "justification": "근거"}),
        )
    };
    let ops = vec![
        rita.op("claim:Q-1", "claim.take", json!({})),
        // Free text only (as before coded reasons), a made-up code, a deficiency code: refused.
        deny("Q-1", json!({"decision": "deny", "reason": "피해 없음"})),
        deny("Q-1", json!({"decision": "deny", "code": "MADE_UP", "reason": "x"})),
        deny("Q-1", json!({"decision": "deny", "code": "LOSS_PROOF_NEEDED"})),
        rita.op("claim:Q-1", "claim.request_info", json!({"message": "통장 사본"})),
        // A code of the catalog, a note beside it: accepted, one bad op blocking nothing.
        deny("Q-1", json!({"decision": "deny", "code": "NO_LOSS_SHOWN", "reason": "통화 확인"})),
        rita.op("claim:Q-2", "claim.add_note", json!({"body": "뒤의 정상 메모"})),
    ];
    let results = rita.push(&ops).await;
    let codes: Vec<String> = results.iter().map(outcome_code).collect();
    assert_eq!(
        codes,
        [
            "accepted",
            "rejected:REASON_REQUIRED",
            "rejected:UNKNOWN_REASON",
            "rejected:UNKNOWN_REASON",
            "rejected:REASON_REQUIRED",
            "accepted",
            "accepted"
        ]
    );
    let PushOutcome::Accepted { stamp: Some(stamp), .. } = &results[5].outcome else {
        panic!("{:?}", results[5])
    };
    let cited = stamp.cited.as_ref().expect("the server's stamp names the catalog entry");
    assert_eq!((cited.code.as_str(), cited.policy_version), ("NO_LOSS_SHOWN", Some(1)));
    assert!(cited.ko.contains("피해"), "{}", cited.ko);
    // Pulled with its stamp: another desktop folds it as the team's denial with that text.
    let pulled = rita.pull_all(0).await;
    let denial = pulled.iter().find(|p| p.op.op_id == ops[5].op_id).expect("pulled");
    assert_eq!(denial.stamp.as_ref().and_then(|s| s.cited.as_ref()), Some(cited));
}
