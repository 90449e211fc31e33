//! Never fulfilled twice across the team (docs/decisions/0012): two admin
//! desktops, offline, each export a fulfilment holding the same approved
//! extension. The server accepts one reservation, the other desktop's file
//! loses the claim; the claim is fulfilled once on every replica. A forged
//! push (a fulfilment never reserved, a second one, a reviewer's) gains
//! nothing at the server.

mod common;

use claimdesk_core::workflow::Decision;
use claimdesk_core::{ClaimStatus, Remedy};
use claimdesk_store::import::ImportOptions;
use common::desk::Desk;
use common::*;
use serde_json::json;

const INTAKE: &str = "claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,claimed_amount_krw,daily_income_krw,documented_loss_krw,ad_spend_krw,description
T-003,2022-10-21 11:00,paid_subscriber,이구독,01022223333,,melon,2022-10-15 15:30,2022-10-16 13:00,,,,,멜론 이용권을 쓰지 못했습니다
T-004,2022-10-22 12:00,free_user,박무료,+82 10-4444-5555,,kakaotalk,2022-10-15 15:30,2022-10-16 01:31,,,,,카카오톡 메시지가 안 갔어요
";

fn extension() -> Decision {
    Decision::Approve { remedy: Remedy::Extension, amount: 0.into(), extension_days: 3, grants: Vec::new() }
}

#[test]
fn two_offline_fulfilments_of_one_claim_fulfil_it_once() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let db = runtime.block_on(fresh_database("fulfilment"));
    for (id, role) in [("ada", "admin"), ("bo", "admin"), ("lee", "reviewer"), ("choi", "supervisor")] {
        create_user(&db, id, role, None);
    }
    let server = Server::start(&db);
    let dir = tempfile::tempdir().expect("dir");

    // Imported by the office, recommended by a reviewer, approved by a supervisor.
    let mut ada = Desk::new(dir.path(), "ada", &server.url, "ada");
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, INTAKE).expect("intake");
    let me = ada.me();
    ada.store.import_file(&me, &file, ImportOptions::default(), &mut |_| true).expect("import");
    ada.sync();
    let mut lee = Desk::new(dir.path(), "lee", &server.url, "lee");
    lee.sync();
    let me = lee.me();
    for id in ["T-003", "T-004"] {
        lee.store.take(&me, id, None).expect("take");
        lee.store.recommend(&me, id, None, extension(), Some("이용권 확인".into())).expect("recommend");
    }
    lee.sync();
    let mut choi = Desk::new(dir.path(), "choi", &server.url, "choi");
    choi.sync();
    let me = choi.me();
    let batch = choi.store.create_batch_of(&me, "연장", &["T-003".to_string()]).expect("batch");
    assert_eq!(choi.store.approve_batch(&me, &batch.batch_id).expect("approve").approved, 1);
    assert!(choi.sync().rejected.is_empty());

    // Two admins take the approved claim offline.
    ada.sync();
    let mut bo = Desk::new(dir.path(), "bo", &server.url, "bo");
    bo.sync();
    let (a, b) = (ada.me(), bo.me());
    let fa = ada.store.export_fulfilment(&a, &dir.path().join("ada.csv")).expect("ada exports");
    let fb = bo.store.export_fulfilment(&b, &dir.path().join("bo.csv")).expect("bo exports");
    assert_eq!((fa.claims, fb.claims), (1, 1), "each offline desktop reserved the claim for itself");
    for (d, f, other) in [(&mut ada, fa.fulfilment_id, &b), (&mut bo, fb.fulfilment_id, &a)] {
        let me = d.me();
        assert_eq!(d.store.confirm_fulfilment(&me, f).expect_err("own export").code(), "DUAL_CONTROL");
        let e =
            d.store.confirm_fulfilment(other, f).expect_err("confirm before the server has the reservation");
        assert!(e.to_string().contains("not yet reserved on the sync server"), "{e}");
    }

    // ada is online first; bo confirms her file at her desktop (dual
    // control); bo's own reservation is refused and his file must be written again.
    assert!(ada.sync().rejected.is_empty());
    ada.sign_in_as("bo");
    assert_eq!(ada.store.confirm_fulfilment(&b, fa.fulfilment_id).expect("bo confirms").fulfilled, 1);
    assert!(ada.sync().rejected.is_empty());
    let report = bo.sync();
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert_eq!(report.rejected[0].kind, "claim.reserve_fulfilment");
    let e =
        bo.store.confirm_fulfilment(&a, fb.fulfilment_id).expect_err("bo's file no longer holds the claim");
    assert!(e.to_string().contains("write the file again"), "{e}");
    let again = bo
        .store
        .rewrite_fulfilment_file(&b, fb.fulfilment_id, &dir.path().join("bo-2.csv"))
        .expect("rewrite");
    assert_eq!(again.claims, 0, "the file bo would send lists nothing");

    for d in [&mut lee, &mut choi] {
        d.sync();
    }
    let dump = ada.store.canonical_dump().expect("dump");
    for d in [&ada, &bo, &lee, &choi] {
        assert_eq!(d.store.claim("T-003").expect("claim").status, ClaimStatus::Fulfilled, "{}", d.user);
        let fulfilled_by: Vec<String> = d
            .store
            .timeline("T-003")
            .expect("timeline")
            .into_iter()
            .filter(|e| e.kind == "claim.mark_fulfilled" && e.refusal.is_none() && !e.refused)
            .map(|e| e.user)
            .collect();
        assert_eq!(fulfilled_by, ["bo"], "{}", d.user);
        assert_eq!(d.store.canonical_dump().expect("dump"), dump, "{} converged", d.user);
    }

    // T-004 is approved too, and never reserved.
    let me = choi.me();
    let batch = choi.store.create_batch_of(&me, "연장 2", &["T-004".to_string()]).expect("batch");
    assert_eq!(choi.store.approve_batch(&me, &batch.batch_id).expect("approve").approved, 1);
    assert!(choi.sync().rejected.is_empty());

    // A modified client pushing straight to the server gains nothing.
    runtime.block_on(async {
        let bo = Api::login(&server.url, "bo", "dev-bo-forged").await;
        let lee = Api::login(&server.url, "lee", "dev-lee-forged").await;
        let mark = |api: &Api, claim: &str, f: &str| {
            api.op(&format!("claim:{claim}"), "claim.mark_fulfilled", json!({ "fulfilment_id": f }))
        };
        let reserve = |api: &Api, claim: &str, f: &str| {
            api.op(&format!("claim:{claim}"), "claim.reserve_fulfilment", json!({ "fulfilment_id": f }))
        };
        let cases = [
            (
                &bo,
                mark(&bo, "T-003", "F-again"),
                "rejected:WRONG_STATE",
                "a second fulfilment of a fulfilled claim",
            ),
            (
                &bo,
                reserve(&bo, "T-003", "F-again"),
                "rejected:WRONG_STATE",
                "a fulfilled claim reserved again",
            ),
            (&bo, mark(&bo, "T-004", "F-never"), "rejected:NOT_RESERVED", "a fulfilment never reserved"),
            (&lee, reserve(&lee, "T-004", "F-rev"), "rejected:ROLE_NOT_ALLOWED", "a reviewer"),
        ];
        for (api, op, expected, what) in cases {
            let r = api.push(std::slice::from_ref(&op)).await.remove(0);
            assert_eq!(outcome_code(&r), expected, "{what}: {r:?}");
        }
    });
}
