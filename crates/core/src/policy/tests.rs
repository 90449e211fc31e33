//! Tests of the evaluation against policy.md: each check, each remedy row,
//! the boundaries, explain, what-if, and properties over random claim sets.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::model::{Category, Reason, Remedy};
use crate::time::kst;

const VALID_BRN: &str = "2208162517";
const INVALID_BRN: &str = "2208162518";

/// `2022-10-20 10:00:00` read as Korea time.
fn at(text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("test time");
    kst().from_local_datetime(&naive).single().expect("unambiguous").with_timezone(&Utc)
}

fn won(n: i64) -> Decimal {
    Decimal::from(n)
}

/// The worked-example style claim: a taxi driver, kakao_t, 10 h 1 min of overlap.
fn taxi() -> PolicyInput {
    PolicyInput {
        external_id: "C-1".into(),
        received_at: at("2022-10-20 10:00:00"),
        category: Category::TaxiDriver,
        service: "kakao_t".into(),
        phone: Some("01012345678".into()),
        brn: None,
        damage_start: at("2022-10-15 20:00:00"),
        damage_end: at("2022-10-16 06:01:00"),
        claimed_amount: Some(won(60_000)),
        daily_income: Some(won(180_000)),
        documented_loss: None,
        ad_spend: None,
        extra: Default::default(),
    }
}

fn with(category: Category, f: impl FnOnce(&mut PolicyInput)) -> PolicyInput {
    let mut c = taxi();
    c.category = category;
    c.daily_income = None;
    c.claimed_amount = None;
    if category.is_business() {
        c.brn = Some(VALID_BRN.into());
    }
    f(&mut c);
    c
}

fn one(c: PolicyInput) -> Outcome {
    let outcomes = evaluate_all(&Policy::default_2022(), &[c]);
    outcomes.into_iter().next().expect("one outcome")
}

fn cash(amount: i64) -> Outcome {
    Outcome {
        eligible: true,
        reason: None,
        remedy: Remedy::Cash,
        amount: won(amount),
        extension_days: 0,
        grants: Vec::new(),
    }
}

fn needs(reason: Reason) -> Outcome {
    Outcome {
        eligible: true,
        reason: Some(reason),
        remedy: Remedy::ManualReview,
        amount: Decimal::ZERO,
        extension_days: 0,
        grants: Vec::new(),
    }
}

fn fails(reason: Reason) -> Outcome {
    Outcome {
        eligible: false,
        reason: Some(reason),
        remedy: Remedy::None,
        amount: Decimal::ZERO,
        extension_days: 0,
        grants: Vec::new(),
    }
}

// ---------------------------------------------------------------- checks

#[test]
fn check1_filing_window_includes_both_ends() {
    let received = |t: &str| one(with(Category::FreeUser, |c| c.received_at = at(t)));
    assert_eq!(received("2022-10-18 23:59:59"), fails(Reason::FiledOutOfWindow));
    assert!(received("2022-10-19 00:00:00").eligible);
    assert!(received("2022-11-06 23:59:59").eligible);
    assert_eq!(received("2022-11-07 00:00:00"), fails(Reason::FiledOutOfWindow));
    // Checked first: an unknown service filed late is FILED_OUT_OF_WINDOW.
    let c = with(Category::FreeUser, |c| {
        c.received_at = at("2022-12-01 00:00:00");
        c.service = "kakao_bank".into();
    });
    assert_eq!(one(c), fails(Reason::FiledOutOfWindow));
}

#[test]
fn check2_unknown_service_is_exact_code_of_the_policys_catalog() {
    assert_eq!(
        one(with(Category::FreeUser, |c| c.service = "kakao_bank".into())),
        fails(Reason::UnknownService)
    );
    assert_eq!(
        one(with(Category::FreeUser, |c| c.service = "KAKAO_T".into())),
        fails(Reason::UnknownService)
    );
    assert_eq!(one(with(Category::FreeUser, |c| c.service = String::new())), fails(Reason::UnknownService));
    // A policy whose catalog drops a service makes it unknown.
    let mut p = Policy::default_2022();
    p.services.retain(|s| s.code != "kakao_t");
    assert_eq!(evaluate_all(&p, &[taxi()]), vec![fails(Reason::UnknownService)]);
}

#[test]
fn check3_overlap_is_the_intersection_in_seconds() {
    // kakao_t is down 2022-10-15 15:30 – 2022-10-16 14:00 KST.
    let damage = |s: &str, e: &str| {
        one(with(Category::PaidSubscriber, |c| {
            c.damage_start = at(s);
            c.damage_end = at(e);
        }))
    };
    assert_eq!(damage("2022-10-15 10:00:00", "2022-10-15 15:00:00"), fails(Reason::NoOverlap));
    assert_eq!(
        damage("2022-10-15 10:00:00", "2022-10-15 15:30:00"),
        fails(Reason::NoOverlap),
        "touching is 0 s"
    );
    assert_eq!(damage("2022-10-16 14:00:00", "2022-10-17 15:00:00"), fails(Reason::NoOverlap));
    assert_eq!(
        damage("2022-10-16 06:00:00", "2022-10-16 05:00:00"),
        fails(Reason::NoOverlap),
        "backwards period"
    );
    assert_eq!(damage("2022-10-15 10:00:00", "2022-10-15 15:30:01").extension_days, 1, "1 s is enough");
    // A period longer than the outage counts only the outage: 22 h 30 min × 3 = 2.81 days → 3.
    assert_eq!(damage("2022-10-14 00:00:00", "2022-10-30 00:00:00").extension_days, 3);
}

#[test]
fn check4_business_categories_need_a_valid_brn() {
    for cat in [Category::SmallBusiness, Category::Advertiser] {
        assert_eq!(one(with(cat, |c| c.brn = None)), fails(Reason::MissingBrn));
        assert_eq!(one(with(cat, |c| c.brn = Some(INVALID_BRN.into()))), fails(Reason::MissingBrn));
        assert_eq!(one(with(cat, |c| c.brn = Some("220-81-62517".into()))), fails(Reason::MissingBrn));
        assert!(one(with(cat, |_| {})).eligible);
    }
    // Individuals never need one, and a bad BRN on an individual is ignored.
    assert!(one(with(Category::FreeUser, |c| c.brn = Some(INVALID_BRN.into()))).eligible);
    // NO_OVERLAP comes before MISSING_BRN.
    let c = with(Category::Advertiser, |c| {
        c.brn = None;
        c.damage_end = c.damage_start;
        c.damage_start = at("2022-10-01 00:00:00");
        c.damage_end = at("2022-10-02 00:00:00");
    });
    assert_eq!(one(c), fails(Reason::NoOverlap));
}

// ---------------------------------------------------------------- duplicates

fn report(id: &str, received: &str) -> PolicyInput {
    with(Category::FreeUser, |c| {
        c.external_id = id.into();
        c.received_at = at(received);
    })
}

#[test]
fn check5_earliest_received_wins_the_group() {
    let p = Policy::default_2022();
    let claims = [
        report("A", "2022-10-21 10:00:00"),
        report("B", "2022-10-20 10:00:00"),
        report("C", "2022-10-22 10:00:00"),
    ];
    let out = evaluate_all(&p, &claims);
    assert_eq!(out[0], fails(Reason::Duplicate));
    assert!(out[1].eligible);
    assert_eq!(out[2], fails(Reason::Duplicate));
    assert_eq!(explain(&p, &claims, 0).duplicate_of.as_deref(), Some("B"));
    assert_eq!(explain(&p, &claims, 1).duplicate_of, None);
}

#[test]
fn check5_a_tie_goes_to_the_smallest_external_id_byte_by_byte() {
    let p = Policy::default_2022();
    let t = "2022-10-20 10:00:00";
    // 'B' (0x42) < 'a' (0x61); "C10" < "C9" byte-wise.
    let out = evaluate_all(&p, &[report("a", t), report("B", t)]);
    assert_eq!((out[0].eligible, out[1].eligible), (false, true));
    let out = evaluate_all(&p, &[report("C9", t), report("C10", t)]);
    assert_eq!((out[0].eligible, out[1].eligible), (false, true));
    // Korean text compares by UTF-8 bytes too.
    let out = evaluate_all(&p, &[report("접수-2", t), report("접수-1", t)]);
    assert_eq!((out[0].eligible, out[1].eligible), (false, true));
}

#[test]
fn check5_groups_only_claims_that_passed_checks_1_to_4() {
    let p = Policy::default_2022();
    let mut early_but_late_filed = report("A", "2022-10-18 10:00:00");
    early_but_late_filed.received_at = at("2022-10-18 10:00:00");
    let out = evaluate_all(&p, &[early_but_late_filed, report("B", "2022-10-25 10:00:00")]);
    assert_eq!(out[0], fails(Reason::FiledOutOfWindow));
    assert!(out[1].eligible, "a claim that failed an earlier check does not win a group");

    let mut no_overlap = report("A", "2022-10-20 10:00:00");
    no_overlap.damage_start = at("2022-10-01 00:00:00");
    no_overlap.damage_end = at("2022-10-02 00:00:00");
    let out = evaluate_all(&p, &[no_overlap, report("B", "2022-10-25 10:00:00")]);
    assert!(out[1].eligible);
}

#[test]
fn check5_groups_by_claimant_key_and_service() {
    let p = Policy::default_2022();
    let t1 = "2022-10-20 10:00:00";
    let t2 = "2022-10-21 10:00:00";
    // Other service: not a duplicate.
    let mut other_service = report("B", t2);
    other_service.service = "kakaotalk".into();
    other_service.damage_start = at("2022-10-15 20:00:00");
    other_service.damage_end = at("2022-10-16 01:00:00");
    let out = evaluate_all(&p, &[report("A", t1), other_service]);
    assert!(out.iter().all(|o| o.eligible));
    // Other phone: not a duplicate.
    let mut other_phone = report("B", t2);
    other_phone.phone = Some("01099998888".into());
    assert!(evaluate_all(&p, &[report("A", t1), other_phone]).iter().all(|o| o.eligible));
    // Categories do not matter, only the key: a taxi driver and a free user with one phone.
    let mut taxi_b = taxi();
    taxi_b.external_id = "B".into();
    taxi_b.received_at = at(t2);
    let out = evaluate_all(&p, &[report("A", t1), taxi_b]);
    assert_eq!(out[1], fails(Reason::Duplicate));
    // Businesses are keyed by BRN, whatever the phone.
    let biz = |id: &str, t: &str, phone: &str| {
        with(Category::SmallBusiness, |c| {
            c.external_id = id.into();
            c.received_at = at(t);
            c.phone = Some(phone.into());
        })
    };
    let out = evaluate_all(&p, &[biz("A", t1, "01011112222"), biz("B", t2, "01033334444")]);
    assert_eq!(out[1], fails(Reason::Duplicate));
    // Individuals sharing a BRN but not a phone are different claimants.
    let ind = |id: &str, t: &str, phone: &str| {
        let mut c = report(id, t);
        c.brn = Some(VALID_BRN.into());
        c.phone = Some(phone.into());
        c
    };
    assert!(evaluate_all(&p, &[ind("A", t1, "01011112222"), ind("B", t2, "01033334444")])
        .iter()
        .all(|o| o.eligible));
    // No claimant key: never grouped.
    let mut a = report("A", t1);
    let mut b = report("B", t2);
    a.phone = None;
    b.phone = None;
    assert!(evaluate_all(&p, &[a.clone(), b.clone()]).iter().all(|o| o.eligible));
    // A blank key identifies no one either.
    a.phone = Some(String::new());
    b.phone = Some(" ".into());
    assert!(evaluate_all(&p, &[a, b]).iter().all(|o| o.eligible));
}

#[test]
fn check5_applies_to_every_category_and_before_the_remedy() {
    let p = Policy::default_2022();
    let mk = |id: &str, t: &str| {
        with(Category::Other, |c| {
            c.external_id = id.into();
            c.received_at = at(t);
        })
    };
    let out = evaluate_all(&p, &[mk("A", "2022-10-20 10:00:00"), mk("B", "2022-10-20 10:00:01")]);
    assert_eq!(out, vec![needs(Reason::ManualReview), fails(Reason::Duplicate)]);
}

// ---------------------------------------------------------------- remedies

#[test]
fn free_user_gets_the_voucher_whatever_was_claimed() {
    let v = Outcome {
        eligible: true,
        reason: None,
        remedy: Remedy::Voucher,
        amount: Decimal::ZERO,
        extension_days: 0,
        grants: Vec::new(),
    };
    assert_eq!(one(with(Category::FreeUser, |c| c.claimed_amount = Some(won(1_000_000)))), v);
    assert_eq!(one(with(Category::FreeUser, |_| {})), v);
}

#[test]
fn paid_subscriber_extension_is_ceil_of_three_times_the_overlap() {
    let ext = |start: &str, end: &str| {
        one(with(Category::PaidSubscriber, |c| {
            c.damage_start = at(start);
            c.damage_end = at(end);
            c.claimed_amount = Some(won(50_000));
        }))
    };
    let o = ext("2022-10-15 20:00:00", "2022-10-16 06:01:00"); // 10 h 1 min × 3 = 1.25 days
    assert_eq!(
        o,
        Outcome {
            eligible: true,
            reason: None,
            remedy: Remedy::Extension,
            amount: Decimal::ZERO,
            extension_days: 2,
            grants: Vec::new()
        }
    );
    assert_eq!(
        ext("2022-10-15 20:00:00", "2022-10-16 04:00:00").extension_days,
        1,
        "8 h × 3 = exactly 1 day"
    );
    assert_eq!(
        ext("2022-10-15 20:00:00", "2022-10-16 04:00:01").extension_days,
        2,
        "one second more rounds up"
    );
    assert_eq!(ext("2022-10-15 20:00:00", "2022-10-15 20:00:01").extension_days, 1);
}

#[test]
fn taxi_driver_base_from_daily_income_then_cap_then_claimed_then_floor10() {
    // 180,000 × 36,060 s / 86,400 s = 75,125.
    assert_eq!(one(taxi()), cash(60_000));
    assert_eq!(one(PolicyInput { claimed_amount: None, ..taxi() }), cash(75_120), "floor10(75,125)");
    assert_eq!(one(PolicyInput { claimed_amount: Some(won(0)), ..taxi() }), cash(75_120), "0 claimed = none");
    assert_eq!(one(PolicyInput { claimed_amount: Some(won(-5)), ..taxi() }), cash(75_120), "negative = none");
    assert_eq!(one(PolicyInput { claimed_amount: Some(won(12_345)), ..taxi() }), cash(12_340));
    assert_eq!(one(PolicyInput { claimed_amount: Some(won(75_125)), ..taxi() }), cash(75_120));
    assert_eq!(one(PolicyInput { claimed_amount: Some(won(9)), ..taxi() }), cash(0));
    // Cap 300,000: 1,000,000 × 10 h 1 min / 24 h = 417,361.
    assert_eq!(
        one(PolicyInput { daily_income: Some(won(1_000_000)), claimed_amount: None, ..taxi() }),
        cash(300_000)
    );
    // No daily income (absent, 0 or negative): flat 25,000.
    for income in [None, Some(won(0)), Some(won(-100))] {
        assert_eq!(one(PolicyInput { daily_income: income, claimed_amount: None, ..taxi() }), cash(25_000));
        assert_eq!(
            one(PolicyInput { daily_income: income, ..taxi() }),
            cash(25_000),
            "min(25,000, claimed 60,000)"
        );
    }
    // A fractional base is only rounded by floor10: 100,001 × 36,060 / 86,400 = 41,737.08…
    assert_eq!(
        one(PolicyInput { daily_income: Some(won(100_001)), claimed_amount: None, ..taxi() }),
        cash(41_730)
    );
    // An absurd daily income cannot overflow or panic: the cap applies.
    assert_eq!(
        one(PolicyInput { daily_income: Some(Decimal::MAX), claimed_amount: None, ..taxi() }),
        cash(300_000)
    );
}

#[test]
fn designated_driver_is_taxi_with_cap_200000() {
    let d = |income: Option<i64>, claimed: Option<i64>| {
        one(with(Category::DesignatedDriver, |c| {
            c.daily_income = income.map(won);
            c.claimed_amount = claimed.map(won);
        }))
    };
    assert_eq!(d(None, None), cash(25_000));
    assert_eq!(d(Some(1_000_000), None), cash(200_000));
    assert_eq!(d(Some(1_000_000), Some(250_000)), cash(200_000));
    assert_eq!(d(Some(1_000_000), Some(150_005)), cash(150_000));
    assert_eq!(d(Some(180_000), None), cash(75_120));
}

fn small(claimed: Option<i64>, documented: Option<i64>) -> Outcome {
    one(with(Category::SmallBusiness, |c| {
        c.claimed_amount = claimed.map(won);
        c.documented_loss = documented.map(won);
    }))
}

#[test]
fn small_business_bands_at_their_boundaries() {
    assert_eq!(small(None, None), cash(30_000), "none counts as L = 0");
    assert_eq!(small(Some(0), None), cash(30_000));
    assert_eq!(small(Some(20_000), None), cash(20_000), "claimed below the base");
    assert_eq!(small(Some(12_345), None), cash(12_340));
    assert_eq!(small(Some(300_000), None), cash(30_000));
    assert_eq!(small(Some(300_001), None), cash(50_000));
    assert_eq!(small(Some(500_000), None), cash(50_000));
    assert_eq!(small(Some(500_001), None), needs(Reason::NeedsEvidence));
    assert_eq!(small(Some(500_001), Some(2_000_000)), cash(200_000), "50,000 + 1,500,000 × 0.1");
    // Documented loss is used only above the last band.
    assert_eq!(small(Some(300_000), Some(9_000_000)), cash(30_000));
}

#[test]
fn small_business_documented_loss_formula_floor_and_cap() {
    assert_eq!(small(Some(800_000), Some(600_000)), cash(60_000));
    assert_eq!(small(Some(800_000), Some(100)), cash(50_000), "max(50,000, …)");
    assert_eq!(small(Some(800_000), Some(0)), cash(50_000), "present even when 0");
    assert_eq!(small(Some(800_000), Some(-1_000_000)), cash(50_000));
    assert_eq!(small(Some(800_000), Some(500_123)), cash(50_010), "50,012.3 → floor10");
    assert_eq!(small(Some(2_000_000), Some(100_000_000)), cash(1_000_000), "cap 1,000,000");
    assert_eq!(small(Some(700_000), Some(100_000_000)), cash(700_000), "claimed below the cap");
    let huge = one(with(Category::SmallBusiness, |c| {
        c.claimed_amount = Some(won(900_000));
        c.documented_loss = Some(Decimal::MAX);
    }));
    assert_eq!(huge, cash(900_000));
    let deep = one(with(Category::SmallBusiness, |c| {
        c.claimed_amount = Some(won(900_000));
        c.documented_loss = Some(Decimal::MIN);
    }));
    assert_eq!(deep, cash(50_000));
}

#[test]
fn advertiser_is_capped_ad_spend_or_needs_evidence() {
    let ad = |spend: Option<i64>, claimed: Option<i64>| {
        one(with(Category::Advertiser, |c| {
            c.ad_spend = spend.map(won);
            c.claimed_amount = claimed.map(won);
        }))
    };
    assert_eq!(ad(Some(3_683_856), None), cash(3_683_850));
    assert_eq!(ad(Some(3_683_856), Some(0)), cash(3_683_850));
    assert_eq!(ad(Some(5_756_318), Some(0)), cash(5_000_000));
    assert_eq!(ad(Some(5_756_318), Some(1_234_567)), cash(1_234_560));
    assert_eq!(ad(None, Some(1_000)), needs(Reason::NeedsEvidence));
    assert_eq!(ad(Some(0), Some(1_000)), needs(Reason::NeedsEvidence));
}

#[test]
fn other_goes_to_manual_review() {
    assert_eq!(
        one(with(Category::Other, |c| c.claimed_amount = Some(won(31_000)))),
        needs(Reason::ManualReview)
    );
}

#[test]
fn every_parameter_comes_from_the_policy() {
    let mut p = Policy::default_2022();
    p.taxi_driver.cap = won(50_000);
    p.paid_subscriber.extension_multiplier = won(10);
    p.small_business.bands[0].base = won(33_000);
    p.filing_window.end = p.filing_window.start;
    let mut in_window = taxi();
    in_window.received_at = p.filing_window.start.with_timezone(&Utc);
    let claims = [
        PolicyInput {
            claimed_amount: None,
            external_id: "1".into(),
            phone: Some("1".into()),
            ..in_window.clone()
        },
        with(Category::PaidSubscriber, |c| {
            c.external_id = "2".into();
            c.phone = Some("2".into());
            c.received_at = in_window.received_at;
        }),
        with(Category::SmallBusiness, |c| c.received_at = in_window.received_at),
        taxi(),
    ];
    let out = evaluate_all(&p, &claims);
    assert_eq!(out[0], cash(50_000));
    assert_eq!(out[1].extension_days, 5, "10 × 10 h 1 min / 24 h = 4.17 → 5");
    assert_eq!(out[2], cash(33_000));
    assert_eq!(out[3], fails(Reason::FiledOutOfWindow));
}

// ---------------------------------------------------------------- explain

#[test]
fn explain_lists_the_steps_of_the_worked_example() {
    let p = Policy::default_2022();
    let e = explain(&p, &[taxi()], 0);
    assert_eq!(e.outcome, cash(60_000));
    let codes: Vec<&str> = e.steps.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["FILED_IN_WINDOW", "OVERLAP", "FIRST_REPORT", "CASH"]);
    let last = e.steps.last().expect("a step");
    assert_eq!(
        last.en,
        "overlap 10 h 1 min × daily income 180,000 ÷ 24 h = 75,125 → cap 300,000 → claimed 60,000 → 60,000"
    );
    assert_eq!(
        last.ko,
        "중첩 10시간 1분 × 일평균수입 180,000원 ÷ 24시간 = 75,125원 → 상한 300,000원 → 청구액 60,000원 → 60,000원"
    );
    assert!(e.steps[0].en.contains("2022-10-20 10:00"), "{}", e.steps[0].en);
    assert!(e.steps[1].en.contains("10 h 1 min"), "{}", e.steps[1].en);
    assert!(e.steps.iter().all(|s| !s.ko.is_empty() && !s.en.is_empty() && !s.en.contains('\n')));
}

#[test]
fn explain_names_the_failing_check_and_stops_there() {
    let p = Policy::default_2022();
    let c = with(Category::Advertiser, |c| c.brn = Some(INVALID_BRN.into()));
    let e = explain(&p, &[c], 0);
    assert_eq!(e.outcome, fails(Reason::MissingBrn));
    assert_eq!(e.steps.last().map(|s| s.code.as_str()), Some("MISSING_BRN"));
    assert!(e.steps.last().is_some_and(|s| s.en.contains("220-81-*****") || s.en.contains("not valid")));

    let e = explain(&p, &[with(Category::FreeUser, |c| c.service = "kakao_bank".into())], 0);
    assert_eq!(
        e.steps.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(),
        ["FILED_IN_WINDOW", "UNKNOWN_SERVICE"]
    );

    let e = explain(&p, &[], 3);
    assert_eq!(e.steps[0].code, "NO_SUCH_CLAIM");
    assert!(!e.outcome.eligible);
}

#[test]
fn explain_shows_the_formula_of_each_cash_row() {
    let p = Policy::default_2022();
    let last_en =
        |c: PolicyInput| explain(&p, &[c], 0).steps.last().map(|s| s.en.clone()).unwrap_or_default();
    assert_eq!(
        last_en(PolicyInput { daily_income: None, claimed_amount: None, ..taxi() }),
        "no daily income: flat 25,000 → cap 300,000 → nothing claimed → 25,000"
    );
    assert_eq!(
        last_en(with(Category::SmallBusiness, |c| c.claimed_amount = Some(won(400_000)))),
        "reported loss L 400,000 (300,000 < L ≤ 500,000) → base 50,000 → cap 1,000,000 → claimed 400,000 → 50,000"
    );
    assert_eq!(
        last_en(with(Category::SmallBusiness, |c| {
            c.claimed_amount = Some(won(800_000));
            c.documented_loss = Some(won(500_123));
        })),
        "reported loss L 800,000 > 500,000, documented loss 500,123: max(50,000, 50,000 + (500,123 − 500,000) × 0.1) = 50,012.3 → cap 1,000,000 → claimed 800,000 → 50,010"
    );
    assert_eq!(
        last_en(with(Category::Advertiser, |c| c.ad_spend = Some(won(3_683_856)))),
        "ad spend 3,683,856 → cap 5,000,000 → nothing claimed → 3,683,850"
    );
    assert_eq!(
        last_en(with(Category::PaidSubscriber, |_| {})),
        "3 × overlap 10 h 1 min ÷ 24 h = 1.25… → rounded up: 2 days of extension"
    );
}

#[test]
fn explain_agrees_with_evaluate_all_on_a_mixed_set() {
    let p = Policy::default_2022();
    let claims = sample_set();
    let all = evaluate_all(&p, &claims);
    for (i, o) in all.iter().enumerate() {
        let e = explain(&p, &claims, i);
        assert_eq!(&e.outcome, o, "claim {i}");
        assert_eq!(e.duplicate_of.is_some(), o.reason == Some(Reason::Duplicate));
    }
}

fn sample_set() -> Vec<PolicyInput> {
    let mut v = Vec::new();
    for (i, cat) in Category::ALL.iter().enumerate() {
        for j in 0..3 {
            v.push(with(*cat, |c| {
                c.external_id = format!("S{i}-{j}");
                c.received_at = at(&format!("2022-10-2{j} 10:00:00"));
                c.claimed_amount = Some(won(100_000 * (j as i64 + 1)));
                c.ad_spend = Some(won(40_000));
                c.daily_income = Some(won(90_000));
            }));
        }
    }
    v
}

// ---------------------------------------------------------------- what-if

#[test]
fn what_if_totals_differences_and_changed_claims() {
    let before = Policy::default_2022();
    let mut after = before.clone();
    after.taxi_driver.cap = won(50_000);
    let claims = vec![
        PolicyInput { external_id: "T1".into(), claimed_amount: None, ..taxi() },
        PolicyInput {
            external_id: "T2".into(),
            claimed_amount: Some(won(10_000)),
            phone: Some("01000000002".into()),
            ..taxi()
        },
        with(Category::FreeUser, |c| {
            c.external_id = "F1".into();
            c.phone = Some("01000000003".into());
        }),
        with(Category::FreeUser, |c| {
            c.external_id = "F2".into();
            c.phone = Some("01000000003".into());
            c.received_at = at("2022-10-21 10:00:00");
        }),
    ];
    let w = what_if(&before, &after, &claims);
    assert_eq!(w.before.claims, 4);
    assert_eq!((w.before.eligible, w.before.ineligible), (3, 1));
    assert_eq!(w.before.amount, won(75_120 + 10_000));
    assert_eq!(w.after.amount, won(50_000 + 10_000));
    assert_eq!(w.before.group(Category::TaxiDriver, Remedy::Cash).count, 2);
    assert_eq!(w.before.group(Category::FreeUser, Remedy::Voucher).count, 1);
    assert_eq!(w.before.group(Category::Advertiser, Remedy::Cash).count, 0);
    assert_eq!(w.before.reason_count(false, Some(Reason::Duplicate)), 1);
    assert_eq!(w.before.reason_count(true, None), 3);
    assert_eq!(w.changed.len(), 1);
    assert_eq!(w.changed[0].index, 0);
    assert_eq!(w.changed[0].external_id, "T1");
    assert_eq!(w.changed[0].after, cash(50_000));
    let taxi_diff = w.diff().into_iter().find(|d| d.category == Category::TaxiDriver).expect("taxi row");
    assert_eq!(taxi_diff.amount_change, won(50_000 - 75_120));
    assert_eq!(taxi_diff.count_change, 0);
    let json = serde_json::to_string(&w).unwrap_or_default();
    assert!(json.contains("\"changed\""), "{json}");

    let same = what_if(&before, &before, &claims);
    assert!(same.changed.is_empty());
    assert!(same.diff().iter().all(|d| d.amount_change.is_zero() && d.count_change == 0));
}

// ---------------------------------------------------------------- properties

fn arb_claim() -> impl Strategy<Value = PolicyInput> {
    let money = prop_oneof![
        Just(None),
        Just(Some(Decimal::ZERO)),
        (-1_000i64..0).prop_map(|n| Some(won(n))),
        (1i64..20_000_000).prop_map(|n| Some(won(n))),
        (1i64..2_000_000_000).prop_map(|n| Some(Decimal::new(n, 2))),
    ];
    let service = prop::sample::select(vec![
        "kakaotalk",
        "kakao_t",
        "daum_mail",
        "kakao_moment",
        "melon",
        "kakao_bank",
        "",
    ]);
    let phone =
        prop::sample::select(vec![None, Some("01011112222"), Some("01033334444"), Some("01055556666")]);
    let brn = prop::sample::select(vec![None, Some(VALID_BRN), Some(INVALID_BRN), Some("1234567891")]);
    let base = at("2022-10-14 00:00:00").timestamp();
    (
        prop::sample::select(Category::ALL.to_vec()),
        service,
        phone,
        brn,
        // Received on a coarse grid (hours) so that ties happen.
        (0i64..700).prop_map(move |h| base + h * 3600),
        (0i64..200_000).prop_map(move |s| base + s * 5),
        -10_000i64..400_000,
        (money.clone(), money.clone(), money.clone(), money),
    )
        .prop_map(|(category, service, phone, brn, received, start, len, (claimed, income, doc, ad))| {
            PolicyInput {
                external_id: String::new(),
                received_at: DateTime::from_timestamp(received, 0).unwrap_or_default(),
                category,
                service: service.into(),
                phone: phone.map(Into::into),
                brn: brn.map(Into::into),
                damage_start: DateTime::from_timestamp(start, 0).unwrap_or_default(),
                damage_end: DateTime::from_timestamp(start + len, 0).unwrap_or_default(),
                claimed_amount: claimed,
                daily_income: income,
                documented_loss: doc,
                ad_spend: ad,
                extra: Default::default(),
            }
        })
}

/// Claim sets with unique ids (some differing only in case, to exercise byte order).
fn arb_claims() -> impl Strategy<Value = Vec<PolicyInput>> {
    prop::collection::vec((arb_claim(), prop::sample::select(vec!["A", "a", "B", "C-", "접수"])), 0..60)
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (mut c, prefix))| {
                    c.external_id = format!("{prefix}{i}");
                    c
                })
                .collect()
        })
}

fn cap_of(p: &Policy, c: Category) -> Decimal {
    match c {
        Category::TaxiDriver => p.taxi_driver.cap,
        Category::DesignatedDriver => p.designated_driver.cap,
        Category::SmallBusiness => p.small_business.cap,
        Category::Advertiser => p.advertiser.cap,
        _ => Decimal::ZERO,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn amounts_respect_caps_claimed_floor10_and_sign(claims in arb_claims()) {
        let p = Policy::default_2022();
        let out = evaluate_all(&p, &claims);
        prop_assert_eq!(out.len(), claims.len());
        for (c, o) in claims.iter().zip(&out) {
            prop_assert!(o.amount >= Decimal::ZERO);
            prop_assert!(o.amount <= cap_of(&p, c.category), "{:?} {:?}", c, o);
            if let Some(claimed) = c.claimed_amount.filter(|x| *x > Decimal::ZERO) {
                prop_assert!(o.amount <= claimed);
            }
            prop_assert!((o.amount % Decimal::TEN).is_zero());
            prop_assert_eq!(o.amount.scale(), 0);
            if !o.eligible {
                prop_assert_eq!(o.remedy, Remedy::None);
                prop_assert!(o.amount.is_zero());
                prop_assert_eq!(o.extension_days, 0);
                prop_assert!(o.reason.is_some());
            } else if o.remedy != Remedy::Cash {
                prop_assert!(o.amount.is_zero());
            }
            if o.extension_days > 0 {
                prop_assert_eq!(o.remedy, Remedy::Extension);
            }
        }
    }

    #[test]
    fn deterministic_and_independent_of_input_order(claims in arb_claims(), keys in prop::collection::vec(any::<u32>(), 60)) {
        let p = Policy::default_2022();
        let out = evaluate_all(&p, &claims);
        prop_assert_eq!(&out, &evaluate_all(&p, &claims));
        let mut order: Vec<usize> = (0..claims.len()).collect();
        order.sort_by_key(|&i| keys.get(i).copied().unwrap_or(0));
        let shuffled: Vec<PolicyInput> = order.iter().map(|&i| claims[i].clone()).collect();
        let out2 = evaluate_all(&p, &shuffled);
        for (pos, &i) in order.iter().enumerate() {
            prop_assert_eq!(&out2[pos], &out[i]);
        }
    }

    #[test]
    fn explain_gives_the_same_outcome_as_evaluate_all(claims in arb_claims()) {
        let p = Policy::default_2022();
        let out = evaluate_all(&p, &claims);
        for (i, o) in out.iter().enumerate() {
            let e = explain(&p, &claims, i);
            prop_assert_eq!(&e.outcome, o);
            prop_assert!(!e.steps.is_empty());
            if let Some(reason) = o.reason.filter(|_| !o.eligible) {
                prop_assert_eq!(e.steps.last().map(|s| s.code.as_str()), Some(reason.code()));
            }
        }
    }

    #[test]
    fn one_winner_per_group(claims in arb_claims()) {
        let p = Policy::default_2022();
        let out = evaluate_all(&p, &claims);
        // Every duplicate has a non-duplicate, passing claim of the same key and service that is earlier.
        for (c, o) in claims.iter().zip(&out) {
            if o.reason == Some(Reason::Duplicate) {
                let has_winner = claims.iter().zip(&out).any(|(w, wo)| {
                    wo.reason != Some(Reason::Duplicate) && wo.reason.is_none_or(|r| matches!(r, Reason::NeedsEvidence | Reason::ManualReview))
                        && w.claimant_key() == c.claimant_key() && w.service == c.service
                        && (w.received_at, w.external_id.as_bytes()) < (c.received_at, c.external_id.as_bytes())
                });
                prop_assert!(has_winner);
            }
        }
    }
}

#[test]
fn default_policy_toml_prints_readably() {
    let text = Policy::default_2022().to_toml();
    eprintln!("{text}");
    assert!(text.contains("[[small_business.bands]]"));
    assert!(text.contains("extension_multiplier = 3"));
}

#[test]
fn policy_serde_and_outcome_serde_for_the_ui() {
    let o = cash(3_683_850);
    let json = serde_json::to_string(&o).unwrap_or_default();
    assert_eq!(
        json,
        r#"{"eligible":true,"reason":null,"remedy":"cash","amount":"3683850","extension_days":0}"#
    );
    let e = explain(&Policy::default_2022(), &[taxi()], 0);
    let back: Explanation =
        serde_json::from_str(&serde_json::to_string(&e).unwrap_or_default()).expect("round trip");
    assert_eq!(back, e);
}

// ---------------------------------------------------------------- speed (on demand)

/// `cargo test --release -p claimdesk-core -- --ignored evaluate_a_million --nocapture`
#[test]
#[ignore]
fn evaluate_a_million_claims() {
    let p = Policy::default_2022();
    let services = ["kakaotalk", "kakao_t", "daum_mail", "kakao_moment", "melon", "kakao_pay"];
    let claims: Vec<PolicyInput> = (0..1_000_000u32)
        .map(|i| {
            let cat = Category::ALL[(i % 7) as usize];
            with(cat, |c| {
                c.external_id = format!("C{i:08}");
                c.phone = Some(format!("010{:08}", i.wrapping_mul(2_654_435_761) % 700_000));
                c.brn = Some(VALID_BRN.into());
                c.service = services[(i % 6) as usize].into();
                c.received_at =
                    at("2022-10-19 00:00:00") + chrono::Duration::seconds(i64::from(i % 1_700_000));
                c.claimed_amount = Some(won(i64::from(i % 900_000)));
                c.daily_income = (i % 3 == 0).then(|| won(150_000));
                c.documented_loss = (i % 5 == 0).then(|| won(2_000_000));
                c.ad_spend = (i % 2 == 0).then(|| won(i64::from(i % 7_000_000)));
            })
        })
        .collect();
    let mut best = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let out = evaluate_all(&p, &claims);
        best = best.min(t.elapsed());
        assert_eq!(out.len(), claims.len());
    }
    eprintln!("evaluate_all over 1,000,000 claims: best of 5 = {best:?}");
}

// ---------------------------------------------------------------- worked example

/// The worked example of policy.md, checked without the intake crate: a
/// minimal reader of ../data/sample-intake.csv, evaluated over the rows that
/// the expected table lists (the rest are quarantined by intake). The files
/// are the project's own copies in fixtures/.
#[test]
fn worked_example_matches_sample_evaluation() {
    let dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../../fixtures")
    .display()
    .to_string();
    let intake =
        std::fs::read_to_string(format!("{dir}/sample-intake.csv")).expect("fixtures/sample-intake.csv");
    let expected = std::fs::read_to_string(format!("{dir}/sample-evaluation.csv"))
        .expect("fixtures/sample-evaluation.csv");
    let expected: Vec<&str> = expected.lines().skip(1).filter(|l| !l.is_empty()).collect();
    let wanted: std::collections::HashSet<&str> =
        expected.iter().filter_map(|l| l.split(',').next()).collect();
    let catalog = crate::catalog::Catalog::default_2022();
    let rows = mini_csv(intake.trim_start_matches('\u{feff}'));
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (id, rec, cat, ph, brn, svc, ds, de, cl, di, dl, ad) = (
        col("claim_id"),
        col("received_at"),
        col("category"),
        col("phone"),
        col("brn"),
        col("service"),
        col("damage_start"),
        col("damage_end"),
        col("claimed_amount_krw"),
        col("daily_income_krw"),
        col("documented_loss_krw"),
        col("ad_spend_krw"),
    );
    let mut claims = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &rows[1..] {
        let get = |i: usize| r.get(i).map(|s| s.trim()).unwrap_or("");
        if !wanted.contains(get(id)) || !seen.insert(get(id).to_string()) {
            continue;
        }
        let category = Category::parse(get(cat)).expect("category");
        let digits = |s: &str| -> Option<String> {
            let d: String = s.chars().filter(char::is_ascii_digit).collect();
            if d.is_empty() {
                None
            } else if d.starts_with("82") && d.len() == 12 {
                Some(format!("0{}", &d[2..]))
            } else {
                Some(d)
            }
        };
        claims.push(PolicyInput {
            external_id: get(id).into(),
            received_at: loose_time(get(rec)),
            category,
            service: catalog.find(get(svc)).map(|s| s.code.clone()).unwrap_or_else(|| get(svc).into()),
            phone: digits(get(ph)),
            brn: digits(get(brn)),
            damage_start: loose_time(get(ds)),
            damage_end: loose_time(get(de)),
            claimed_amount: loose_won(get(cl)),
            daily_income: loose_won(get(di)),
            documented_loss: loose_won(get(dl)),
            ad_spend: loose_won(get(ad)),
            extra: Default::default(),
        });
    }
    assert_eq!(claims.len(), expected.len(), "every expected claim is in the intake file");
    let out = evaluate_all(&Policy::default_2022(), &claims);
    let mut table: Vec<String> = claims
        .iter()
        .zip(&out)
        .map(|(c, o)| {
            format!(
                "{},{},{},{},{},{}",
                c.external_id,
                o.eligible,
                o.reason.map(|r| r.code()).unwrap_or(""),
                o.remedy.code(),
                o.amount,
                o.extension_days
            )
        })
        .collect();
    table.sort_by(|a, b| a.split(',').next().map(str::as_bytes).cmp(&b.split(',').next().map(str::as_bytes)));
    let mismatches: Vec<String> = table
        .iter()
        .zip(&expected)
        .filter(|(got, want)| got != *want)
        .map(|(got, want)| format!("got  {got}\nwant {want}"))
        .collect();
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

fn loose_time(s: &str) -> DateTime<Utc> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return t.with_timezone(&Utc);
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            if let Some(t) = kst().from_local_datetime(&n).single() {
                return t.with_timezone(&Utc);
            }
        }
    }
    panic!("time {s:?}");
}

fn loose_won(s: &str) -> Option<Decimal> {
    let t: String = s.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
    if t.is_empty() {
        None
    } else {
        t.parse().ok()
    }
}

/// RFC 4180: quoted fields with "" escapes and newlines.
fn mini_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
