//! Never paid twice across the team (sync.md; docs/decisions/0007): two
//! admin desktops, offline, each export a payout holding the same approved
//! claim. Neither can confirm until the server has accepted its reservation;
//! the server accepts one reservation of the claim, the other is refused and
//! surfaced on its desktop, whose payout loses the claim. The claim is paid
//! once, on every replica.

mod common;

use claimdesk_core::workflow::ClaimCommand;
use claimdesk_core::ClaimStatus;
use claimdesk_store::import::ImportOptions;
use common::desk::Desk;
use common::*;

const INTAKE: &str = "claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,claimed_amount_krw,daily_income_krw,documented_loss_krw,ad_spend_krw,description,bank_name,account_no
T-001,2022-10-19T09:12:00+09:00,taxi_driver,김택시,010-1234-5678,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,\"60,000\",\"180,000\",,,카카오 T 호출이 안 돼서 손님을 못 받았습니다,국민은행,123-45-678901
";

#[test]
fn two_offline_payouts_of_one_claim_pay_it_once() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let db = runtime.block_on(fresh_database("payouts"));
    for (id, role) in [("ada", "admin"), ("bo", "admin"), ("lee", "reviewer"), ("choi", "supervisor")] {
        create_user(&db, id, role, None);
    }
    let server = Server::start(&db);
    let dir = tempfile::tempdir().expect("dir");

    // The office imports the claim; a reviewer recommends it; a supervisor approves it.
    let mut ada = Desk::new(dir.path(), "ada", &server.url, "ada");
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, INTAKE).expect("intake");
    let me = ada.me();
    ada.store.import_file(&me, &file, ImportOptions::default(), &mut |_| true).expect("import");
    ada.sync();
    let mut lee = Desk::new(dir.path(), "lee", &server.url, "lee");
    lee.sync();
    let me = lee.me();
    lee.store.take(&me, "T-001", None).expect("take");
    let decision = claimdesk_core::workflow::Decision::Approve {
        remedy: claimdesk_core::Remedy::Cash,
        amount: 60_000.into(),
        extension_days: 0,
        grants: Vec::new(),
    };
    lee.store.recommend(&me, "T-001", None, decision, Some("운행 기록 확인".into())).expect("recommend");
    lee.sync();
    let mut choi = Desk::new(dir.path(), "choi", &server.url, "choi");
    choi.sync();
    let me = choi.me();
    let batch = choi.store.create_batch_of(&me, "1차 지급", &["T-001".to_string()]).expect("batch");
    let report = choi.store.approve_batch(&me, &batch.batch_id).expect("approve");
    assert_eq!(report.approved, 1);
    assert!(choi.sync().rejected.is_empty());

    // Two admins have the approved claim and go offline.
    ada.sync();
    let mut bo = Desk::new(dir.path(), "bo", &server.url, "bo");
    bo.sync();
    for d in [&ada, &bo] {
        assert_eq!(d.store.claim("T-001").expect("claim").status, ClaimStatus::Approved);
    }
    let (a, b) = (ada.me(), bo.me());
    let pa = ada.store.export_payout(&a, &dir.path().join("ada.csv")).expect("ada exports");
    let pb = bo.store.export_payout(&b, &dir.path().join("bo.csv")).expect("bo exports");
    assert_eq!((pa.claims, pb.claims), (1, 1), "each offline desktop reserved the claim for itself");
    // Offline, neither may confirm: the server has not accepted the
    // reservation (and neither admin may confirm the file they wrote).
    for (d, p, other) in [(&mut ada, pa.payout_id, &b), (&mut bo, pb.payout_id, &a)] {
        let me = d.me();
        assert_eq!(d.store.confirm_payout(&me, p).expect_err("own export").code(), "DUAL_CONTROL");
        let e = d.store.confirm_payout(other, p).expect_err("confirm before the server has the reservation");
        assert!(e.to_string().contains("not yet reserved on the sync server"), "{e}");
    }

    // ada comes online first: her reservation is accepted; bo signs in at
    // her desktop and confirms it (dual control).
    assert!(ada.sync().rejected.is_empty());
    ada.sign_in_as("bo");
    let confirmed = ada.store.confirm_payout(&b, pa.payout_id).expect("bo confirms ada's payout");
    assert_eq!(confirmed.paid, 1);
    assert!(ada.sync().rejected.is_empty());

    // bo comes online: his reservation is refused, shown to him, and his payout loses the claim.
    let report = bo.sync();
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert_eq!(report.rejected[0].kind, "claim.reserve_payout");
    assert!(
        ["WRONG_STATE", "PAYOUT_RESERVED", "RESERVE_ONLINE"].contains(&report.rejected[0].code.as_str()),
        "{:?}",
        report.rejected[0]
    );
    let parked = bo.store.parked_ops().expect("parked");
    assert_eq!(parked.len(), 1, "surfaced for the admin");
    let e = bo.store.confirm_payout(&a, pb.payout_id).expect_err("bo's payout no longer holds the claim");
    assert!(e.to_string().contains("write the file again"), "{e}");
    let again =
        bo.store.rewrite_payout_file(&b, pb.payout_id, &dir.path().join("bo-2.csv")).expect("rewrite");
    assert_eq!(again.claims, 0, "the file bo would send lists nothing");

    // Everyone ends with the claim paid once.
    for d in [&mut lee, &mut choi] {
        d.sync();
    }
    for d in [&ada, &bo, &lee, &choi] {
        assert_eq!(d.store.claim("T-001").expect("claim").status, ClaimStatus::Paid, "{}", d.user);
        let state = d.store.folded_state("T-001").expect("state");
        let payments = (0..state.history.len())
            .filter(|k| {
                state.history[*k].outcome.to == ClaimStatus::Paid
                    && state.before(*k).status == ClaimStatus::Approved
            })
            .count();
        assert_eq!(payments, 1, "{}: paid once", d.user);
        let timeline = d.store.timeline("T-001").expect("timeline");
        let paid_by: Vec<&str> = timeline
            .iter()
            .filter(|e| e.kind == "claim.mark_paid" && e.refusal.is_none() && !e.refused)
            .map(|e| e.user.as_str())
            .collect();
        assert_eq!(paid_by, ["bo"], "{}", d.user);
    }
    let dump = ada.store.canonical_dump().expect("dump");
    for d in [&bo, &lee, &choi] {
        assert_eq!(d.store.canonical_dump().expect("dump"), dump, "{} converged", d.user);
    }
    // A modified client confirming what it never reserved gains nothing either.
    let me = bo.me();
    let forged = bo
        .store
        .apply_to_many(&me, vec![("T-001".into(), ClaimCommand::MarkPaid { payout_id: "P-forged".into() })])
        .expect("apply");
    assert_eq!(forged.applied, 0, "refused by the rules on bo's own desktop");
}
