use super::*;
use claimdesk_core::workflow::PolicyProposal;
use claimdesk_core::{Remedy, Role};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// The role of each test user, as the server would stamp it.
fn role_of(user: &str) -> Role {
    match user {
        "sam" | "sue" | "sid" => Role::Supervisor,
        "root" | "ada" => Role::Admin,
        _ => Role::Reviewer,
    }
}

fn stamp_of(user: &str) -> Stamp {
    let limit = match user {
        "sid" => Some(10_000),
        _ => None,
    };
    Stamp { role: role_of(user), approval_limit: limit, proposal: None, cited: None }
}

/// An op in its wire form, read the way every replica reads it (payload
/// fields beyond the command's are ignored).
fn op(id: &str, hlc: i64, device: &str, user: &str, kind: &str, base: Option<i64>, payload: Value) -> FoldOp {
    match try_op(id, hlc, device, user, kind, base, payload) {
        Ok(Some(op)) => op,
        other => panic!("{kind}: {other:?}"),
    }
}

fn try_op(
    id: &str,
    hlc: i64,
    device: &str,
    user: &str,
    kind: &str,
    base: Option<i64>,
    payload: Value,
) -> Result<Option<FoldOp>, OpError> {
    let wire = crate::protocol::WireOp {
        op_id: id.into(),
        hlc,
        user: user.into(),
        device: device.into(),
        entity: "claim:C-1".into(),
        kind: format!("claim.{kind}"),
        payload,
        base,
        at_ms: hlc,
    };
    FoldOp::from_wire(&wire, stamp_of(user))
}

fn take(id: &str, hlc: i64, device: &str, user: &str, base: i64, _from: &str) -> FoldOp {
    // The result fields a v1 client wrote are ignored: the fold decides.
    op(id, hlc, device, user, "take", Some(base), json!({"to": "in_review", "assignee": user}))
}

fn recommend(id: &str, hlc: i64, device: &str, user: &str, base: i64, amount: i64) -> FoldOp {
    op(
        id,
        hlc,
        device,
        user,
        "recommend",
        Some(base),
        json!({"decision": {"decision": "approve", "remedy": "cash", "amount": amount.to_string(), "extension_days": 0},
               "justification": "j"}),
    )
}

fn with_proposal(mut op: FoldOp, amount: i64) -> FoldOp {
    op.stamp.proposal = Some(PolicyProposal {
        eligible: true,
        remedy: Remedy::Cash,
        amount: Decimal::from(amount),
        extension_days: 0,
        grants: Vec::new(),
    });
    op
}

fn start() -> ClaimState {
    ClaimState::imported(Category::FreeUser)
}

/// take (alice) → recommend 1,000 (alice) → batch (sam): a batched claim.
fn batched() -> Vec<FoldOp> {
    vec![
        take("t", 1, "a", "alice", 0, "new"),
        recommend("r", 2, "a", "alice", 1, 1000),
        op("b", 3, "s", "sam", "add_to_batch", Some(2), json!({"batch_id": "B"})),
    ]
}

#[test]
fn scalar_fields_last_writer_wins_per_field_with_ties_by_device() {
    let a = op("a", 10, "dev-a", "u", "annotate", None, json!({"priority": "high", "tags": null}));
    let b = op("b", 10, "dev-b", "u", "annotate", None, json!({"priority": "low", "tags": ["x"]}));
    let c = op("c", 5, "dev-c", "u", "annotate", None, json!({"priority": "urgent", "tags": ["late"]}));
    for order in [
        vec![a.clone(), b.clone(), c.clone()],
        vec![c.clone(), b.clone(), a.clone()],
        vec![b.clone(), a.clone(), c.clone()],
    ] {
        let mut ops = order;
        let s = fold(start(), &mut ops);
        // Same stamp: dev-b sorts after dev-a and wins the priority; c is older.
        assert_eq!(s.priority, Priority::Low);
        assert_eq!(s.tags, vec!["x".to_string()]);
        assert_eq!(s.version, 4);
    }
    // A field an op does not mention is left to the others.
    let d = op("d", 20, "dev-a", "u", "annotate", None, json!({"priority": null, "tags": ["new"]}));
    let s = fold(start(), &mut [a, b, d]);
    assert_eq!(s.priority, Priority::Low);
    assert_eq!(s.tags, vec!["new".to_string()]);
}

#[test]
fn annotating_on_one_side_and_recommending_on_the_other_merge_without_conflict() {
    let t = take("t", 1, "a", "alice", 0, "new");
    let r = recommend("r", 5, "a", "alice", 1, 1000);
    let n = op("n", 4, "s", "sam", "annotate", Some(1), json!({"tags": ["vip"]}));
    let s = fold(start(), &mut [r, n, t]);
    assert_eq!(s.status, ClaimStatus::Recommended);
    assert_eq!(s.tags, vec!["vip".to_string()]);
    assert!(s.conflicts.is_empty());
    assert_eq!(s.decisions, 2);
}

#[test]
fn identical_decisions_on_the_same_base_are_a_parallel_update() {
    let a = op("a", 1, "dev-a", "alice", "triage", Some(0), json!({"priority": "high"}));
    let b = op("b", 2, "dev-b", "bob", "triage", Some(0), json!({"tags": ["t"]}));
    let s = fold(start(), &mut [b, a]);
    assert_eq!(s.status, ClaimStatus::Triaged);
    assert!(s.conflicts.is_empty());
    assert_eq!(s.parallel, vec!["b".to_string()]);
    assert_eq!(s.decisions, 1);
    // Both triages' fields were taken.
    assert_eq!(s.priority, Priority::High);
    assert_eq!(s.tags, vec!["t".to_string()]);
    assert_eq!(s.verdict_of("b"), Verdict::Parallel);
}

#[test]
fn different_decisions_on_the_same_base_are_one_conflict_whatever_the_order() {
    let a = take("a", 1, "dev-a", "alice", 0, "new");
    let b = take("b", 2, "dev-b", "bob", 0, "new");
    // Alice went on offline; her later decisions join the conflict.
    let a2 = recommend("a2", 3, "dev-a", "alice", 1, 5000);
    let c = take("c", 2, "dev-c", "carol", 0, "new");
    let mut first = None;
    for mut ops in
        [vec![a.clone(), b.clone(), a2.clone(), c.clone()], vec![c.clone(), a2.clone(), b.clone(), a.clone()]]
    {
        let s = fold(start(), &mut ops);
        assert_eq!(s.status, ClaimStatus::Conflict);
        assert_eq!(s.conflicts.len(), 1, "one conflict per divergent group");
        let rec = &s.conflicts[0];
        assert_eq!(rec.base, 0);
        assert_eq!(rec.ops, vec!["a".to_string(), "b".to_string(), "c".to_string()]);
        assert_eq!(rec.joined, vec!["a2".to_string()]);
        assert_eq!(s.verdict_of("b"), Verdict::Conflict);
        assert_eq!(s.verdict_of("a2"), Verdict::Joined);
        if let Some(f) = &first {
            assert_eq!(f, &s);
        }
        first = Some(s);
    }
    // A supervisor resolves on the count after the conflicting ops; the claim
    // leaves the conflict with the holder the applied take gave it (the
    // payload's wish for "bob" is not a rule).
    let r = op(
        "r",
        10,
        "dev-s",
        "sam",
        "resolve_conflict",
        Some(1),
        json!({"to": "in_review", "assignee": "bob", "note": "alice keeps it"}),
    );
    let s = fold(start(), &mut [a.clone(), b.clone(), a2.clone(), c.clone(), r]);
    assert_eq!(s.status, ClaimStatus::InReview);
    assert_eq!(s.assignee.as_deref(), Some("alice"));
    assert_eq!(s.conflicts[0].resolved_by.as_deref(), Some("r"));
    assert_eq!(s.notes.len(), 1);
    // A reviewer cannot resolve a conflict.
    let forged = op("x", 10, "dev-b", "bob", "resolve_conflict", Some(1), json!({"to": "recommended"}));
    let s = fold(start(), &mut [a, b, a2, c, forged]);
    assert_eq!(s.status, ClaimStatus::Conflict);
    assert_eq!(s.refused[0].code, "ROLE_NOT_ALLOWED");
}

#[test]
fn an_approval_of_a_superseded_recommendation_is_refused_for_that_claim() {
    let t = take("t", 1, "a", "alice", 0, "new");
    let r1 = recommend("r1", 2, "a", "alice", 1, 1000);
    let batch = op("b", 3, "s", "sam", "add_to_batch", Some(2), json!({"batch_id": "B"}));
    let ret = op("ret", 4, "s", "sam", "return_to_reviewer", Some(3), json!({"comment": "check"}));
    let r2 = recommend("r2", 5, "a", "alice", 4, 2000);
    let b2 = op("b2", 6, "s", "sam", "add_to_batch", Some(5), json!({"batch_id": "B"}));
    // An approval made on a copy that still showed r1.
    let appr = op("ap", 7, "s2", "sue", "approve", Some(6), json!({"recommendation_op": "r1"}));
    let s =
        fold(start(), &mut [t.clone(), r1.clone(), batch.clone(), ret.clone(), r2.clone(), b2.clone(), appr]);
    assert_eq!(s.status, ClaimStatus::Batched);
    assert_eq!(s.refused.len(), 1);
    assert_eq!(s.refused[0].code, "RECOMMENDATION_SUPERSEDED");
    let ok = op("ok", 8, "s2", "sue", "approve", Some(6), json!({"recommendation_op": "r2"}));
    let s = fold(start(), &mut [t, r1, batch, ret, r2, b2, ok]);
    assert_eq!(s.status, ClaimStatus::Approved);
    assert!(s.refused.is_empty());
}

#[test]
fn a_withdrawn_note_is_hidden_never_removed() {
    let n = op("n", 1, "a", "alice", "add_note", None, json!({"body": "call back"}));
    let w = op("w", 2, "a", "alice", "withdraw_note", None, json!({"note_op": "n"}));
    let s = fold(start(), &mut [w, n.clone(), n.clone()]);
    assert_eq!(s.notes.len(), 1);
    assert_eq!(s.notes[0].hidden_by.as_deref(), Some("w"));
    assert_eq!(s.version, 1, "notes do not bump the version");
    // Only its author withdraws a note.
    let other = op("w2", 2, "b", "bob", "withdraw_note", None, json!({"note_op": "n"}));
    let s = fold(start(), &mut [n, other]);
    assert_eq!(s.notes[0].hidden_by, None);
    assert_eq!(s.refused[0].code, "NOT_NOTE_AUTHOR");
}

#[test]
fn applying_an_op_twice_changes_nothing_but_the_version() {
    // The store never folds an op id twice (the log is keyed by op id); the
    // append-only parts are idempotent on their own.
    let n = op("n", 1, "a", "alice", "add_note", None, json!({"body": "x"}));
    let once = fold(start(), &mut [n.clone()]);
    let twice = fold(start(), &mut [n.clone(), n]);
    assert_eq!(once, twice);
}

#[test]
fn leases_are_scalar_and_released_only_by_their_holder() {
    // The holder is the author, whatever the payload says.
    let l = op("l", 1, "a", "alice", "lease", None, json!({"holder": "mallory"}));
    let other = op("x", 2, "b", "bob", "release_lease", None, json!({}));
    let s = fold(start(), &mut [l.clone(), other]);
    assert_eq!(s.lease_holder.as_deref(), Some("alice"));
    let own = op("y", 3, "a", "alice", "release_lease", None, json!({}));
    let s = fold(start(), &mut [l, own]);
    assert_eq!(s.lease_holder, None);
}

// ---- the fold decides: what an op says about its own result counts for nothing ----

#[test]
fn a_reviewers_recommendation_that_says_approved_is_a_recommendation() {
    // The attack of the last review: "approved, 50,000,000 won" from a reviewer's token.
    let t = take("t", 1, "a", "lee", 0, "new");
    let forged = op(
        "r",
        2,
        "a",
        "lee",
        "recommend",
        Some(1),
        json!({"to": "approved", "assignee": null, "by": "kim", "op_id": "other", "is_override": false,
               "decision": {"decision": "approve", "remedy": "cash", "amount": "50000000", "extension_days": 0}}),
    );
    let s = fold(start(), &mut [t, forged.clone()]);
    // No policy result was stamped: any amount is an override, and it has no justification.
    assert_eq!(s.status, ClaimStatus::InReview);
    assert_eq!(s.refused[0].code, "OVERRIDE_NEEDS_JUSTIFICATION");
    // With the policy's result stamped as exactly that amount it is a plain recommendation, by lee, not approved.
    let t = take("t", 1, "a", "lee", 0, "new");
    let s = fold(start(), &mut [t, with_proposal(forged, 50_000_000)]);
    assert_eq!(s.status, ClaimStatus::Recommended);
    let rec = s.recommendation.as_ref().map(|r| (r.by.as_str(), r.op_id.as_str(), r.is_override));
    assert_eq!(rec, Some(("lee", "r", false)));
}

#[test]
fn results_in_payloads_do_not_move_a_claim() {
    for (kind, payload) in [
        ("take", json!({"to": "paid"})),
        ("take", json!({"to": "closed_denied", "assignee": "kim"})),
        ("release", json!({"to": "approved"})),
        ("annotate", json!({"to": "approved", "tags": ["x"]})),
        ("add_note", json!({"to": "paid", "body": "hi"})),
    ] {
        let s = fold(start(), &mut [op("x", 1, "a", "lee", kind, None, payload.clone())]);
        assert!(
            !matches!(s.status, ClaimStatus::Approved | ClaimStatus::Paid | ClaimStatus::ClosedDenied),
            "{kind} {payload}: {:?}",
            s.status
        );
        if kind == "take" {
            assert_eq!((s.status, s.assignee.as_deref()), (ClaimStatus::InReview, Some("lee")));
        }
    }
}

#[test]
fn approvals_keep_maker_checker_limits_and_roles() {
    let approve =
        |id: &str, user: &str| op(id, 10, user, user, "approve", Some(3), json!({"recommendation_op": "r"}));
    // A reviewer, the recommender (a supervisor here), a supervisor over their limit: refused.
    let mut ops = batched();
    ops[0] = take("t", 1, "a", "sam", 0, "new");
    ops[1] = recommend("r", 2, "a", "sam", 1, 50_000);
    for (who, code) in [("lee", "ROLE_NOT_ALLOWED"), ("sam", "MAKER_CHECKER"), ("sid", "OVER_APPROVAL_LIMIT")]
    {
        let mut all = ops.clone();
        all.push(approve("ap", who));
        let s = fold(start(), &mut all);
        assert_eq!(s.status, ClaimStatus::Batched, "{who}");
        assert_eq!(s.refused.first().map(|r| r.code.as_str()), Some(code), "{who}");
    }
    let mut all = ops.clone();
    all.push(approve("ap", "sue"));
    let s = fold(start(), &mut all);
    assert_eq!(s.status, ClaimStatus::Approved);
}

#[test]
fn a_claim_is_paid_only_through_its_reservation() {
    let mut ops = batched();
    ops.push(op("ap", 4, "s2", "sue", "approve", Some(3), json!({"recommendation_op": "r"})));
    // Unreserved: refused.
    let mut direct = ops.clone();
    direct.push(op("pay", 5, "x", "root", "mark_paid", Some(4), json!({"payout_id": "P1"})));
    let s = fold(start(), &mut direct);
    assert_eq!((s.status, s.refused[0].code.as_str()), (ClaimStatus::Approved, "NOT_RESERVED"));
    // Reserved for P1, a second reservation (P2) is refused, P2's payment too, P1's goes through.
    let mut reserved = ops.clone();
    reserved.push(op("res1", 5, "x", "root", "reserve_payout", Some(4), json!({"payout_id": "P1"})));
    reserved.push(op("res2", 6, "y", "ada", "reserve_payout", Some(5), json!({"payout_id": "P2"})));
    reserved.push(op("pay2", 7, "y", "ada", "mark_paid", Some(5), json!({"payout_id": "P2"})));
    // Dual control: root reserved it (exported the file), so root's confirmation is refused.
    reserved.push(op("own", 8, "x", "root", "mark_paid", Some(5), json!({"payout_id": "P1"})));
    reserved.push(op("pay1", 9, "y", "ada", "mark_paid", Some(5), json!({"payout_id": "P1"})));
    let s = fold(start(), &mut reserved);
    assert_eq!(s.status, ClaimStatus::Paid);
    assert!(s.verdict_of("res2").is_refused());
    assert!(s.verdict_of("pay2").is_refused());
    assert!(matches!(s.verdict_of("own"), Verdict::Refused { code, .. } if code == "DUAL_CONTROL"));
    assert_eq!(s.verdict_of("pay1"), Verdict::Applied);
    // Two reservations made on the same base (two offline desktops) collide: a conflict, nobody paid.
    let mut offline = ops;
    offline.push(op("o1", 5, "x", "root", "reserve_payout", Some(4), json!({"payout_id": "P1"})));
    offline.push(op("o2", 5, "y", "ada", "reserve_payout", Some(4), json!({"payout_id": "P2"})));
    offline.push(op("op1", 6, "y", "ada", "mark_paid", Some(5), json!({"payout_id": "P1"})));
    let s = fold(start(), &mut offline);
    assert_eq!(s.status, ClaimStatus::Conflict);
    assert_ne!(s.verdict_of("op1"), Verdict::Applied);
}

impl Verdict {
    fn is_refused(&self) -> bool {
        matches!(self, Verdict::Refused { .. })
    }
}

#[test]
fn a_late_op_is_decided_against_what_its_author_saw() {
    // Alice held the claim; sam took it over (base 1) while alice, offline,
    // still tagged it on what she saw (base 1, stamped later).
    let t = take("t", 1, "a", "alice", 0, "new");
    let over = take("o", 3, "s", "sam", 1, "in_review");
    let offline = op("n", 4, "a", "alice", "annotate", Some(1), json!({"tags": ["현장"]}));
    let s = fold(start(), &mut [t.clone(), over.clone(), offline]);
    assert_eq!(s.tags, vec!["현장".to_string()], "alice held the claim when she tagged it");
    assert_eq!(s.assignee.as_deref(), Some("sam"));
    // The same tag from alice after she saw sam's take-over (base 2) is refused.
    let late = op("n2", 4, "a", "alice", "annotate", Some(2), json!({"tags": ["x"]}));
    let s = fold(start(), &mut [t, over, late]);
    assert_eq!(s.refused[0].code, "HELD_BY_OTHER");
}

fn notify(id: &str, hlc: i64, device: &str, user: &str, base: i64, resend: bool) -> FoldOp {
    op(
        id,
        hlc,
        device,
        user,
        "notify",
        Some(base),
        json!({"channels": ["pdf", "email"], "lang": "en", "resend": resend}),
    )
}

#[test]
fn a_decision_notice_is_sent_once_whichever_desktop_sends_it() {
    let mut ops = batched();
    ops.push(op("ap", 4, "s2", "sue", "approve", Some(3), json!({"recommendation_op": "r"})));
    let approved = fold(start(), &mut ops.clone());
    assert_eq!(approved.notice_due(), Some(LetterKind::Approved));
    // Two supervisors' desktops export the notices offline on the same state: one notice stands.
    let mut twice = ops.clone();
    twice.push(notify("n1", 5, "x", "sam", 4, false));
    twice.push(notify("n2", 5, "y", "sue", 4, false));
    let s = fold(start(), &mut twice);
    assert_eq!(s.notices.len(), 1);
    assert_eq!((s.notices[0].kind, s.notices[0].lang), (LetterKind::Approved, Lang::En));
    assert_eq!(s.notice_due(), None);
    assert_eq!(s.refused.len(), 1);
    assert_eq!(s.refused[0].code, "ALREADY_NOTIFIED");
    // A reviewer's notice is refused on every desktop; a resend by a supervisor is a second notice.
    let mut more = twice.clone();
    more.push(notify("n3", 6, "a", "alice", 4, false));
    more.push(notify("n4", 7, "x", "sam", 4, true));
    let s = fold(start(), &mut more);
    assert!(
        matches!(s.verdict_of("n3"), Verdict::Refused { code, .. } if code == "ROLE_NOT_ALLOWED"),
        "a reviewer's notice: {:?}",
        s.verdict_of("n3")
    );
    assert_eq!(s.notices.iter().map(|n| n.op_id.as_str()).collect::<Vec<_>>(), ["n1", "n4"]);
    // Paid after the approval notice: the claim owes no second one.
    let mut paid = twice;
    paid.push(op("res", 6, "x", "root", "reserve_payout", Some(4), json!({"payout_id": "P1"})));
    paid.push(op("pay", 7, "y", "ada", "mark_paid", Some(5), json!({"payout_id": "P1"})));
    let s = fold(start(), &mut paid);
    assert_eq!((s.status, s.notice_due()), (ClaimStatus::Paid, None));
    // A claim nothing was decided on owes nothing, and a notice on it is refused.
    let s = fold(start(), &mut [notify("early", 1, "x", "sam", 0, false)]);
    assert_eq!((s.notice_due(), s.refused[0].code.as_str()), (None, "WRONG_STATE"));
}

#[test]
fn a_second_request_for_information_owes_a_second_notice() {
    let ask = |id: &str, hlc: i64, base: i64| {
        op(id, hlc, "a", "alice", "request_info", Some(base), json!({"message": "매출 증빙"}))
    };
    let mut ops =
        vec![take("t", 1, "a", "alice", 0, "new"), ask("q1", 2, 1), notify("n1", 3, "s", "sam", 2, false)];
    let s = fold(start(), &mut ops.clone());
    assert_eq!((s.status, s.notice_due()), (ClaimStatus::NeedsInfo, None));
    ops.push(op("got", 4, "a", "alice", "info_received", Some(2), json!({"note": ""})));
    // One request per claim: the reviewer's second is refused; a supervisor takes it over and sends another.
    ops.push(ask("q2", 5, 3));
    let s = fold(start(), &mut ops.clone());
    assert_eq!(s.refused.last().map(|r| (r.op_id.as_str(), r.code.as_str())), Some(("q2", "SECOND_REQUEST")));
    ops.push(take("t2", 6, "s", "sam", 3, "in_review"));
    ops.push(op(
        "q3",
        7,
        "s",
        "sam",
        "request_info",
        Some(4),
        json!({"message": "사업자등록증", "another": true}),
    ));
    let s = fold(start(), &mut ops);
    assert_eq!(s.status, ClaimStatus::NeedsInfo);
    assert_eq!(s.notice_due(), Some(LetterKind::NeedsInfo), "the first notice was of the first request");
}

/// A clock stamp at noon (KST) of a day.
fn noon(y: i32, m: u32, d: u32) -> i64 {
    let t = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(3, 0, 0))
        .expect("a day")
        .and_utc()
        .timestamp_millis();
    t << 16
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a day")
}

/// alice's request for information of 30 Jan, cited under the default 30+3 window.
fn asked_on_30_jan(payload: Value) -> FoldOp {
    cited(op("q", noon(2023, 1, 30), "a", "alice", "request_info", Some(1), payload))
}

/// take (alice, 20 Jan) → request (alice, 30 Jan).
fn waiting_for_documents() -> Vec<FoldOp> {
    vec![
        take("t", noon(2023, 1, 20), "a", "alice", 0, "new"),
        asked_on_30_jan(json!({"code": "DOCUMENTS_MISSING", "message": "통장 사본"})),
    ]
}

fn expire(id: &str, hlc: i64, base: i64) -> FoldOp {
    cited(op(id, hlc, "s", "sam", "expire", Some(base), json!({"note": "기한 경과"})))
}

#[test]
fn a_request_is_due_from_its_own_day_and_window_and_expires_only_after_it() {
    let s = fold(start(), &mut waiting_for_documents());
    let r = s.open_request().expect("waiting");
    assert_eq!((r.requested_on, r.due_on), (day(2023, 1, 30), day(2023, 3, 4)));
    // An expiry stamped on the due day is refused with the date; the day after, it closes the claim.
    let mut early = waiting_for_documents();
    early.push(expire("x", noon(2023, 3, 4), 2));
    let s = fold(start(), &mut early);
    assert_eq!((s.status, s.refused[0].code.as_str()), (ClaimStatus::NeedsInfo, "NOT_DUE"));
    assert!(s.refused[0].reason.contains("2023-03-04"), "{}", s.refused[0].reason);
    let mut late = waiting_for_documents();
    late.push(expire("x", noon(2023, 3, 5), 2));
    let s = fold(start(), &mut late);
    assert_eq!((s.status, s.assignee.as_deref()), (ClaimStatus::ClosedDenied, None));
    assert_eq!(s.expired_by.as_deref(), Some("x"));
    assert_eq!(
        s.notes.last().map(|n| (n.kind, n.code.as_deref())),
        Some((NoteKind::Expiry, Some("NOT_CURED")))
    );
    assert_eq!(s.notice_due(), Some(LetterKind::Denied), "the claimant is told of the closure");
    // A reviewer's expiry, or one whose stamp does not cite NOT_CURED, is refused on every replica.
    let mut forged = waiting_for_documents();
    forged.push(cited(op("y", noon(2023, 3, 9), "a", "alice", "expire", Some(2), json!({}))));
    let mut uncited = waiting_for_documents();
    uncited.push(op("z", noon(2023, 3, 9), "s", "sam", "expire", Some(2), json!({})));
    for (mut ops, code) in [(forged, "ROLE_NOT_ALLOWED"), (uncited, "UNKNOWN_REASON")] {
        let s = fold(start(), &mut ops);
        assert_eq!((s.status, s.refused[0].code.as_str()), (ClaimStatus::NeedsInfo, code));
    }
}

#[test]
fn a_given_due_date_and_the_windows_extension_move_the_expiry() {
    // A request giving its own due date (20 Feb) expires from 21 Feb.
    let mut given = waiting_for_documents();
    given[1] = asked_on_30_jan(json!({"code": "DOCUMENTS_MISSING", "message": "", "due_on": "2023-02-20"}));
    given.push(expire("x", noon(2023, 2, 21), 2));
    assert_eq!(fold(start(), &mut given).status, ClaimStatus::ClosedDenied);
    // The window extended to 14 Mar in the policy in force when the expiry is stamped.
    let extended = |mut op: FoldOp| {
        if let Some(c) = op.stamp.cited.as_mut() {
            c.cure = Some(claimdesk_core::policy::CureWindow {
                extended_until: Some(day(2023, 3, 14)),
                ..Default::default()
            });
        }
        op
    };
    let mut ops = waiting_for_documents();
    ops.push(extended(expire("x", noon(2023, 3, 10), 2)));
    let s = fold(start(), &mut ops);
    assert_eq!(s.refused[0].code, "NOT_DUE");
    assert!(s.refused[0].reason.contains("2023-03-14"), "{}", s.refused[0].reason);
    let mut ops = waiting_for_documents();
    ops.push(extended(expire("x", noon(2023, 3, 15), 2)));
    assert_eq!(fold(start(), &mut ops).status, ClaimStatus::ClosedDenied);
}

#[test]
fn document_ticks_are_a_set_per_code_in_key_order() {
    let tick = |id: &str, hlc: i64, code: &str, received: bool| {
        op(id, hlc, "a", "alice", "check_document", None, json!({"document": code, "received": received}))
    };
    let mut ops = waiting_for_documents();
    ops.push(tick("d1", noon(2023, 2, 1), "BANK_ACCOUNT_COPY", true));
    ops.push(tick("d2", noon(2023, 2, 2), "SMALL_BUSINESS_CERT", true));
    ops.push(tick("d3", noon(2023, 2, 3), "BANK_ACCOUNT_COPY", false));
    ops.push(tick("d4", noon(2023, 2, 4), "SMALL_BUSINESS_CERT", true));
    let s = fold(start(), &mut ops);
    assert_eq!(s.documents, vec!["SMALL_BUSINESS_CERT".to_string()]);
    assert_eq!(s.status, ClaimStatus::NeedsInfo, "a tick moves nothing");
    // Another reviewer keeps off a claim alice holds.
    let mut ops = waiting_for_documents();
    ops.push(op(
        "d5",
        noon(2023, 2, 5),
        "b",
        "bob",
        "check_document",
        None,
        json!({"document": "BANK_ACCOUNT_COPY"}),
    ));
    let s = fold(start(), &mut ops);
    assert_eq!((s.documents.len(), s.refused[0].code.as_str()), (0, "HELD_BY_OTHER"));
}

// ---- property: nothing reaches approved, paid or closed_denied except by the rules' path ----

const USERS: [&str; 6] = ["lee", "kim", "sam", "sue", "sid", "root"];

fn arb_payload() -> impl Strategy<Value = Value> {
    let user = proptest::sample::select(USERS.to_vec());
    let status = proptest::sample::select(ClaimStatus::ALL.to_vec());
    (
        proptest::option::of(status),
        proptest::option::of(user.clone()),
        proptest::option::of(user),
        any::<bool>(),
        proptest::option::of(prop_oneof![Just("r-0".to_string()), Just("r-1".to_string()), Just("r-2".to_string())]),
        prop_oneof![Just(1_000i64), Just(50_000), Just(50_000_000)],
        any::<bool>(),
        prop_oneof![Just("P1"), Just("P2")],
    )
        .prop_map(|(to, assignee, by, is_override, rec, amount, deny, payout)| {
            let decision = if deny {
                json!({"decision": "deny", "reason": "중복"})
            } else {
                json!({"decision": "approve", "remedy": "cash", "amount": amount.to_string(), "extension_days": 0})
            };
            let mut payload = json!({
                "to": to, "assignee": assignee, "by": by, "is_override": is_override, "op_id": rec,
                "recommendation_op": rec, "decision": decision, "justification": if is_override { Value::Null } else { json!("사유") },
                "batch_id": "B", "comment": "다시", "message": "서류", "payout_id": payout, "body": "메모", "note": "",
                "fulfilment_id": payout.replace('P', "F"),
                "tags": ["t"], "priority": "high",
            });
            // A field a payload lacks is absent, not null (an unreadable op is parked before any fold).
            if let Value::Object(map) = &mut payload {
                map.retain(|_, v| !v.is_null());
            }
            payload
        })
}

type RawOp = (String, String, Option<i64>, Value, bool, usize);

fn arb_op() -> impl Strategy<Value = RawOp> {
    // The happy path's kinds come often, so that walks reach approval and payment.
    let kind = prop_oneof![
        4 => Just("take"), 1 => Just("release"), 1 => Just("triage"), 1 => Just("request_info"),
        1 => Just("info_received"), 4 => Just("recommend"), 4 => Just("add_to_batch"), 1 => Just("remove_from_batch"),
        1 => Just("return_to_reviewer"), 4 => Just("approve"), 3 => Just("reserve_payout"), 1 => Just("release_payout"),
        3 => Just("mark_paid"), 1 => Just("resolve_conflict"), 1 => Just("annotate"), 1 => Just("add_note"),
        2 => Just("reserve_fulfilment"), 1 => Just("release_fulfilment"), 2 => Just("mark_fulfilled"),
    ];
    (
        kind,
        proptest::sample::select(["lee", "kim", "sam", "sue", "sid", "root", "ada"].to_vec()),
        // Mostly made on the current state; sometimes on an older or a made-up one.
        prop_oneof![9 => Just(None), 1 => (0i64..8).prop_map(Some)],
        arb_payload(),
        any::<bool>(),
        any::<usize>(),
    )
        .prop_map(|(k, u, b, p, stamped, pick)| (k.to_string(), u.to_string(), b, p, stamped, pick))
}

/// Every applied move into approved, paid or closed_denied went the rules' way.
fn check_path(state: &ClaimState, ops: &[FoldOp]) -> Result<(), TestCaseError> {
    for (k, applied) in state.history.iter().enumerate() {
        let op =
            ops.iter().find(|o| o.op_id == applied.op_id).ok_or_else(|| TestCaseError::fail("unknown op"))?;
        let before = &state.before(k);
        match applied.outcome.to {
            ClaimStatus::Approved if before.status != ClaimStatus::Approved => {
                let ClaimCommand::Approve { recommendation_op } = &op.cmd else {
                    return Err(TestCaseError::fail(format!("approved by {:?}", op.cmd)));
                };
                let rec = before
                    .recommendation
                    .as_ref()
                    .ok_or_else(|| TestCaseError::fail("approved without recommendation"))?;
                prop_assert!(
                    matches!(op.stamp.role, Role::Supervisor | Role::Admin),
                    "approved by a {:?}",
                    op.stamp.role
                );
                prop_assert_ne!(&rec.by, &op.user, "maker-checker");
                prop_assert_eq!(&rec.op_id, recommendation_op, "names the current recommendation");
                prop_assert_eq!(before.status, ClaimStatus::Batched);
                if let (Decision::Approve { amount, .. }, Some(limit)) =
                    (&rec.decision, op.stamp.approval_limit)
                {
                    prop_assert!(*amount <= Decimal::from(limit), "within limit");
                }
            }
            ClaimStatus::Paid if before.status != ClaimStatus::Paid => {
                let ClaimCommand::MarkPaid { payout_id } = &op.cmd else {
                    return Err(TestCaseError::fail(format!("paid by {:?}", op.cmd)));
                };
                prop_assert_eq!(op.stamp.role, Role::Admin);
                prop_assert_eq!(before.status, ClaimStatus::Approved);
                prop_assert_eq!(before.reserved_for.as_deref(), Some(payout_id.as_str()));
                prop_assert_ne!(before.reserved_by.as_deref(), Some(op.user.as_str()), "dual control");
                prop_assert_eq!(
                    &state.history[k].outcome.reserved_for,
                    &None,
                    "the payout's reservation ends"
                );
            }
            // Fulfilled only through a fulfilment the claim is reserved for,
            // once, and only what is not cash (a claim with cash paid first).
            ClaimStatus::Fulfilled if before.status != ClaimStatus::Fulfilled => {
                let ClaimCommand::MarkFulfilled { fulfilment_id } = &op.cmd else {
                    return Err(TestCaseError::fail(format!("fulfilled by {:?}", op.cmd)));
                };
                prop_assert_eq!(op.stamp.role, Role::Admin);
                prop_assert_eq!(before.reserved_for.as_deref(), Some(fulfilment_id.as_str()));
                prop_assert_ne!(before.reserved_by.as_deref(), Some(op.user.as_str()), "dual control");
                let rec = before.recommendation.as_ref().ok_or_else(|| TestCaseError::fail("no decision"))?;
                prop_assert!(!claimdesk_core::workflow::fulfilment_grants(&rec.decision).is_empty());
                let cash =
                    matches!(rec.decision, Decision::Approve { remedy: claimdesk_core::Remedy::Cash, .. });
                let from = if cash { ClaimStatus::Paid } else { ClaimStatus::Approved };
                prop_assert_eq!(before.status, from);
            }
            ClaimStatus::Fulfilled => {
                return Err(TestCaseError::fail(format!("moved while fulfilled by {:?}", op.cmd)));
            }
            ClaimStatus::ClosedDenied if before.status != ClaimStatus::ClosedDenied => {
                let rec = before
                    .recommendation
                    .as_ref()
                    .ok_or_else(|| TestCaseError::fail("denied without recommendation"))?;
                prop_assert!(matches!(rec.decision, Decision::Deny { .. }), "a denial closes");
                prop_assert_ne!(&rec.by, &op.user, "maker-checker on a denial");
                prop_assert!(matches!(op.stamp.role, Role::Supervisor | Role::Admin));
                prop_assert!(
                    matches!(op.cmd, ClaimCommand::Approve { .. } | ClaimCommand::ResolveConflict { .. }),
                    "closed by {:?}",
                    op.cmd
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// The op an honest team member would make next on this state (so walks do
/// get to approval and payment, with forged ops mixed in between).
fn honest_next(state: &ClaimState, pick: usize) -> (&'static str, &'static str, Value) {
    let holder = match state.assignee.as_deref() {
        Some("kim") => "kim",
        Some("sam") => "sam",
        _ => "lee",
    };
    match state.status {
        ClaimStatus::New | ClaimStatus::Triaged => (["lee", "kim"][pick % 2], "take", json!({})),
        ClaimStatus::InReview if pick % 5 == 0 => (holder, "request_info", json!({"message": "통장 사본"})),
        ClaimStatus::InReview => (
            holder,
            "recommend",
            if pick % 3 == 0 {
                json!({"decision": {"decision": "deny", "reason": "중복 신고"}, "justification": "중복"})
            } else if pick % 3 == 1 {
                json!({"decision": {"decision": "approve", "remedy": "cash", "amount": "50000", "extension_days": 0}})
            } else if pick % 2 == 0 {
                // Vouchers only: fulfilled, never paid.
                json!({"decision": {"decision": "approve", "remedy": "voucher", "amount": "0", "extension_days": 0},
                       "justification": "교환권"})
            } else {
                // Cash and an extension: paid, then fulfilled.
                json!({"decision": {"decision": "approve", "remedy": "cash", "amount": "50000", "extension_days": 30,
                       "grants": [{"kind": "cash", "amount": "50000", "quantity": 0},
                                  {"kind": "extension", "amount": "0", "quantity": 30}]},
                       "justification": "연장 포함"})
            },
        ),
        ClaimStatus::NeedsInfo => (holder, "info_received", json!({"note": "받음"})),
        ClaimStatus::Recommended => ("sam", "add_to_batch", json!({"batch_id": "B"})),
        ClaimStatus::Batched => {
            let rec = state.recommendation.as_ref().map(|r| r.op_id.clone()).unwrap_or_default();
            (["sue", "root"][pick % 2], "approve", json!({"recommendation_op": rec}))
        }
        ClaimStatus::Approved | ClaimStatus::Paid => {
            let cash = matches!(
                state.recommendation.as_ref().map(|r| &r.decision),
                Some(Decision::Approve { remedy: claimdesk_core::Remedy::Cash, .. })
            );
            let others = state
                .recommendation
                .as_ref()
                .is_some_and(|r| !claimdesk_core::workflow::fulfilment_grants(&r.decision).is_empty());
            match (&state.reserved_for, state.status == ClaimStatus::Approved && cash) {
                (None, true) => ("root", "reserve_payout", json!({"payout_id": (["P1", "P2"][pick % 2])})),
                // Dual control: another admin confirms what root exported.
                (Some(p), true) => ("ada", "mark_paid", json!({"payout_id": p})),
                (None, false) if others => {
                    ("root", "reserve_fulfilment", json!({"fulfilment_id": (["F1", "F2"][pick % 2])}))
                }
                (Some(f), false) => ("ada", "mark_fulfilled", json!({"fulfilment_id": f})),
                (None, false) => ("kim", "add_note", json!({"body": "안내 완료"})),
            }
        }
        ClaimStatus::Conflict => ("sam", "resolve_conflict", json!({"to": "triaged"})),
        ClaimStatus::Fulfilled | ClaimStatus::ClosedDenied | ClaimStatus::ClosedNoDamage => {
            ("kim", "add_note", json!({"body": "안내 완료"}))
        }
    }
}

/// Builds a walk: each raw op is either the honest next step (on the state
/// folded so far) or the random op as generated, forged fields and all.
fn build_ops(raw: Vec<RawOp>) -> Vec<FoldOp> {
    let mut ops: Vec<FoldOp> = Vec::new();
    let mut state = start();
    let mut recommendations: Vec<String> = Vec::new();
    for (i, (kind, user, base, mut payload, stamped, pick)) in raw.into_iter().enumerate() {
        let id = format!("op-{i}");
        let honest = pick % 2 == 0;
        let built = if honest {
            let (who, kind, payload) = honest_next(&state, pick / 2);
            try_op(&id, i as i64 + 1, who, who, kind, None, payload)
                .map(|o| o.map(|o| with_proposal(o, 50_000)))
        } else {
            // An approval names one of the recommendations made so far (or the one its payload made up).
            if kind == "approve" && !recommendations.is_empty() && pick % 3 != 0 {
                payload["recommendation_op"] = json!(recommendations[pick % recommendations.len()]);
            }
            try_op(&id, i as i64 + 1, &user, &user, &kind, base, payload)
                .map(|o| o.map(|o| if stamped { with_proposal(o, 50_000) } else { o }))
        };
        // An op that does not read as its kind is parked by a replica, never folded.
        let Ok(Some(o)) = built else { continue };
        if matches!(o.cmd, ClaimCommand::Recommend { .. }) {
            recommendations.push(id);
        }
        step(&mut state, &o);
        ops.push(o);
    }
    ops
}

/// The property below is not vacuous: its random walks do reach approval,
/// payment and denial (through the rules), and forged ops are refused.
#[test]
fn the_random_walks_reach_every_end_state() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(arb_op(), 30..80);
    let (mut approved, mut paid, mut refused) = (0, 0, 0);
    for _ in 0..500 {
        let raw = strategy.new_tree(&mut runner).map(|t| t.current()).unwrap_or_default();
        let ops = build_ops(raw);
        let s = fold(start(), &mut ops.clone());
        let reached = |to: ClaimStatus| s.history.iter().any(|h| h.outcome.to == to);
        approved += usize::from(reached(ClaimStatus::Approved) || reached(ClaimStatus::ClosedDenied));
        paid += usize::from(reached(ClaimStatus::Paid));
        refused += s.refused.len();
    }
    eprintln!("walks reaching approval or denial: {approved}, payment: {paid}; refused ops: {refused}");
    assert!(
        approved > 250 && paid > 100 && refused > 1000,
        "approved {approved}, paid {paid}, refused {refused}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_ops_from_random_actors_never_skip_the_rules(raw in proptest::collection::vec(arb_op(), 1..60), seed in any::<u64>()) {
        let ops = build_ops(raw);
        let state = fold(start(), &mut ops.clone());
        check_path(&state, &ops)?;
        // Every replica: the same ops in another arrival order fold to the same state.
        let mut shuffled = ops.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let other = fold(start(), &mut shuffled);
        prop_assert_eq!(&state, &other);
        // Stepping op by op (what a desktop does as pages arrive) equals folding at once.
        let mut sorted = ops.clone();
        sorted.sort_by(FoldOp::cmp_key);
        let mut stepped = start();
        for o in &sorted {
            step(&mut stepped, o);
        }
        prop_assert_eq!(&state, &stepped);
    }
}

// ---- several grants: the stamped proposal decides what follows the policy ----

/// A recommendation of these grants (the single-remedy fields their summary, unless `amount` says otherwise).
fn recommend_grants(
    id: &str,
    hlc: i64,
    base: i64,
    amount: Option<i64>,
    grants: Value,
    justification: Option<&str>,
) -> FoldOp {
    let list: Vec<claimdesk_core::Grant> = serde_json::from_value(grants.clone()).expect("grants");
    let (remedy, cash, days) = claimdesk_core::grant::summary(&list);
    let amount = amount.map_or(cash.to_string(), |a| a.to_string());
    let decision = json!({"decision": "approve", "remedy": remedy.code(), "amount": amount, "extension_days": days, "grants": grants});
    let mut payload = json!({ "decision": decision });
    if let Some(j) = justification {
        payload["justification"] = json!(j);
    }
    op(id, hlc, "a", "lee", "recommend", Some(base), payload)
}

/// What the final 2022 policy proposes for a small business of band 1: 30,000 won and 50,000 won of message credit.
fn stamped_credit(mut op: FoldOp) -> FoldOp {
    let grants = vec![
        claimdesk_core::Grant::new(Remedy::Cash, Decimal::from(30_000), 0),
        claimdesk_core::Grant::new(Remedy::MessageCredit, Decimal::from(50_000), 0),
    ];
    op.stamp.proposal = Some(PolicyProposal {
        eligible: true,
        remedy: Remedy::Cash,
        amount: Decimal::from(30_000),
        extension_days: 0,
        grants,
    });
    op
}

fn cash_and_credit(credit: i64) -> Value {
    json!([{"kind": "cash", "amount": "30000"}, {"kind": "message_credit", "amount": credit.to_string()}])
}

#[test]
fn a_recommendation_of_the_stamped_grants_follows_the_policy_and_a_bigger_one_is_refused() {
    let honest = stamped_credit(recommend_grants("r", 2, 1, None, cash_and_credit(50_000), None));
    let s = fold(start(), &mut [take("t", 1, "a", "lee", 0, "new"), honest]);
    assert_eq!(s.status, ClaimStatus::Recommended);
    assert!(!s.is_override);
    // More credit than the stamped proposal: an override, and without a justification it is refused.
    let forged = stamped_credit(recommend_grants("r", 2, 1, None, cash_and_credit(5_000_000), None));
    let s = fold(start(), &mut [take("t", 1, "a", "lee", 0, "new"), forged]);
    assert_eq!(
        (s.status, s.refused[0].code.as_str()),
        (ClaimStatus::InReview, "OVERRIDE_NEEDS_JUSTIFICATION")
    );
    // Without a stamped proposal (an op put in the server's database by hand) nothing follows the policy.
    let unstamped = recommend_grants("r", 2, 1, None, cash_and_credit(50_000), None);
    let s = fold(start(), &mut [take("t", 1, "a", "lee", 0, "new"), unstamped]);
    assert_eq!(s.refused[0].code, "OVERRIDE_NEEDS_JUSTIFICATION");
    // Cash hidden in the list beside a small amount is refused whatever the justification and the stamp.
    let hidden = stamped_credit(recommend_grants(
        "r",
        2,
        1,
        Some(30_000),
        json!([{"kind": "cash", "amount": "50000000"}]),
        Some("근거"),
    ));
    let s = fold(start(), &mut [take("t", 1, "a", "lee", 0, "new"), hidden]);
    assert_eq!((s.status, s.refused[0].code.as_str()), (ClaimStatus::InReview, "INVALID"));
}

#[test]
fn two_recommendations_that_differ_only_in_their_grants_are_a_conflict() {
    let a = stamped_credit(recommend_grants("r1", 2, 1, None, cash_and_credit(50_000), None));
    let mut b =
        stamped_credit(recommend_grants("r2", 3, 1, None, cash_and_credit(70_000), Some("추가 크레딧")));
    b.device = "b".into();
    let s = fold(start(), &mut [take("t", 1, "a", "lee", 0, "new"), a.clone(), b]);
    assert_eq!(s.status, ClaimStatus::Conflict);
    // The same grants in another order are the same decision: a parallel update.
    let reordered =
        json!([{"kind": "message_credit", "amount": "50000"}, {"kind": "cash", "amount": "30000"}]);
    let mut same = stamped_credit(recommend_grants("r3", 3, 1, None, reordered, None));
    same.device = "b".into();
    let s = fold(start(), &mut [take("t", 1, "a", "lee", 0, "new"), a, same]);
    assert_eq!(s.status, ClaimStatus::Recommended);
    assert_eq!(s.parallel, ["r3"]);
}

#[test]
fn an_approval_limit_reads_the_cash_of_a_decision_with_grants() {
    // sid: a supervisor with a 10,000 won limit; 5,000 won of cash and 5,000,000 of credit, justified.
    let rec = recommend_grants(
        "r",
        2,
        1,
        None,
        json!([{"kind": "cash", "amount": "5000"}, {"kind": "message_credit", "amount": "5000000"}]),
        Some("채널 피해가 큼"),
    );
    let ops = || {
        vec![
            take("t", 1, "a", "lee", 0, "new"),
            rec.clone(),
            op("b", 3, "s", "sam", "add_to_batch", Some(2), json!({"batch_id": "B"})),
        ]
    };
    let mut all = ops();
    all.push(op("ap", 4, "s", "sid", "approve", Some(3), json!({"recommendation_op": "r"})));
    let s = fold(start(), &mut all);
    assert_eq!(s.status, ClaimStatus::Approved);
    // 20,000 won of cash is over it.
    let over = recommend_grants(
        "r",
        2,
        1,
        None,
        json!([{"kind": "cash", "amount": "20000"}, {"kind": "message_credit", "amount": "1"}]),
        Some("j"),
    );
    let mut all = vec![
        take("t", 1, "a", "lee", 0, "new"),
        over,
        op("b", 3, "s", "sam", "add_to_batch", Some(2), json!({"batch_id": "B"})),
    ];
    all.push(op("ap", 4, "s", "sid", "approve", Some(3), json!({"recommendation_op": "r"})));
    let s = fold(start(), &mut all);
    assert_eq!(s.refused.last().map(|r| r.code.as_str()), Some("OVER_APPROVAL_LIMIT"));
}

/// The stamp's citation as the policy in force (the default 2022 one) gives it.
fn cited(mut op: FoldOp) -> FoldOp {
    let policy = claimdesk_core::policy::Policy::default_2022();
    op.stamp.cited = op.cmd.citation().and_then(|(kind, code)| policy.cite(kind, code, Some(1)));
    op
}

#[test]
fn a_coded_denial_folds_only_with_the_policys_entry_and_an_old_free_text_one_still_folds() {
    let start = || {
        let mut s = ClaimState::imported(Category::TaxiDriver);
        step(&mut s, &take("t", 1, "d1", "kim", 0, "triaged"));
        s
    };
    let deny = |id: &str, code: &str| {
        op(
            id,
            2,
            "d1",
            "kim",
            "recommend",
            Some(1),
            json!({"decision": {"decision": "deny", "code": code, "reason": "메모"}, "justification": "j"}),
        )
    };
    // With the entry of the policy in force: applied, the recommendation carries the code.
    let mut s = start();
    assert_eq!(step(&mut s, &cited(deny("r", "NO_LOSS_SHOWN"))), Verdict::Applied);
    assert_eq!(s.status, ClaimStatus::Recommended);
    assert!(
        matches!(&s.recommendation, Some(r) if r.decision == Decision::Deny { code: Some("NO_LOSS_SHOWN".into()), reason: "메모".into() })
    );
    // A code the policy does not have (a hand-written op, or one stamped without it): refused, nothing moves.
    for bad in [cited(deny("r", "MADE_UP")), deny("r", "NO_LOSS_SHOWN")] {
        let mut s = start();
        match step(&mut s, &bad) {
            Verdict::Refused { code, .. } => assert_eq!(code, "UNKNOWN_REASON"),
            other => panic!("{other:?}"),
        }
        assert_eq!((s.status, s.recommendation.is_none(), s.refused.len()), (ClaimStatus::InReview, true, 1));
    }
    // A denial recorded before coded reasons: folds as it always did.
    let mut s = start();
    let legacy = op(
        "r",
        2,
        "d1",
        "kim",
        "recommend",
        Some(1),
        json!({"decision": {"decision": "deny", "reason": "중복 신고"}, "justification": "j"}),
    );
    assert_eq!(step(&mut s, &legacy), Verdict::Applied);
    assert_eq!(s.status, ClaimStatus::Recommended);
    // A request for information with a deficiency code: the note carries it.
    let mut s = start();
    let ask = cited(op("q", 2, "d1", "kim", "request_info", Some(1), json!({"code": "DOCUMENTS_MISSING"})));
    assert_eq!(step(&mut s, &ask), Verdict::Applied);
    assert_eq!(
        s.notes.last().map(|n| (n.kind, n.code.clone())),
        Some((NoteKind::InfoRequest, Some("DOCUMENTS_MISSING".into())))
    );
}

#[test]
fn a_report_type_is_a_scalar_and_a_closure_needs_a_non_damage_report() {
    let mut s = ClaimState::imported(Category::FreeUser);
    let close = |id: &str, hlc: i64| {
        cited(op(id, hlc, "d1", "kim", "close_no_damage", None, json!({"reply": "INQUIRY_ANSWERED"})))
    };
    // A damage claim is not closed, even with a reply of the catalog.
    assert!(matches!(step(&mut s, &close("c0", 1)), Verdict::Refused { code, .. } if code == "DAMAGE_CLAIM"));
    assert_eq!(
        step(&mut s, &op("t", 2, "d1", "kim", "set_report_type", None, json!({"report_type": "inquiry"}))),
        Verdict::Applied
    );
    assert_eq!(s.report_type, ReportType::Inquiry);
    assert_eq!(step(&mut s, &close("c1", 3)), Verdict::Applied);
    assert_eq!((s.status, s.assignee.clone()), (ClaimStatus::ClosedNoDamage, None));
    assert_eq!(
        s.notes.last().map(|n| (n.kind, n.code.clone())),
        Some((NoteKind::Closure, Some("INQUIRY_ANSWERED".into())))
    );
    // A reviewer cannot reopen it; a supervisor can, as a damage claim.
    let reopen = |id: &str, hlc: i64, user: &str| op(id, hlc, "d1", user, "reopen", None, json!({}));
    assert!(
        matches!(step(&mut s, &reopen("o1", 4, "kim")), Verdict::Refused { code, .. } if code == "ROLE_NOT_ALLOWED")
    );
    assert_eq!(s.report_type, ReportType::Inquiry);
    assert_eq!(step(&mut s, &reopen("o2", 5, "sam")), Verdict::Applied);
    assert_eq!((s.status, s.report_type), (ClaimStatus::Triaged, ReportType::DamageClaim));
    // The import's type: a row with the column.
    let mut input = claimdesk_core::ClaimInput::placeholder();
    input.extra.insert("신고구분".into(), "의견".into());
    assert_eq!(ClaimState::of_import(&input).report_type, ReportType::Opinion);
}
