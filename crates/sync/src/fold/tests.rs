use super::*;
use serde_json::json;

fn op(id: &str, hlc: i64, device: &str, user: &str, kind: &str, base: Option<i64>, payload: Value) -> FoldOp {
    FoldOp {
        op_id: id.into(),
        hlc,
        device: device.into(),
        user: user.into(),
        kind: format!("claim.{kind}"),
        payload,
        base,
        at_ms: hlc,
    }
}

fn take(id: &str, hlc: i64, device: &str, user: &str, base: i64, from: &str) -> FoldOp {
    op(id, hlc, device, user, "take", Some(base), json!({"from": from, "to": "in_review", "assignee": user}))
}

fn recommend(id: &str, hlc: i64, device: &str, user: &str, base: i64, amount: i64) -> FoldOp {
    op(
        id, hlc, device, user, "recommend", Some(base),
        json!({"op_id": id, "by": user, "decision": {"decision": "approve", "remedy": "cash", "amount": amount.to_string(), "extension_days": 0},
               "is_override": true, "justification": "j", "from": "in_review", "to": "recommended", "assignee": user}),
    )
}

fn start() -> ClaimState {
    ClaimState::imported(Category::FreeUser)
}

#[test]
fn scalar_fields_last_writer_wins_per_field_with_ties_by_device() {
    let a = op("a", 10, "dev-a", "u", "annotate", None, json!({"priority": "high", "tags": null}));
    let b = op("b", 10, "dev-b", "u", "annotate", None, json!({"priority": "low", "tags": ["x"]}));
    let c = op("c", 5, "dev-c", "u", "annotate", None, json!({"priority": "urgent", "tags": ["late"]}));
    for order in [vec![a.clone(), b.clone(), c.clone()], vec![c.clone(), b.clone(), a.clone()], vec![b.clone(), a.clone(), c.clone()]] {
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
    let a = op("a", 1, "dev-a", "alice", "triage", Some(0), json!({"from": "new", "to": "triaged", "assignee": null, "priority": "high"}));
    let b = op("b", 2, "dev-b", "bob", "triage", Some(0), json!({"from": "new", "to": "triaged", "assignee": null, "tags": ["t"]}));
    let s = fold(start(), &mut [b, a]);
    assert_eq!(s.status, ClaimStatus::Triaged);
    assert!(s.conflicts.is_empty());
    assert_eq!(s.parallel, vec!["b".to_string()]);
    assert_eq!(s.decisions, 1);
    // Both triages' fields were taken.
    assert_eq!(s.priority, Priority::High);
    assert_eq!(s.tags, vec!["t".to_string()]);
}

#[test]
fn different_decisions_on_the_same_base_are_one_conflict_whatever_the_order() {
    let a = take("a", 1, "dev-a", "alice", 0, "new");
    let b = take("b", 2, "dev-b", "bob", 0, "new");
    // Alice went on offline; her later decisions join the conflict.
    let a2 = recommend("a2", 3, "dev-a", "alice", 1, 5000);
    let c = op("c", 2, "dev-c", "carol", "take", Some(0), json!({"from": "new", "to": "in_review", "assignee": "carol"}));
    let mut first = None;
    for mut ops in [vec![a.clone(), b.clone(), a2.clone(), c.clone()], vec![c.clone(), a2.clone(), b.clone(), a.clone()]] {
        let s = fold(start(), &mut ops);
        assert_eq!(s.status, ClaimStatus::Conflict);
        assert_eq!(s.conflicts.len(), 1, "one conflict per divergent group");
        let rec = &s.conflicts[0];
        assert_eq!(rec.base, 0);
        assert_eq!(rec.ops, vec!["a".to_string(), "b".to_string(), "c".to_string()]);
        assert_eq!(rec.joined, vec!["a2".to_string()]);
        if let Some(f) = &first {
            assert_eq!(f, &s);
        }
        first = Some(s);
    }
    // A supervisor resolves on the count after the conflicting ops; the claim leaves the conflict.
    let r = op("r", 10, "dev-s", "sam", "resolve_conflict", Some(1), json!({"from": "conflict", "to": "in_review", "assignee": "bob", "note": "bob keeps it"}));
    let s = fold(start(), &mut [a, b, a2, c, r]);
    assert_eq!(s.status, ClaimStatus::InReview);
    assert_eq!(s.assignee.as_deref(), Some("bob"));
    assert_eq!(s.conflicts[0].resolved_by.as_deref(), Some("r"));
    assert_eq!(s.notes.len(), 1);
}

#[test]
fn an_approval_of_a_superseded_recommendation_is_refused_for_that_claim() {
    let t = take("t", 1, "a", "alice", 0, "new");
    let r1 = recommend("r1", 2, "a", "alice", 1, 1000);
    let batch = op("b", 3, "s", "sam", "add_to_batch", Some(2), json!({"from": "recommended", "to": "batched", "batch_id": "B", "assignee": "alice"}));
    let ret = op("ret", 4, "s", "sam", "return_to_reviewer", Some(3), json!({"from": "batched", "to": "in_review", "assignee": "alice", "comment": "check"}));
    let r2 = recommend("r2", 5, "a", "alice", 4, 2000);
    let b2 = op("b2", 6, "s", "sam", "add_to_batch", Some(5), json!({"from": "recommended", "to": "batched", "batch_id": "B", "assignee": "alice"}));
    // An approval made on a copy that still showed r1.
    let appr = op("ap", 7, "s2", "sue", "approve", Some(6), json!({"from": "batched", "to": "approved", "assignee": "alice", "recommendation_op": "r1"}));
    let s = fold(start(), &mut [t.clone(), r1.clone(), batch.clone(), ret.clone(), r2.clone(), b2.clone(), appr]);
    assert_eq!(s.status, ClaimStatus::Batched);
    assert_eq!(s.refused.len(), 1);
    assert_eq!(s.refused[0].code, "RECOMMENDATION_SUPERSEDED");
    let ok = op("ok", 8, "s2", "sue", "approve", Some(6), json!({"from": "batched", "to": "approved", "assignee": "alice", "recommendation_op": "r2"}));
    let s = fold(start(), &mut [t, r1, batch, ret, r2, b2, ok]);
    assert_eq!(s.status, ClaimStatus::Approved);
    assert!(s.refused.is_empty());
}

#[test]
fn a_withdrawn_note_is_hidden_never_removed() {
    let n = op("n", 1, "a", "alice", "add_note", None, json!({"body": "call back"}));
    let w = op("w", 2, "a", "alice", "add_note", None, json!({"withdraws": "n"}));
    let s = fold(start(), &mut [w, n.clone(), n]);
    assert_eq!(s.notes.len(), 1);
    assert_eq!(s.notes[0].hidden_by.as_deref(), Some("w"));
    assert_eq!(s.version, 1, "notes do not bump the version");
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
    let l = op("l", 1, "a", "alice", "lease", None, json!({"holder": "alice"}));
    let other = op("x", 2, "b", "bob", "release_lease", None, json!({}));
    let s = fold(start(), &mut [l.clone(), other]);
    assert_eq!(s.lease_holder.as_deref(), Some("alice"));
    let own = op("y", 3, "a", "alice", "release_lease", None, json!({}));
    let s = fold(start(), &mut [l, own]);
    assert_eq!(s.lease_holder, None);
}
