//! Report types and coded reasons through the store (the entry point of the
//! app's commands and of the CLI), and in the fold of ops pulled from the
//! team: a denial or request for information cites a reason code of the
//! policy in force, a non-damage report is closed with a standard reply and
//! never a damage claim, and ops recorded before coded reasons still fold.

mod common;

use claimdesk_core::ops::Stamp;
use claimdesk_core::policy::{ReasonKind, LEGACY_REASON};
use claimdesk_core::workflow::Decision;
use claimdesk_core::{ClaimStatus, ReportType, Role};
use claimdesk_store::queue::QueueFilter;
use claimdesk_sync::protocol::{PulledOp, WireOp};
use common::*;

/// The small file with a report-type column: T-003 an inquiry, T-004 a complaint, T-001 and T-002 damage claims.
fn typed_file() -> String {
    small_file()
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let kind = match i {
                0 => "신고구분",
                3 => "문의",
                4 => "민원",
                _ => "",
            };
            format!("{line},{kind}\n")
        })
        .collect()
}

fn deny(code: Option<&str>) -> Decision {
    Decision::Deny { code: code.map(str::to_string), reason: "통화로 확인함".into() }
}

fn status(t: &Team, id: &str) -> ClaimStatus {
    t.store.claim(id).expect("claim").status
}

#[test]
fn a_denial_or_request_without_a_code_of_the_policy_in_force_is_refused_with_an_audit_entry() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let kim = t.kim.clone();
    t.store.take(&kim, "T-001", None).expect("take");
    let refused_before = t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'");
    for (decision, code) in [
        (deny(Some("MADE_UP")), "UNKNOWN_REASON"),
        (deny(Some("DOCUMENTS_MISSING")), "UNKNOWN_REASON"),
        (deny(None), "REASON_REQUIRED"),
    ] {
        let e = t.store.recommend(&kim, "T-001", None, decision, Some("근거".into())).expect_err("refused");
        assert_eq!(e.code(), code, "{e}");
    }
    let e = t
        .store
        .request_info(&kim, "T-001", None, Some("NO_LOSS_SHOWN"), "", Default::default())
        .expect_err("a denial code");
    assert_eq!(e.code(), "UNKNOWN_REASON");
    let e = t
        .store
        .request_info(&kim, "T-001", None, None, "통장 사본", Default::default())
        .expect_err("no code");
    assert_eq!(e.code(), "REASON_REQUIRED");
    assert_eq!(
        t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'") - refused_before,
        5,
        "each refusal is audited"
    );
    assert_eq!(status(&t, "T-001"), ClaimStatus::InReview, "nothing moved");

    // With a code of the catalog (and a note beside it): the request, then the denial.
    t.store
        .request_info(&kim, "T-001", None, Some("LOSS_PROOF_NEEDED"), "운행 기록도", Default::default())
        .expect("asked");
    let claim = t.store.claim("T-001").expect("claim");
    assert_eq!(
        (claim.status, claim.reason_code.as_deref()),
        (ClaimStatus::NeedsInfo, Some("LOSS_PROOF_NEEDED"))
    );
    let request = claim.notes.last().expect("the request's note");
    assert_eq!((request.code.as_deref(), request.body.as_str()), (Some("LOSS_PROOF_NEEDED"), "운행 기록도"));
    t.store.info_received(&kim, "T-001", None, "받음").expect("received");
    t.store.recommend(&kim, "T-001", None, deny(Some("NO_LOSS_SHOWN")), Some("근거".into())).expect("denied");
    let claim = t.store.claim("T-001").expect("claim");
    assert_eq!(
        (claim.status, claim.reason_code.as_deref()),
        (ClaimStatus::Recommended, Some("NO_LOSS_SHOWN"))
    );
    let cited = claim.recommendation_reason.expect("the entry the op was stamped with");
    assert_eq!((cited.kind, cited.appealable, cited.policy_version), (ReasonKind::Denial, true, Some(1)));
    assert!(cited.ko.contains("피해"), "{}", cited.ko);
}

#[test]
fn the_report_type_comes_from_intake_and_a_bulk_close_closes_only_the_non_damage_reports() {
    let mut t = team();
    let file = t.write("typed.csv", &typed_file());
    t.import(&file);
    let types: Vec<ReportType> = ["T-001", "T-002", "T-003", "T-004"]
        .iter()
        .map(|id| t.store.claim(id).expect("claim").report_type)
        .collect();
    assert_eq!(
        types,
        [ReportType::DamageClaim, ReportType::DamageClaim, ReportType::Inquiry, ReportType::Complaint]
    );
    let only = |types: Vec<ReportType>| QueueFilter { report_types: types, ..Default::default() };
    assert_eq!(
        t.store.queue_ids(&only(vec![ReportType::Inquiry, ReportType::Complaint])).expect("ids"),
        ["T-003", "T-004"]
    );

    // A reviewer takes T-001 (a damage claim) and recommends it; T-002 stays new.
    let kim = t.kim.clone();
    t.store.take(&kim, "T-001", None).expect("take");
    t.store.recommend(&kim, "T-001", None, deny(Some("DUPLICATE")), Some("중복".into())).expect("rec");
    let refused_before = t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'");
    // Over the whole queue: the two non-damage reports close, the rest are reported with why.
    let lee = t.lee.clone();
    let report = t
        .store
        .close_no_damage_where(&lee, &QueueFilter::default(), "INQUIRY_ANSWERED", "전화 안내")
        .expect("bulk");
    assert_eq!(report.applied, 2);
    let mut refused: Vec<(String, String)> =
        report.refused.iter().map(|r| (r.external_id.clone(), r.code.clone())).collect();
    refused.sort();
    assert_eq!(
        refused,
        [("T-001".to_string(), "WRONG_STATE".to_string()), ("T-002".to_string(), "DAMAGE_CLAIM".to_string())]
    );
    assert_eq!(t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'") - refused_before, 2);
    for id in ["T-003", "T-004"] {
        let c = t.store.claim(id).expect("claim");
        assert_eq!(
            (c.status, c.reason_code.as_deref()),
            (ClaimStatus::ClosedNoDamage, Some("INQUIRY_ANSWERED")),
            "{id}"
        );
        assert_eq!(c.notes.last().and_then(|n| n.code.clone()).as_deref(), Some("INQUIRY_ANSWERED"));
    }
    assert_eq!((status(&t, "T-001"), status(&t, "T-002")), (ClaimStatus::Recommended, ClaimStatus::New));
    // Closed already: a second close is refused; an unknown reply too.
    let e = t.store.close_no_damage(&lee, "T-003", None, "INQUIRY_ANSWERED", "").expect_err("closed");
    assert_eq!(e.code(), "WRONG_STATE");
    t.store.set_report_type(&lee, "T-002", None, ReportType::Opinion).expect("retyped");
    let e = t.store.close_no_damage(&lee, "T-002", None, "NO_LOSS_SHOWN", "").expect_err("a denial code");
    assert_eq!(e.code(), "UNKNOWN_REASON");

    // The dashboard counts them apart.
    let stats = t.store.stats().expect("stats");
    let closed = stats.by_status.iter().find(|g| g.key == "closed_no_damage").map(|g| g.claims);
    assert_eq!(closed, Some(2));
    let by_type: Vec<(String, u64)> =
        stats.by_report_type.iter().map(|g| (g.key.clone(), g.claims)).collect();
    assert!(
        by_type.contains(&("damage_claim".into(), 1)) && by_type.contains(&("opinion".into(), 1)),
        "{by_type:?}"
    );
    let reasons: Vec<(ReasonKind, String, u64)> =
        stats.by_reason.iter().map(|r| (r.kind, r.code.clone(), r.claims)).collect();
    assert_eq!(
        reasons,
        [(ReasonKind::Closure, "INQUIRY_ANSWERED".into(), 2), (ReasonKind::Denial, "DUPLICATE".into(), 1)]
    );
}

#[test]
fn a_reviewer_may_not_reopen_a_closed_report_and_a_supervisor_reopens_it_as_a_damage_claim() {
    let mut t = team();
    let file = t.write("typed.csv", &typed_file());
    t.import(&file);
    let kim = t.kim.clone();
    t.store.close_no_damage(&kim, "T-003", None, "INQUIRY_ANSWERED", "").expect("closed");
    let before = t.store.claim("T-003").expect("claim").version;
    let e = t.store.reopen(&kim, "T-003", None).expect_err("reviewer");
    assert_eq!(e.code(), "ROLE_NOT_ALLOWED");
    let e = t.store.set_report_type(&kim, "T-003", None, ReportType::DamageClaim).expect_err("closed");
    assert_eq!(e.code(), "WRONG_STATE");
    assert_eq!(
        t.count("SELECT count(*) FROM ops WHERE outcome = 'refused' AND kind IN ('claim.reopen', 'claim.set_report_type')"),
        2,
        "the refusals are on the audit trail"
    );
    assert_eq!(t.store.claim("T-003").expect("claim").version, before);
    let park = t.park.clone();
    t.store.reopen(&park, "T-003", None).expect("reopened");
    let c = t.store.claim("T-003").expect("claim");
    assert_eq!((c.status, c.report_type, c.assignee), (ClaimStatus::Triaged, ReportType::DamageClaim, None));
    // Every change of type is an op on the claim's history.
    let kinds: Vec<String> =
        t.store.timeline("T-003").expect("timeline").into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "claim.reopen").count(), 2, "{kinds:?}");
}

/// An op of the team as the server sends it (stamped with the author's role, and `cited`).
fn pulled(
    seq: i64,
    op_id: &str,
    hlc: i64,
    kind: &str,
    payload: serde_json::Value,
    base: i64,
    cited: Option<claimdesk_core::policy::CitedReason>,
) -> PulledOp {
    PulledOp {
        seq,
        op: WireOp {
            op_id: op_id.into(),
            hlc,
            user: "lee".into(),
            device: "other-desk".into(),
            entity: "claim:T-001".into(),
            kind: kind.into(),
            payload,
            base: Some(base),
            at_ms: 1_666_000_000_000,
        },
        stamp: Some(Stamp { cited, ..Stamp::of_role(Role::Reviewer, None) }),
    }
}

#[test]
fn another_desks_denial_folds_only_with_a_code_of_the_catalog_and_a_free_text_one_of_before_still_folds() {
    let hlc = |n: i64| (1_666_000_000_000 + n) << 16;
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let take = pulled(
        1,
        "018f0000-0000-7000-8000-000000000001",
        hlc(1),
        "claim.take",
        serde_json::json!({}),
        0,
        None,
    );
    // A denial with a code no policy has, stamped without an entry (written into the server by hand): refused here.
    let forged = pulled(
        2,
        "018f0000-0000-7000-8000-000000000002",
        hlc(2),
        "claim.recommend",
        serde_json::json!({"decision": {"decision": "deny", "code": "MADE_UP"}, "justification": "x"}),
        1,
        None,
    );
    t.store.apply_remote(&[take, forged], Some(2)).expect("applied");
    let c = t.store.claim("T-001").expect("claim");
    assert_eq!((c.status, c.recommendation.is_none()), (ClaimStatus::InReview, true));
    assert_eq!(
        t.count("SELECT count(*) FROM fold_refusals WHERE code = 'UNKNOWN_REASON' AND op_id = '018f0000-0000-7000-8000-000000000002'"),
        1,
        "the refusal is kept, visible"
    );
    // A denial recorded before coded reasons (free text only) folds, counted as LEGACY.
    let legacy = pulled(
        3,
        "018f0000-0000-7000-8000-000000000003",
        hlc(3),
        "claim.recommend",
        serde_json::json!({"decision": {"decision": "deny", "reason": "피해 사실 없음"}, "justification": "x"}),
        1,
        None,
    );
    t.store.apply_remote(&[legacy], Some(3)).expect("applied");
    let c = t.store.claim("T-001").expect("claim");
    assert_eq!((c.status, c.reason_code.as_deref()), (ClaimStatus::Recommended, Some(LEGACY_REASON)));
    // And the state is the fold of its ops: folded again from the log, the same.
    let before = t.store.folded_state("T-001").expect("state");
    t.store.refold_all().expect("refold");
    assert_eq!(t.store.folded_state("T-001").expect("state"), before);
}
