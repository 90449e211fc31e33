//! A whole day of review through the store, as the app and the CLI drive it:
//! import, triage, take, annotate, recommend (with an override), batch,
//! maker-checker, approval limits, payout, and the audit chain afterwards.

mod common;

use claimdesk_core::workflow::Decision;
use claimdesk_core::{Category, ClaimStatus, Remedy};
use claimdesk_store::claims::{PersonalField, TriageChange};
use claimdesk_store::queue::QueueFilter;
use claimdesk_store::StoreError;
use common::{small_file, team};
use rust_decimal::Decimal;

fn approve(remedy: Remedy, amount: i64, days: u32) -> Decision {
    Decision::Approve { remedy, amount: Decimal::from(amount), extension_days: days, grants: Vec::new() }
}

#[test]
fn a_whole_review_day() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    let summary = t.import(&file);
    assert_eq!(summary.counts.imported, 4);
    assert_eq!(summary.evaluation.claims, 4);

    // The policy's results are on the claims.
    let taxi = t.store.explain("T-001").expect("explain");
    assert_eq!(taxi.outcome.remedy, Remedy::Cash);
    assert_eq!(taxi.outcome.amount, Decimal::from(60_000));
    assert!(!taxi.steps.is_empty(), "the reviewer sees how the amount was reached");
    assert_eq!(t.store.explain("T-003").expect("explain").outcome.extension_days, 3);

    // Kim triages and takes the taxi claim, adds a note and recommends as the policy says.
    let (kim, lee, park, choi, admin) =
        (t.kim.clone(), t.lee.clone(), t.park.clone(), t.choi.clone(), t.admin.clone());
    let s = &mut t.store;
    s.triage(
        &kim,
        "T-001",
        None,
        TriageChange { tags: Some(vec!["택시".into(), " ".into()]), ..Default::default() },
    )
    .expect("triage");
    s.take(&kim, "T-001", None).expect("take");
    s.add_note(&kim, "T-001", "운행 기록 확인 완료").expect("note");
    s.recommend(&kim, "T-001", None, approve(Remedy::Cash, 60_000, 0), None).expect("recommend");
    assert_eq!(s.claim("T-001").expect("claim").tags, vec!["택시".to_string()]);

    // Lee may not recommend a claim Kim holds; that refusal is audited and changes nothing.
    s.take(&kim, "T-002", None).expect("take");
    let before = s.claim("T-002").expect("claim").version;
    let err =
        s.recommend(&lee, "T-002", None, approve(Remedy::Cash, 50_000, 0), None).expect_err("held by kim");
    assert_eq!(err.code(), "HELD_BY_OTHER");
    assert_eq!(s.claim("T-002").expect("claim").version, before);
    let timeline = s.timeline("T-002").expect("timeline");
    assert!(timeline.iter().any(|e| e.refused && e.user == "lee"), "the refusal is in the claim's history");

    // An override without a justification is refused; with one it stands out.
    let err =
        s.recommend(&kim, "T-002", None, approve(Remedy::Cash, 120_000, 0), None).expect_err("override");
    assert_eq!(err.code(), "OVERRIDE_NEEDS_JUSTIFICATION");
    s.recommend(&kim, "T-002", None, approve(Remedy::Cash, 120_000, 0), Some("입증 서류로 손해 확인".into()))
        .expect("override");
    let detail = s.claim("T-002").expect("claim");
    assert_eq!(detail.status, ClaimStatus::Recommended);
    assert!(detail.recommendation.as_ref().is_some_and(|r| r.is_override));

    // Park (a supervisor) recommends T-003 himself.
    s.take(&park, "T-003", None).expect("take");
    s.recommend(&park, "T-003", None, approve(Remedy::Extension, 0, 3), None).expect("recommend");

    // A reviewer cannot build batches.
    assert_eq!(
        s.create_batch(&kim, "mine", &QueueFilter::default()).expect_err("reviewer").code(),
        "ROLE_NOT_ALLOWED"
    );

    let batch = s.create_batch(&park, "1차", &QueueFilter::default()).expect("batch");
    assert_eq!(batch.added, 3);
    let review = s.batch_review(&batch.batch_id).expect("review");
    assert_eq!(review.lines[0].external_id, "T-002", "overrides are listed first");
    let cash: i64 = review.totals.iter().filter(|t| t.remedy == "cash").map(|t| t.amount).sum();
    assert_eq!(cash, 180_000);

    // Park may not approve his own recommendation: T-003 is refused, the others pass.
    let report = s.approve_batch(&park, &batch.batch_id).expect("approve");
    assert_eq!(report.approved, 2);
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].external_id, "T-003");
    assert_eq!(report.refused[0].code, "MAKER_CHECKER");
    assert_eq!(s.claim("T-003").expect("claim").status, ClaimStatus::Batched);

    // Choi may approve it: an extension is 0 won, within his limit.
    let report = s.approve_batch(&choi, &batch.batch_id).expect("approve");
    assert_eq!((report.approved, report.refused.len()), (1, 0));

    // Payout: the two approved cash claims, once.
    let out = t.dir.path().join("payout.csv");
    let export = t.store.export_payout(&admin, &out).expect("export");
    assert_eq!((export.claims, export.total), (2, 180_000));
    let text = std::fs::read_to_string(&out).expect("payout file");
    assert!(text.starts_with("payout_id,claim_id,name,bank_name,account_no,amount_krw"));
    assert!(text.contains("T-002") && text.contains("120000"));
    let again = t.store.export_payout(&admin, &t.dir.path().join("again.csv")).expect_err("nothing left");
    assert_eq!(again.code(), "INVALID");
    assert_eq!(
        t.store.claim("T-001").expect("claim").status,
        ClaimStatus::Approved,
        "not paid before confirmation"
    );
    // Dual control: the admin who exported it cannot confirm it; nothing is paid by trying.
    let own = t.store.confirm_payout(&admin, export.payout_id).expect_err("own export");
    assert_eq!(own.code(), "DUAL_CONTROL");
    assert_eq!(t.store.claim("T-001").expect("claim").status, ClaimStatus::Approved);
    assert_eq!(t.store.payouts(&admin).expect("list")[0].status, "exported");
    let yoon = t.yoon.clone();
    let confirm = t.store.confirm_payout(&yoon, export.payout_id).expect("confirm");
    assert_eq!(confirm.paid, 2);
    assert_eq!(t.store.claim("T-001").expect("claim").status, ClaimStatus::Paid);
    assert!(t.store.confirm_payout(&yoon, export.payout_id).is_err(), "a payout is confirmed once");

    // Personal data is masked unless revealed, and the reveal is audited.
    let d = t.store.claim("T-001").expect("claim");
    assert_eq!(d.phone_masked.as_deref(), Some("010-****-5678"));
    let phone = t.store.reveal(&kim, "T-001", PersonalField::Phone).expect("reveal");
    assert_eq!(phone.as_deref(), Some("01012345678"));
    assert!(t
        .store
        .timeline("T-001")
        .expect("timeline")
        .iter()
        .any(|e| e.kind == "claim.reveal_personal_data"));
    assert!(
        !t.store
            .timeline("T-001")
            .expect("timeline")
            .iter()
            .any(|e| e.payload.to_string().contains("01012345678")),
        "the timeline never shows the full phone number"
    );

    // The whole day is in one verifiable audit chain.
    let chain = t.store.verify_audit().expect("chain intact");
    assert!(chain.entries > 20);
    assert_eq!(t.store.integrity_check().expect("check"), "ok");
    let _ = lee;
}

#[test]
fn approval_limit_and_superseded_recommendation() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    let (kim, choi, park) = (t.kim.clone(), t.choi.clone(), t.park.clone());
    let s = &mut t.store;
    s.take(&kim, "T-002", None).expect("take");
    s.recommend(&kim, "T-002", None, approve(Remedy::Cash, 120_000, 0), Some("서류 확인".into()))
        .expect("recommend");
    let batch = s.create_batch(&park, "limit", &QueueFilter::default()).expect("batch");
    let report = s.approve_batch(&choi, &batch.batch_id).expect("approve");
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].code, "OVER_APPROVAL_LIMIT");
    assert!(report.refused[0].message.contains("100,000"), "{}", report.refused[0].message);

    // Returned to the reviewer with a comment, re-recommended within the limit.
    s.return_to_reviewer(&park, "T-002", "금액 근거를 다시 확인해 주세요").expect("return");
    let d = s.claim("T-002").expect("claim");
    assert_eq!(d.status, ClaimStatus::InReview);
    assert_eq!(d.assignee.as_deref(), Some("kim"));
    assert!(d.notes.iter().any(|n| n.kind == claimdesk_core::NoteKind::ReturnComment));
    s.recommend(&kim, "T-002", None, approve(Remedy::Cash, 50_000, 0), None).expect("as policy");
    let batch = s.create_batch(&park, "limit 2", &QueueFilter::default()).expect("batch");
    let report = s.approve_batch(&choi, &batch.batch_id).expect("approve");
    assert_eq!(report.approved, 1);
}

#[test]
fn a_stale_view_is_refused_and_a_category_correction_reevaluates() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    let kim = t.kim.clone();
    let s = &mut t.store;
    let seen = s.claim("T-004").expect("claim").version;
    s.triage(
        &kim,
        "T-004",
        Some(seen),
        TriageChange { priority: Some(claimdesk_core::workflow::Priority::High), ..Default::default() },
    )
    .expect("triage");
    let err = s.take(&kim, "T-004", Some(seen)).expect_err("stale");
    assert!(matches!(err, StoreError::Stale { .. }), "{err}");

    // A free user re-categorized as a small business has no BRN: MISSING_BRN.
    s.triage(
        &kim,
        "T-004",
        None,
        TriageChange { category: Some(Category::SmallBusiness), ..Default::default() },
    )
    .expect("triage");
    let o = s.explain("T-004").expect("explain").outcome;
    assert!(!o.eligible);
    assert_eq!(o.reason.map(|r| r.code()), Some("MISSING_BRN"));
    let row = s
        .queue_page(
            &QueueFilter { reasons: vec![claimdesk_core::Reason::MissingBrn], ..Default::default() },
            Default::default(),
            0,
            10,
        )
        .expect("queue");
    assert_eq!(row.total, 1, "the stored result follows the correction");
}

#[test]
fn notes_are_append_only_and_withdrawals_hide() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    let (kim, lee) = (t.kim.clone(), t.lee.clone());
    let s = &mut t.store;
    let note = s.add_note(&kim, "T-001", "첫 메모").expect("note");
    assert!(s.add_note(&kim, "T-001", "   ").is_err());
    assert!(s.withdraw_note(&lee, "T-001", &note.op_id).is_err(), "only the author withdraws");
    s.withdraw_note(&kim, "T-001", &note.op_id).expect("withdraw");
    let d = s.claim("T-001").expect("claim");
    assert_eq!(d.notes.len(), 1, "a withdrawn note is kept");
    assert!(d.notes[0].withdrawn);
}

/// A note larger than the server takes for a note (32 KiB of JSON) is
/// refused here, before it could sit in the outbox and be parked at every
/// push; the claim is left as it was.
#[test]
fn a_note_larger_than_the_server_takes_is_refused_on_the_desktop() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    let kim = t.kim.clone();
    let before = t.count("SELECT count(*) FROM ops");
    let long = "가".repeat(12_000);
    let err = t.store.add_note(&kim, "T-001", &long).expect_err("36,000 bytes of note");
    assert_eq!(err.code(), "INVALID");
    let text = err.to_string();
    assert!(text.contains("claim.add_note") && text.contains("32768"), "{text}");
    assert_eq!(t.count("SELECT count(*) FROM ops"), before, "nothing was written");
    t.store.add_note(&kim, "T-001", &"가".repeat(10_000)).expect("30,000 bytes is a note the server takes");
}

#[test]
fn evidence_is_content_addressed() {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    let kim = t.kim.clone();
    let photo = t.write("영수증.png", "not really a png, but bytes");
    t.store.add_evidence(&kim, "T-001", &photo).expect("evidence");
    t.store.add_evidence(&kim, "T-002", &photo).expect("same file on another claim");
    let d = t.store.claim("T-001").expect("claim");
    assert_eq!(d.evidence.len(), 1);
    assert_eq!(d.evidence[0].mime, "image/png");
    let bytes = t.store.read_evidence(&d.evidence[0].sha256).expect("read");
    assert_eq!(bytes, b"not really a png, but bytes");
    let stored = std::fs::read_dir(t.store.evidence_dir()).expect("dir").count();
    assert_eq!(stored, 1, "one file, stored once");
    assert!(t.store.read_evidence("../../etc/passwd").is_err());
    let missing = t.dir.path().join("nope.jpg");
    assert!(t.store.add_evidence(&kim, "T-001", &missing).is_err());
}

/// The small file imported and T-001 approved for 60,000 won in cash (Kim recommends, Park approves).
fn approved_cash_claim() -> common::Team {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    let (kim, park) = (t.kim.clone(), t.park.clone());
    t.store.take(&kim, "T-001", None).expect("take");
    t.store.recommend(&kim, "T-001", None, approve(Remedy::Cash, 60_000, 0), None).expect("recommend");
    let batch = t.store.create_batch(&park, "x", &QueueFilter::default()).expect("batch");
    t.store.approve_batch(&park, &batch.batch_id).expect("approve");
    t
}

#[test]
fn payout_export_as_xlsx() {
    use calamine::{open_workbook_auto, Data, Reader};
    let mut t = approved_cash_claim();
    let admin = t.admin.clone();
    let out = t.dir.path().join("지급.xlsx");
    let e = t.store.export_payout(&admin, &out).expect("export");
    assert_eq!(e.claims, 1);
    let mut book = open_workbook_auto(&out).expect("open xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows[0][1], Data::String("claim_id".into()));
    assert_eq!(rows[1][1], Data::String("T-001".into()));
    assert_eq!(rows[1][5], Data::Float(60_000.0));
    assert!(!t.dir.path().join("지급.partial").exists(), "no temporary file left behind");
}

/// A payout written and not yet confirmed is still there after the store is
/// closed and opened again (the app's Batches screen and `claimdesk payout
/// list` show it), and once confirmed the list says who confirmed it.
#[test]
fn a_pending_payout_is_listed_after_a_restart() {
    let mut t = approved_cash_claim();
    let (park, admin) = (t.park.clone(), t.admin.clone());
    assert!(t.store.payouts(&admin).expect("list").is_empty());
    let export = t.store.export_payout(&admin, &t.dir.path().join("지급.csv")).expect("export");
    assert_eq!(t.store.payouts(&park).expect_err("a supervisor").code(), "ROLE_NOT_ALLOWED");

    t.reopen();
    let store = &mut t.store;
    let rows = store.payouts(&admin).expect("list");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.id, r.status.as_str(), r.claims, r.lines, r.total),
        (export.payout_id, "exported", 1, 1, 60_000)
    );
    assert_eq!(
        (r.created_by.as_str(), r.confirmed_by.as_deref(), r.file.as_str()),
        ("admin", None, export.file.as_str())
    );

    // The reservation's author survives the restart: still refused to them.
    assert_eq!(store.confirm_payout(&admin, r.id).expect_err("own export").code(), "DUAL_CONTROL");
    store.confirm_payout(&t.yoon, r.id).expect("confirm after the restart");
    assert_eq!(store.claim("T-001").expect("claim").status, ClaimStatus::Paid);
    let rows = store.payouts(&admin).expect("list");
    assert_eq!((rows[0].status.as_str(), rows[0].confirmed_by.as_deref()), ("confirmed", Some("yoon")));
    assert!(rows[0].confirmed_at.is_some());
}
