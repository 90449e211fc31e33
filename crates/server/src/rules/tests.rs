use super::*;
use claimdesk_core::Role;
use rust_decimal::Decimal;
use serde_json::json;

const NOW: i64 = 1_700_000_000_000;

fn actor(user: &str, role: Role, limit: Option<i64>) -> Actor {
    Actor { user: user.into(), role, approval_limit: limit.map(Decimal::from), device: format!("dev-{user}") }
}

fn op(who: &Actor, n: u32, kind: &str, payload: Value) -> WireOp {
    WireOp {
        op_id: format!("0190a000-0000-7000-8000-{n:012}"),
        hlc: ((NOW as u64) << 16) as i64 + i64::from(n),
        user: who.user.clone(),
        device: who.device.clone(),
        entity: "claim:C-1".into(),
        kind: kind.into(),
        payload,
        base: Some(1),
        at_ms: NOW,
    }
}

fn approve_rec(amount: i64) -> Value {
    json!({"decision": {"decision": "approve", "remedy": "cash", "amount": amount.to_string(), "extension_days": 0}, "is_override": false})
}

fn check(who: &Actor, recs: &mut HashMap<String, RecInfo>, o: &WireOp) -> Result<(), Reject> {
    Checker { actor: who, now_ms: NOW, max_clock_ahead_ms: 60_000, recs }.check(o)
}

#[test]
fn every_kind_the_store_writes_has_a_rule() {
    for kind in ["claim.triage", "claim.take", "claim.add_note", "claim.import", "batch.create", "batch.approve", "policy.create",
        "policy.activate", "catalog.replace", "payout.export", "payout.confirm", "claim.lease", "user.create"]
    {
        assert!(rule_of(kind, &json!({})).is_ok(), "{kind}");
    }
    assert_eq!(rule_of("rocket.launch", &json!({})).map_err(|r| r.code), Err("unknown_kind".to_string()));
}

#[test]
fn a_reviewer_cannot_approve_or_create_batches_or_touch_users() {
    let rev = actor("kim", Role::Reviewer, None);
    let mut recs = HashMap::new();
    // The role answers first, whether or not the recommendation is known.
    let r = check(&rev, &mut recs, &op(&rev, 1, "claim.approve", json!({"recommendation_op": "x"})));
    assert_eq!(r.map_err(|e| e.code), Err("forbidden".into()));
    let sup = actor("park", Role::Supervisor, None);
    let r = check(&sup, &mut recs, &op(&sup, 1, "claim.approve", json!({"recommendation_op": "x"})));
    assert_eq!(r.map_err(|e| e.code), Err("unknown_recommendation".into()));
    recs.insert("claim:C-1".into(), RecInfo { op_id: "r".into(), hlc: 1, device: "d".into(), author: "lee".into(), decision: approve_rec(10)["decision"].clone() });
    let r = check(&rev, &mut recs, &op(&rev, 1, "claim.approve", json!({"recommendation_op": "r"})));
    assert_eq!(r.map_err(|e| e.code), Err("forbidden".into()));
    let mut b = op(&rev, 2, "batch.create", json!({"id": "b1"}));
    b.entity = "batch:b1".into();
    assert_eq!(check(&rev, &mut recs, &b).map_err(|e| e.code), Err("forbidden".into()));
    let mut u = op(&rev, 3, "user.create", json!({}));
    u.entity = "user:x".into();
    assert_eq!(check(&rev, &mut recs, &u).map_err(|e| e.code), Err("users_managed_on_server".into()));
    assert_eq!(check(&rev, &mut recs, &op(&rev, 4, "claim.add_note", json!({"body": "메모"}))), Ok(()));
    assert_eq!(check(&rev, &mut recs, &op(&rev, 5, "claim.mark_paid", json!({}))).map_err(|e| e.code), Err("forbidden".into()));
}

#[test]
fn approvals_follow_maker_checker_limits_and_supersession() {
    let rev = actor("kim", Role::Reviewer, None);
    let sup = actor("park", Role::Supervisor, Some(100_000));
    let mut recs = HashMap::new();
    let r1 = op(&sup, 1, "claim.recommend", approve_rec(50_000));
    assert_eq!(check(&sup, &mut recs, &r1), Ok(()));
    // maker-checker: park approves park's own recommendation
    let a = op(&sup, 2, "claim.approve", json!({"recommendation_op": r1.op_id}));
    assert_eq!(check(&sup, &mut recs, &a).map_err(|e| e.code), Err("maker_checker".into()));
    // a later recommendation by kim supersedes r1
    let r2 = op(&rev, 3, "claim.recommend", approve_rec(200_000));
    assert_eq!(check(&rev, &mut recs, &r2), Ok(()));
    assert_eq!(recs["claim:C-1"].op_id, r2.op_id);
    let a = op(&sup, 4, "claim.approve", json!({"recommendation_op": r1.op_id}));
    assert_eq!(check(&sup, &mut recs, &a).map_err(|e| e.code), Err("superseded".into()));
    // over park's limit
    let a = op(&sup, 5, "claim.approve", json!({"recommendation": r2.op_id}));
    let err = check(&sup, &mut recs, &a).expect_err("over the limit");
    assert_eq!(err.code, "over_approval_limit");
    assert!(err.reason.contains("100,000"), "{}", err.reason);
    // an older recommendation arriving late does not supersede a newer one
    let mut late = op(&rev, 6, "claim.recommend", approve_rec(1));
    late.hlc = 5;
    assert_eq!(check(&rev, &mut recs, &late), Ok(()));
    assert_eq!(recs["claim:C-1"].op_id, r2.op_id);
    // an admin without a limit may approve kim's
    let adm = actor("choi", Role::Admin, None);
    let a = op(&adm, 7, "claim.approve", json!({"recommendation_op": r2.op_id}));
    assert_eq!(check(&adm, &mut recs, &a), Ok(()));
}

#[test]
fn author_device_clock_and_shape_are_checked() {
    let rev = actor("kim", Role::Reviewer, None);
    let other = actor("lee", Role::Reviewer, None);
    let mut recs = HashMap::new();
    assert_eq!(check(&rev, &mut recs, &op(&other, 1, "claim.add_note", json!({}))).map_err(|e| e.code), Err("wrong_author".into()));
    let mut o = op(&rev, 1, "claim.add_note", json!({}));
    o.device = "elsewhere".into();
    assert_eq!(check(&rev, &mut recs, &o).map_err(|e| e.code), Err("wrong_device".into()));
    let mut o = op(&rev, 1, "claim.add_note", json!({}));
    o.hlc = (((NOW + 120_000) as u64) << 16) as i64;
    assert_eq!(check(&rev, &mut recs, &o).map_err(|e| e.code), Err("clock_ahead".into()));
    let mut o = op(&rev, 1, "claim.add_note", json!({}));
    o.op_id = "not-a-uuid".into();
    assert_eq!(check(&rev, &mut recs, &o).map_err(|e| e.code), Err("bad_op".into()));
    let o = op(&rev, 1, "claim.add_note", json!([1, 2]));
    assert_eq!(check(&rev, &mut recs, &o).map_err(|e| e.code), Err("bad_op".into()));
    let o = op(&rev, 1, "claim.recommend", json!({"decision": {"decision": "approve", "remedy": "cash", "amount": "-5", "extension_days": 0}}));
    assert_eq!(check(&rev, &mut recs, &o).map_err(|e| e.code), Err("invalid".into()));
    let o = op(&rev, 1, "claim.recommend", json!({"decision": {"decision": "deny", "reason": "중복"}, "is_override": true}));
    assert_eq!(check(&rev, &mut recs, &o).map_err(|e| e.code), Err("override_needs_justification".into()));
}

#[test]
fn resolving_to_a_denial_is_maker_checked() {
    let sup = actor("park", Role::Supervisor, None);
    let rev = actor("kim", Role::Reviewer, None);
    let mut recs = HashMap::new();
    let deny = json!({"decision": {"decision": "deny", "reason": "기간 외"}, "is_override": false});
    assert_eq!(check(&sup, &mut recs, &op(&sup, 1, "claim.recommend", deny)), Ok(()));
    let o = op(&sup, 2, "claim.resolve_conflict", json!({"to": "closed_denied"}));
    assert_eq!(check(&sup, &mut recs, &o).map_err(|e| e.code), Err("maker_checker".into()));
    let o = op(&sup, 3, "claim.resolve_conflict", json!({"to": "triaged"}));
    assert_eq!(check(&sup, &mut recs, &o), Ok(()));
    let o = op(&rev, 4, "claim.resolve_conflict", json!({"to": "triaged"}));
    assert_eq!(check(&rev, &mut recs, &o).map_err(|e| e.code), Err("forbidden".into()));
}
