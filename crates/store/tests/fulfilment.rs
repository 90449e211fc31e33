//! Fulfilment of what is not cash (vouchers, extensions, credits) through
//! the store, as the app and the CLI drive it: the file an admin exports,
//! its confirmation, and the rules that keep a grant from being given twice
//! or before the cash of the same claim is paid.

mod common;

use claimdesk_core::grant::Grant;
use claimdesk_core::workflow::Decision;
use claimdesk_core::{ClaimStatus, Remedy};
use claimdesk_store::queue::QueueFilter;
use claimdesk_store::Store;
use common::{small_file, team, Team};
use rust_decimal::Decimal;

fn won(n: i64) -> Decimal {
    Decimal::from(n)
}

/// Kim recommends each claim as given, Park approves them in one batch.
fn approved(t: &mut Team, decisions: Vec<(&str, Decision)>) {
    let (kim, park) = (t.kim.clone(), t.park.clone());
    for (id, decision) in decisions {
        t.store.take(&kim, id, None).expect("take");
        t.store.recommend(&kim, id, None, decision, Some("서류 확인".into())).expect("recommend");
    }
    let batch = t.store.create_batch(&park, "1차", &QueueFilter::default()).expect("batch");
    let report = t.store.approve_batch(&park, &batch.batch_id).expect("approve");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
}

fn voucher() -> Decision {
    Decision::Approve { remedy: Remedy::Voucher, amount: won(2_500), extension_days: 0, grants: Vec::new() }
}

fn extension(days: u32) -> Decision {
    Decision::Approve { remedy: Remedy::Extension, amount: won(0), extension_days: days, grants: Vec::new() }
}

/// 60,000 won and a three-day extension.
fn cash_and_extension() -> Decision {
    Decision::Approve {
        remedy: Remedy::Cash,
        amount: won(60_000),
        extension_days: 3,
        grants: vec![Grant::new(Remedy::Cash, won(60_000), 0), Grant::new(Remedy::Extension, won(0), 3)],
    }
}

fn cash(amount: i64) -> Decision {
    Decision::Approve { remedy: Remedy::Cash, amount: won(amount), extension_days: 0, grants: Vec::new() }
}

fn status(store: &Store, id: &str) -> ClaimStatus {
    store.claim(id).expect("claim").status
}

#[test]
fn a_voucher_and_an_extension_are_fulfilled_once() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    approved(&mut t, vec![("T-003", extension(3)), ("T-004", voucher())]);
    let admin = t.admin.clone();

    let out = t.dir.path().join("이행.csv");
    let export = t.store.export_fulfilment(&admin, &out).expect("export");
    assert_eq!((export.claims, export.lines, export.total), (2, 2, 2_500));
    let kinds: Vec<(Remedy, u64, u64)> =
        export.kinds.iter().map(|k| (k.kind, k.claims, k.quantity)).collect();
    assert!(kinds.contains(&(Remedy::Extension, 1, 3)), "{kinds:?}");
    assert!(kinds.contains(&(Remedy::Voucher, 1, 1)), "{kinds:?}");
    let text = std::fs::read_to_string(&out).expect("file");
    assert!(
        text.starts_with("fulfilment_id,claim_id,claimant_key,kind,kind_ko,label,quantity,unit,amount_krw")
    );
    assert!(text.contains("T-003") && text.contains("이용기간 연장"), "{text}");
    assert!(text.contains("T-004") && text.contains("이모티콘 교환권"), "{text}");
    // The granting system finds the account by the claimant key (the phone for a person).
    assert!(text.lines().any(|l| l.contains("T-003") && l.contains("01022223333")), "{text}");

    // Nothing is fulfilled before the confirmation, and nothing joins a second file.
    assert_eq!(status(&t.store, "T-004"), ClaimStatus::Approved);
    let again = t.store.export_fulfilment(&admin, &t.dir.path().join("again.csv")).expect_err("nothing left");
    assert_eq!(again.code(), "INVALID");

    // Dual control: the exporter cannot confirm it, another admin does.
    let own = t.store.confirm_fulfilment(&admin, export.fulfilment_id).expect_err("own export");
    assert_eq!(own.code(), "DUAL_CONTROL");
    assert_eq!(status(&t.store, "T-004"), ClaimStatus::Approved);
    let yoon = t.yoon.clone();
    let confirm = t.store.confirm_fulfilment(&yoon, export.fulfilment_id).expect("confirm");
    assert_eq!((confirm.fulfilled, confirm.refused.len()), (2, 0));
    assert_eq!(status(&t.store, "T-003"), ClaimStatus::Fulfilled);
    assert_eq!(status(&t.store, "T-004"), ClaimStatus::Fulfilled);
    assert!(
        t.store.confirm_fulfilment(&yoon, export.fulfilment_id).is_err(),
        "a fulfilment is confirmed once"
    );
    assert_eq!(
        t.store.export_fulfilment(&admin, &t.dir.path().join("third.csv")).expect_err("all fulfilled").code(),
        "INVALID"
    );

    // A fulfilled claim is final: its history says who confirmed it.
    let timeline = t.store.timeline("T-004").expect("timeline");
    assert!(timeline.iter().any(|e| e.kind == "claim.mark_fulfilled" && e.user == "yoon" && !e.refused));
    let kim = t.kim.clone();
    assert!(t.store.add_note(&kim, "T-004", "메모").is_ok(), "notes stay possible on a closed claim");
    assert!(t.store.verify_audit().is_ok());
}

#[test]
fn cash_is_paid_before_the_rest_is_fulfilled() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    approved(&mut t, vec![("T-001", cash_and_extension()), ("T-002", cash(400_000))]);
    let admin = t.admin.clone();

    // Neither claim waits for fulfilment yet: T-001 is unpaid, T-002 has only cash.
    let err = t.store.export_fulfilment(&admin, &t.dir.path().join("f.csv")).expect_err("not paid yet");
    assert_eq!(err.code(), "INVALID");

    let payout = t.store.export_payout(&admin, &t.dir.path().join("p.csv")).expect("payout");
    assert_eq!((payout.claims, payout.total), (2, 460_000));
    // A payout holds its claims: a fulfilment cannot take them meanwhile.
    assert!(t.store.export_fulfilment(&admin, &t.dir.path().join("f.csv")).is_err());
    let yoon = t.yoon.clone();
    t.store.confirm_payout(&yoon, payout.payout_id).expect("paid");
    assert_eq!(status(&t.store, "T-001"), ClaimStatus::Paid);

    let export = t.store.export_fulfilment(&admin, &t.dir.path().join("f.csv")).expect("now");
    assert_eq!((export.claims, export.lines, export.total), (1, 1, 0), "only T-001's extension");
    t.store.confirm_fulfilment(&yoon, export.fulfilment_id).expect("confirm");
    assert_eq!(status(&t.store, "T-001"), ClaimStatus::Fulfilled);
    assert_eq!(status(&t.store, "T-002"), ClaimStatus::Paid, "cash only: paid is its end");
}

#[test]
fn only_an_admin_fulfils() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    approved(&mut t, vec![("T-004", voucher())]);
    let out = t.dir.path().join("f.csv");
    for who in [t.kim.clone(), t.park.clone()] {
        let err = t.store.export_fulfilment(&who, &out).expect_err("not an admin");
        assert_eq!(err.code(), "ROLE_NOT_ALLOWED", "{}", who.user);
        assert_eq!(t.store.fulfilments(&who).expect_err("list").code(), "ROLE_NOT_ALLOWED");
    }
    assert!(!out.exists(), "a refused export writes no file");
    let admin = t.admin.clone();
    let export = t.store.export_fulfilment(&admin, &out).expect("admin");
    let park = t.park.clone();
    assert_eq!(
        t.store.confirm_fulfilment(&park, export.fulfilment_id).expect_err("supervisor").code(),
        "ROLE_NOT_ALLOWED"
    );
    assert_eq!(status(&t.store, "T-004"), ClaimStatus::Approved);
}

#[test]
fn a_cancelled_fulfilment_releases_its_claims_and_the_list_survives_a_reopen() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    approved(&mut t, vec![("T-003", extension(3)), ("T-004", voucher())]);
    let admin = t.admin.clone();
    let first = t.store.export_fulfilment(&admin, &t.dir.path().join("1.csv")).expect("export");
    t.store.cancel_fulfilment(&admin, first.fulfilment_id).expect("cancel");
    assert!(
        t.store.confirm_fulfilment(&admin, first.fulfilment_id).is_err(),
        "a cancelled file is not confirmed"
    );
    assert_eq!(status(&t.store, "T-004"), ClaimStatus::Approved);

    let second =
        t.store.export_fulfilment(&admin, &t.dir.path().join("2.xlsx")).expect("again after the cancel");
    assert_eq!(second.claims, 2);

    // Closed and opened again (a restart): the pending file is still listed.
    t.reopen();
    let (store, admin) = (&mut t.store, t.admin.clone());
    let rows = store.fulfilments(&admin).expect("list");
    let statuses: Vec<(i64, &str)> = rows.iter().map(|r| (r.id, r.status.as_str())).collect();
    assert_eq!(statuses, vec![(second.fulfilment_id, "exported"), (first.fulfilment_id, "cancelled")]);
    assert_eq!((rows[0].claims, rows[0].lines), (2, 2));
    store.confirm_fulfilment(&t.yoon, second.fulfilment_id).expect("confirm after the restart");
    assert_eq!(status(store, "T-003"), ClaimStatus::Fulfilled);
    let rows = store.fulfilments(&admin).expect("list");
    assert_eq!(rows[0].status, "confirmed");
    assert_eq!(rows[0].confirmed_by.as_deref(), Some("yoon"));
}
