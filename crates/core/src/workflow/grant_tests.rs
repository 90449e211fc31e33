//! Decisions with several grants: following the policy, overriding it,
//! grants that do not add up, approval limits on the cash, payouts.

use super::*;
use rust_decimal_macros::dec;

fn actor(user: &str, role: Role, limit: Option<Decimal>) -> Actor {
    Actor { user: user.to_string(), role, approval_limit: limit, device: "dev-1".to_string() }
}

fn cash(amount: Decimal) -> Grant {
    Grant::new(Remedy::Cash, amount, 0)
}

fn credit(amount: Decimal) -> Grant {
    Grant::new(Remedy::MessageCredit, amount, 0).with_label("카카오톡 채널 메시지 크레딧")
}

/// What the final 2022 policy proposes for a small business in band 1.
fn proposal() -> PolicyProposal {
    let grants = vec![cash(dec!(30000)), credit(dec!(50000))];
    PolicyProposal { eligible: true, remedy: Remedy::Cash, amount: dec!(30000), extension_days: 0, grants }
}

fn listed(grants: Vec<Grant>) -> Decision {
    let (remedy, amount, extension_days) = grant::summary(&grants);
    Decision::Approve { remedy, amount, extension_days, grants }
}

fn in_review(proposal: Option<PolicyProposal>) -> ClaimView {
    ClaimView {
        status: ClaimStatus::InReview,
        assignee: Some("kim".into()),
        recommendation: None,
        batch_id: None,
        proposal,
        reserved_for: None,
        reserved_by: None,
        report_type: Default::default(),
        cited: None,
        notified: false,
        request: None,
        requests: 0,
        as_of: None,
    }
}

fn recommend(decision: Decision, justification: Option<&str>) -> ClaimCommand {
    ClaimCommand::Recommend { decision, justification: justification.map(str::to_string) }
}

fn kim() -> Actor {
    actor("kim", Role::Reviewer, None)
}

#[test]
fn following_a_proposal_of_several_grants_is_not_an_override() {
    let c = in_review(Some(proposal()));
    let t = decide(&kim(), &c, &recommend(proposal().as_decision(), None)).expect("follows the policy");
    assert!(!t.is_override);
    // The same grants in another order follow it too.
    let t = decide(&kim(), &c, &recommend(listed(vec![credit(dec!(50000)), cash(dec!(30000))]), None))
        .expect("any order");
    assert!(!t.is_override);
    assert_eq!(proposal().as_decision().grants(), proposal().grants());
}

#[test]
fn a_bigger_or_missing_grant_is_an_override_that_needs_a_justification() {
    let c = in_review(Some(proposal()));
    let cases = [
        ("more credit", listed(vec![cash(dec!(30000)), credit(dec!(5000000))])),
        ("no credit", listed(vec![cash(dec!(30000))])),
        ("the single-remedy form drops the credit", Decision::approve(Remedy::Cash, dec!(30000), 0)),
        ("another kind", listed(vec![cash(dec!(30000)), Grant::new(Remedy::Points, dec!(50000), 50000)])),
        (
            "a third grant",
            listed(vec![cash(dec!(30000)), credit(dec!(50000)), Grant::new(Remedy::FeeWaiver, dec!(0), 1)]),
        ),
    ];
    for (what, d) in cases {
        assert_eq!(
            decide(&kim(), &c, &recommend(d.clone(), None)),
            Err(Refusal::OverrideNeedsJustification),
            "{what}"
        );
        let t = decide(&kim(), &c, &recommend(d, Some("통화로 확인한 피해"))).expect("with a justification");
        assert!(t.is_override, "{what}");
    }
    // Without a proposal every approval is an override.
    assert_eq!(
        decide(&kim(), &in_review(None), &recommend(proposal().as_decision(), None)),
        Err(Refusal::OverrideNeedsJustification)
    );
}

#[test]
fn grants_that_do_not_add_up_are_refused_whatever_the_justification() {
    let c = in_review(Some(proposal()));
    let refused =
        |d: Decision| decide(&kim(), &c, &recommend(d, Some("근거"))).map_err(|r| (r.code(), r.to_string()));
    // Cash hidden in the list beside a small amount (the amount is what an approval limit reads).
    let hidden = Decision::Approve {
        remedy: Remedy::Cash,
        amount: dec!(30000),
        extension_days: 0,
        grants: vec![cash(dec!(50000000))],
    };
    let (code, text) = refused(hidden).expect_err("refused");
    assert_eq!(code, "INVALID");
    assert!(text.contains("50000000 won of cash"), "{text}");
    let days = Decision::Approve {
        remedy: Remedy::Cash,
        amount: dec!(30000),
        extension_days: 30,
        grants: vec![cash(dec!(30000))],
    };
    assert_eq!(refused(days).map_err(|e| e.0), Err("INVALID"));
    let grants = vec![cash(dec!(30000)), credit(dec!(1))];
    let wrong_kind =
        Decision::Approve { remedy: Remedy::MessageCredit, amount: dec!(30000), extension_days: 0, grants };
    assert_eq!(refused(wrong_kind).map_err(|e| e.0), Err("INVALID"));
    // A grant outside its measures, and too many grants.
    assert_eq!(
        refused(listed(vec![Grant::new(Remedy::Points, dec!(10), 0)])).map_err(|e| e.0),
        Err("INVALID")
    );
    assert_eq!(
        refused(listed(vec![Grant::new(Remedy::ManualReview, dec!(0), 0)])).map_err(|e| e.0),
        Err("INVALID")
    );
    assert_eq!(refused(listed(vec![credit(dec!(-5))])).map_err(|e| e.0), Err("INVALID"));
    assert_eq!(
        refused(listed(vec![credit(dec!(1)); grant::MAX_GRANTS + 1])).map_err(|e| e.0),
        Err("INVALID")
    );
    // A newer kind in the single-remedy form says too little.
    let (code, text) = refused(Decision::approve(Remedy::Points, dec!(0), 0)).expect_err("refused");
    assert_eq!(code, "INVALID");
    assert!(text.contains("lists its grants"), "{text}");
}

fn batched(decision: Decision) -> ClaimView {
    ClaimView {
        status: ClaimStatus::Batched,
        assignee: None,
        recommendation: Some(Recommendation {
            op_id: "r1".into(),
            by: "kim".into(),
            decision,
            is_override: false,
            justification: None,
        }),
        batch_id: Some("b1".into()),
        proposal: Some(proposal()),
        reserved_for: None,
        reserved_by: None,
        report_type: Default::default(),
        cited: None,
        notified: false,
        request: None,
        requests: 0,
        as_of: None,
    }
}

#[test]
fn approval_limits_apply_to_the_cash_only() {
    let park = actor("park", Role::Supervisor, Some(dec!(40000)));
    let approve = ClaimCommand::Approve { recommendation_op: "r1".into() };
    assert_eq!(
        decide(&park, &batched(proposal().as_decision()), &approve).map(|t| t.to),
        Ok(ClaimStatus::Approved),
        "30,000 cash + 50,000 credit"
    );
    let over = listed(vec![cash(dec!(50000)), credit(dec!(50000))]);
    assert_eq!(decide(&park, &batched(over), &approve).map_err(|r| r.code()), Err("OVER_APPROVAL_LIMIT"));
    let credit_only = listed(vec![credit(dec!(5000000))]);
    assert_eq!(
        decide(&park, &batched(credit_only), &approve).map(|t| t.to),
        Ok(ClaimStatus::Approved),
        "no cash, nothing to limit"
    );
}

#[test]
fn only_a_decision_with_cash_is_paid_out() {
    let root = actor("root", Role::Admin, None);
    let approved = |d: Decision| ClaimView { status: ClaimStatus::Approved, ..batched(d) };
    let reserve = ClaimCommand::ReservePayout { payout_id: "p1".into() };
    assert!(
        decide(&root, &approved(proposal().as_decision()), &reserve).is_ok(),
        "cash + credit: the cash is paid"
    );
    let credit_only = approved(listed(vec![credit(dec!(50000))]));
    let got = decide(&root, &credit_only, &reserve).map_err(|r| (r.code(), r.to_string()));
    assert_eq!(got.as_ref().map_err(|e| e.0), Err("INVALID"));
    assert!(got.err().is_some_and(|e| e.1.contains("Message credit")), "names the remedy");
}

#[test]
fn a_decision_in_the_single_remedy_form_reads_as_before() {
    // Old ops carry no grants: their JSON, their grant and their check are what they were.
    let old: Decision =
        serde_json::from_str(r#"{"decision":"approve","remedy":"cash","amount":"30000","extension_days":0}"#)
            .expect("reads");
    assert_eq!(old, Decision::approve(Remedy::Cash, dec!(30000), 0));
    assert_eq!(old.grants(), vec![cash(dec!(30000))]);
    assert_eq!(
        serde_json::to_string(&old).unwrap_or_default(),
        r#"{"decision":"approve","remedy":"cash","amount":"30000","extension_days":0}"#
    );
    let p = PolicyProposal {
        eligible: true,
        remedy: Remedy::Cash,
        amount: dec!(30000),
        extension_days: 0,
        grants: Vec::new(),
    };
    let t = decide(&kim(), &in_review(Some(p)), &recommend(old, None)).expect("follows");
    assert!(!t.is_override);
    let back: PolicyProposal =
        serde_json::from_str(r#"{"eligible":true,"remedy":"voucher","amount":"0","extension_days":0}"#)
            .expect("reads");
    assert_eq!(back.grants(), vec![Grant::new(Remedy::Voucher, dec!(0), 1)]);
}
