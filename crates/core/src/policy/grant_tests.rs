//! Tests of what a policy can say beyond policy.md's table: segments inside a
//! category, non-cash grants with quantities, several grants on one claim,
//! the final 2022 example, and what-if between it and the default.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::grant::{self, Grant};
use crate::model::{Category, Reason, Remedy};
use crate::time::kst;

const VALID_BRN: &str = "2208162517";

fn at(text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("test time");
    kst().from_local_datetime(&naive).single().expect("unambiguous").with_timezone(&Utc)
}

fn won(n: i64) -> Decimal {
    Decimal::from(n)
}

/// A kakao_t claim with 10 h 1 min of overlap (as the worked example), received in the window.
fn claim(id: &str, category: Category) -> PolicyInput {
    PolicyInput {
        external_id: id.into(),
        received_at: at("2022-10-20 10:00:00"),
        category,
        service: "kakao_t".into(),
        phone: Some(format!("010{:08}", id.bytes().map(u32::from).sum::<u32>())),
        brn: category.is_business().then(|| VALID_BRN.to_string()),
        damage_start: at("2022-10-15 20:00:00"),
        damage_end: at("2022-10-16 06:01:00"),
        claimed_amount: None,
        daily_income: None,
        documented_loss: None,
        ad_spend: None,
        extra: BTreeMap::new(),
    }
}

fn tier(mut c: PolicyInput, header: &str, value: &str) -> PolicyInput {
    c.extra.insert(header.into(), value.into());
    c
}

fn final_2022() -> Policy {
    Policy::final_2022().expect("the shipped example is valid")
}

fn one(p: &Policy, c: PolicyInput) -> Outcome {
    evaluate_all(p, &[c]).into_iter().next().expect("one outcome")
}

fn cash(amount: i64) -> Outcome {
    Outcome::eligible(Remedy::Cash, None, won(amount), 0)
}

fn codes(p: &Policy, c: PolicyInput) -> Vec<String> {
    explain(p, &[c], 0).steps.into_iter().map(|s| s.code).collect()
}

fn err_of(text: &str) -> String {
    match Policy::from_toml(text) {
        Ok(_) => "accepted".into(),
        Err(e) => format!("{}: {e}", e.code()),
    }
}

// ---------------------------------------------------------------- the shipped examples

#[test]
fn both_shipped_policies_validate_and_round_trip() {
    let default = Policy::default_2022();
    let fin = final_2022();
    assert_eq!(fin.name, "2022 카카오 장애 최종 보상안 (final 2022)");
    assert_eq!(Policy::from_toml(&fin.to_toml()).expect("round trip"), fin);
    assert!(fin.reads_extra_columns() && !default.reads_extra_columns());
    // Only the two categories the programme changed differ from the default.
    assert_eq!(fin.services, default.services);
    assert_eq!(
        (&fin.filing_window, &fin.free_user, &fin.paid_subscriber),
        (&default.filing_window, &default.free_user, &default.paid_subscriber)
    );
    assert_eq!((&fin.designated_driver, &fin.advertiser), (&default.designated_driver, &default.advertiser));
    assert_eq!(fin.small_business.bands, default.small_business.bands);
    let tiers: Vec<(String, Decimal)> = fin
        .taxi_driver
        .segments
        .iter()
        .flat_map(|s| s.segments.iter().map(|x| (x.label.clone(), x.amount)))
        .collect();
    assert_eq!(
        tiers,
        [("T 블루".to_string(), won(50_000)), ("벤티".into(), won(150_000)), ("블랙".into(), won(230_000))]
    );
    assert_eq!(example_policy("final-2022").map(|e| e.toml), Some(FINAL_2022_POLICY_TOML));
    assert_eq!(example_policy(" default-2022 ").map(|e| e.toml), Some(DEFAULT_POLICY_TOML));
    assert!(example_policy("coupang-2025").is_none());
    for e in EXAMPLE_POLICIES {
        assert!(Policy::from_toml(e.toml).is_ok(), "{}", e.code);
    }
}

#[test]
fn the_default_policy_writes_none_of_the_new_fields() {
    // Stored versions are written with to_toml: the default's text is what it always was.
    let text = Policy::default_2022().to_toml();
    for field in ["free_user", "segments", "grants", "segment", "otherwise"] {
        assert!(!text.contains(field), "{field} in\n{text}");
    }
}

// ---------------------------------------------------------------- segments

#[test]
fn a_taxi_tier_pays_its_flat_amount_whatever_the_formula_or_the_claim() {
    let p = final_2022();
    let blue = PolicyInput {
        daily_income: Some(won(1_000_000)),
        claimed_amount: Some(won(10_000)),
        ..claim("T1", Category::TaxiDriver)
    };
    assert_eq!(
        one(&p, tier(blue.clone(), "멤버십 등급", "T 블루")),
        cash(50_000),
        "no cap, no claimed amount"
    );
    // Values and headers compare as intake's headers: case, spaces, _ and - do not count.
    assert_eq!(one(&p, tier(blue.clone(), "Membership_Tier", " t-venti ")), cash(150_000));
    assert_eq!(one(&p, tier(blue.clone(), "멤버십등급", "BLACK")), cash(230_000));
    assert_eq!(one(&p, tier(blue.clone(), "membership tier", "블랙")), cash(230_000));
    // The explanation names the column, the value and the segment.
    let e = explain(&p, &[tier(blue.clone(), "멤버십 등급", "벤티")], 0);
    let last = e.steps.last().expect("a step");
    assert_eq!(last.code, "SEGMENT");
    assert_eq!(last.ko, "멤버십 등급 '벤티' → 구간 '벤티': 정액 150,000원 (상한·청구액 미적용)");
    assert_eq!(
        last.en,
        "멤버십 등급 '벤티' → segment '벤티': flat 150,000 (no cap, the claimed amount does not apply)"
    );
    // Other categories do not read the column.
    assert_eq!(one(&p, tier(claim("D1", Category::DesignatedDriver), "멤버십 등급", "블랙")), cash(25_000));
}

#[test]
fn a_missing_or_unknown_tier_goes_to_manual_review_with_its_reason() {
    let p = final_2022();
    let needs = |r: Reason| Outcome::eligible(Remedy::ManualReview, Some(r), Decimal::ZERO, 0);
    let t = claim("T1", Category::TaxiDriver);
    assert_eq!(one(&p, t.clone()), needs(Reason::SegmentMissing), "no such column");
    assert_eq!(one(&p, tier(t.clone(), "멤버십 등급", "  ")), needs(Reason::SegmentMissing), "a blank value");
    assert_eq!(
        one(&p, tier(t.clone(), "차량번호", "서울32바1234")),
        needs(Reason::SegmentMissing),
        "another column"
    );
    assert_eq!(one(&p, tier(t.clone(), "멤버십 등급", "골드")), needs(Reason::SegmentUnknown));
    let e = explain(&p, &[tier(t.clone(), "멤버십 등급", "골드")], 0);
    assert_eq!(
        e.steps.last().map(|s| s.en.as_str()),
        Some("멤버십 등급 '골드' is not a segment of this policy (T 블루, 벤티, 블랙) → manual review")
    );
    assert_eq!(codes(&p, t.clone()).last().map(String::as_str), Some("SEGMENT_MISSING"));
    // The first listed column with a value is read.
    let both = tier(tier(t.clone(), "membership_tier", "Black"), "멤버십 등급", "");
    assert_eq!(one(&p, both), cash(230_000));
}

#[test]
fn a_segment_fallback_of_formula_keeps_the_categorys_formula() {
    let text = FINAL_2022_POLICY_TOML.replace("otherwise = \"manual_review\"", "otherwise = \"formula\"");
    let p = Policy::from_toml(&text).expect("valid");
    let t = PolicyInput { daily_income: Some(won(180_000)), ..claim("T1", Category::TaxiDriver) };
    assert_eq!(one(&p, t.clone()), cash(75_120), "the default's formula: floor10(75,125)");
    assert_eq!(
        codes(&p, tier(t.clone(), "멤버십 등급", "골드")),
        ["FILED_IN_WINDOW", "OVERLAP", "FIRST_REPORT", "SEGMENT_FALLBACK", "CASH"]
    );
    assert_eq!(one(&p, tier(t, "멤버십 등급", "블루")), cash(50_000));
}

#[test]
fn segments_work_in_every_cash_category() {
    let segments = |cat: &str| {
        format!("\n[{cat}.segments]\ncolumn = [\"등급\"]\n[[{cat}.segments.segment]]\nlabel = \"A\"\nvalues = [\"A\"]\namount = 77000\n")
    };
    let mut text = Policy::default_2022().to_toml();
    for cat in ["designated_driver", "small_business", "advertiser"] {
        let header = format!("[{cat}]\n");
        let start = text.find(&header).expect("section");
        let end = text[start + header.len()..].find("\n[").map_or(text.len(), |i| start + header.len() + i);
        text.insert_str(end, &segments(cat));
    }
    let p = Policy::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    for cat in [Category::DesignatedDriver, Category::SmallBusiness, Category::Advertiser] {
        assert_eq!(one(&p, tier(claim("X", cat), "등급", "a")), cash(77_000), "{cat:?}");
        assert_eq!(one(&p, claim("X", cat)).reason, Some(Reason::SegmentMissing), "{cat:?}");
    }
}

// ---------------------------------------------------------------- grants

#[test]
fn a_small_business_gets_its_cash_and_the_message_credit() {
    let p = final_2022();
    let sb = PolicyInput { claimed_amount: Some(won(400_000)), ..claim("S1", Category::SmallBusiness) };
    let o = one(&p, sb.clone());
    let credit = Grant::new(Remedy::MessageCredit, won(50_000), 0).with_label("카카오톡 채널 메시지 크레딧");
    assert_eq!(
        (o.eligible, o.reason, o.remedy, o.amount, o.extension_days),
        (true, None, Remedy::Cash, won(50_000), 0)
    );
    assert_eq!(o.grants, vec![Grant::new(Remedy::Cash, won(50_000), 0), credit.clone()]);
    assert_eq!(o.grants(), o.grants);
    let e = explain(&p, &[sb], 0);
    assert_eq!(e.outcome, o);
    let last = e.steps.last().expect("a step");
    assert_eq!(last.code, "GRANT");
    assert_eq!(last.ko, "함께 지급: 메시지 크레딧 50,000원 (카카오톡 채널 메시지 크레딧)");
    assert_eq!(last.en, "also granted: message credit 50,000 (카카오톡 채널 메시지 크레딧)");
    // Manual review gives nothing yet: the reviewer decides.
    let big = PolicyInput { claimed_amount: Some(won(800_000)), ..claim("S2", Category::SmallBusiness) };
    assert_eq!(
        one(&p, big),
        Outcome::eligible(Remedy::ManualReview, Some(Reason::NeedsEvidence), Decimal::ZERO, 0)
    );
    // The default policy's results list no grants: the single-remedy form says it all.
    let d = one(
        &Policy::default_2022(),
        PolicyInput { claimed_amount: Some(won(400_000)), ..claim("S1", Category::SmallBusiness) },
    );
    assert_eq!(d, cash(50_000));
    assert_eq!(d.grants(), vec![Grant::new(Remedy::Cash, won(50_000), 0)]);
    let json = serde_json::to_string(&d).unwrap_or_default();
    assert_eq!(
        json,
        r#"{"eligible":true,"reason":null,"remedy":"cash","amount":"50000","extension_days":0}"#
    );
}

/// The 2025 Coupang breach as a second check: 50,000 won of vouchers per
/// person in four parts, and no apology emoticon.
const COUPANG_FREE_USER: &str = r#"
[free_user]
voucher = false

[[free_user.grants]]
kind = "voucher"
amount = 5000
label = "쿠팡 전 상품"

[[free_user.grants]]
kind = "voucher"
amount = 5000
label = "쿠팡이츠"

[[free_user.grants]]
kind = "voucher"
amount = 20000
label = "쿠팡트래블"

[[free_user.grants]]
kind = "voucher"
amount = 20000
label = "알럭스"
"#;

fn with_section(section: &str) -> String {
    let text = DEFAULT_POLICY_TOML;
    let at = text.find("[paid_subscriber]").expect("section");
    format!("{}{section}\n{}", &text[..at], &text[at..])
}

#[test]
fn a_free_user_can_get_four_vouchers_instead_of_the_emoticon() {
    let p = Policy::from_toml(&with_section(COUPANG_FREE_USER)).expect("valid");
    let o = one(&p, claim("F1", Category::FreeUser));
    assert_eq!((o.remedy, o.amount, o.extension_days), (Remedy::Voucher, Decimal::ZERO, 0), "no cash");
    let parts: Vec<(Decimal, u32)> = o.grants.iter().map(|g| (g.amount, g.quantity)).collect();
    assert_eq!(parts, [(won(5_000), 1), (won(5_000), 1), (won(20_000), 1), (won(20_000), 1)]);
    let steps = codes(&p, claim("F1", Category::FreeUser));
    assert_eq!(
        steps,
        ["FILED_IN_WINDOW", "OVERLAP", "FIRST_REPORT", "GRANT", "GRANT", "GRANT", "GRANT"],
        "no VOUCHER step"
    );
    let w = what_if(
        &Policy::default_2022(),
        &p,
        &[claim("F1", Category::FreeUser), claim("F2", Category::FreeUser)],
    );
    let v = w.after.grant(Remedy::Voucher);
    assert_eq!((v.claims, v.grants, v.amount, v.quantity), (2, 8, won(100_000), 8));
    let before = w.before.grant(Remedy::Voucher);
    assert_eq!((before.claims, before.grants, before.amount, before.quantity), (2, 2, Decimal::ZERO, 2));
    assert_eq!(w.changed.len(), 2);
    // Text survives a round trip with every grant.
    assert_eq!(Policy::from_toml(&p.to_toml()).expect("round trip"), p);
}

#[test]
fn grants_add_to_every_category_and_keep_the_own_remedy_first() {
    let section = "[[paid_subscriber.grants]]\nkind = \"points\"\nquantity = 3000\namount = 3000\n";
    let text = DEFAULT_POLICY_TOML
        .replace("extension_multiplier = 3\n", &format!("extension_multiplier = 3\n\n{section}"));
    let text = text.replace(
        "cap = 200000\n",
        "cap = 200000\n\n[[designated_driver.grants]]\nkind = \"fee_waiver\"\nquantity = 1\n",
    );
    let p = Policy::from_toml(&text).expect("valid");
    let o = one(&p, claim("P1", Category::PaidSubscriber));
    assert_eq!((o.remedy, o.extension_days), (Remedy::Extension, 2));
    assert_eq!(
        o.grants,
        vec![Grant::new(Remedy::Extension, Decimal::ZERO, 2), Grant::new(Remedy::Points, won(3_000), 3_000)]
    );
    let o = one(&p, claim("D1", Category::DesignatedDriver));
    assert_eq!((o.remedy, o.amount), (Remedy::Cash, won(25_000)));
    assert_eq!(o.grants[1], Grant::new(Remedy::FeeWaiver, Decimal::ZERO, 1));
    let e = explain(&p, &[claim("P1", Category::PaidSubscriber)], 0);
    assert_eq!(e.steps.last().map(|s| s.ko.as_str()), Some("함께 지급: 포인트 3,000포인트, 3,000원 상당"));
}

// ---------------------------------------------------------------- validation

#[test]
fn bad_segments_and_grants_name_their_field() {
    let fin = FINAL_2022_POLICY_TOML;
    let e = err_of(&fin.replace(
        "values = [\"벤티\", \"T 벤티\", \"Venti\", \"T Venti\"]",
        "values = [\"벤티\", \"t-blue\"]",
    ));
    assert_eq!(
        e,
        "POLICY_INVALID: taxi_driver.segments.segment[1].values[1] 't-blue' is already a value of taxi_driver.segments.segment[0] \
         (values are compared ignoring case, spaces, _ and -)"
    );
    // The editor words it in Korean from the core's own message, at the same field.
    let taken = toml::from_str::<Policy>(&fin.replace(
        "values = [\"벤티\", \"T 벤티\", \"Venti\", \"T Venti\"]",
        "values = [\"벤티\", \"t-blue\"]",
    ))
    .expect("reads")
    .problems();
    assert_eq!(taken[0].path, "taxi_driver.segments.segment[1].values[1]");
    assert_eq!(
        taken[0].explain.render(crate::message::Lang::Ko),
        "'t-blue'은(는) 이미 taxi_driver.segments.segment[0]의 값입니다(대소문자, 공백, _와 -는 구분하지 않습니다)."
    );
    let e = err_of(&fin.replace("amount = 150000", "amount = -150000"));
    assert_eq!(e, "POLICY_INVALID: taxi_driver.segments.segment[1].amount must be >= 0");
    let e = err_of(&fin.replace("amount = 150000", "amount = 150000.5"));
    assert_eq!(e, "POLICY_INVALID: taxi_driver.segments.segment[1].amount must be a whole number of won");
    let e = err_of(&fin.replace("column = [\"멤버십 등급\", \"membership_tier\"]", "column = []"));
    assert!(e.starts_with("POLICY_INVALID: taxi_driver.segments.column must name the intake column"), "{e}");
    let e =
        err_of(&fin.replace(
            "column = [\"멤버십 등급\", \"membership_tier\"]",
            "column = [\"멤버십 등급\", \" _ \"]",
        ));
    assert_eq!(e, "POLICY_INVALID: taxi_driver.segments.column[1] must not be blank");
    let e = err_of(&fin.replace("label = \"벤티\"", "label = \" \""));
    assert_eq!(e, "POLICY_INVALID: taxi_driver.segments.segment[1].label must not be empty");
    let e = err_of(&fin.replace("values = [\"블랙\", \"T 블랙\", \"Black\", \"T Black\"]", "values = []"));
    assert!(e.starts_with("POLICY_INVALID: taxi_driver.segments.segment[2].values must list"), "{e}");
    let e = err_of(&fin.replace("otherwise = \"manual_review\"", "otherwise = \"guess\""));
    assert!(e.starts_with("POLICY_SYNTAX") && e.contains("guess"), "{e}");
    let e = err_of(&fin.replace("label = \"T 블루\"", "label = \"T 블루\"\ncolour = \"blue\""));
    assert!(e.starts_with("POLICY_SYNTAX") && e.contains("colour"), "{e}");
    // Grants.
    let e = err_of(&fin.replace("kind = \"message_credit\"", "kind = \"cash\""));
    assert!(e.starts_with("POLICY_INVALID: small_business.grants[0].kind cannot be cash"), "{e}");
    let e = err_of(&fin.replace("kind = \"message_credit\"", "kind = \"manual_review\""));
    assert!(e.starts_with("POLICY_INVALID: small_business.grants[0].kind must be voucher"), "{e}");
    let e = err_of(&fin.replace("kind = \"message_credit\"", "kind = \"lottery\""));
    assert!(e.starts_with("POLICY_SYNTAX") && e.contains("lottery"), "{e}");
    let e = err_of(
        &fin.replace("kind = \"message_credit\"\namount = 50000", "kind = \"message_credit\"\namount = -1"),
    );
    assert_eq!(e, "POLICY_INVALID: small_business.grants[0].amount must be >= 0");
    let e = err_of(
        &fin.replace("kind = \"message_credit\"\namount = 50000", "kind = \"points\"\namount = 50000"),
    );
    assert_eq!(e, "POLICY_INVALID: small_business.grants[0].quantity must be at least 1 (points) for points");
    let e = err_of(&fin.replace(
        "kind = \"message_credit\"\namount = 50000",
        "kind = \"message_credit\"\namount = 50000\nquantity = 2",
    ));
    assert!(
        e.starts_with("POLICY_INVALID: small_business.grants[0].quantity is not used by message_credit"),
        "{e}"
    );
    let e = err_of(&with_section("[free_user]\nvoucher = false\n"));
    assert_eq!(e, "POLICY_INVALID: free_user.grants must list a grant when free_user.voucher is false");
    let many = "[[advertiser.grants]]\nkind = \"points\"\nquantity = 1\n".repeat(9);
    let e = err_of(&DEFAULT_POLICY_TOML.replace("cap = 5000000\n", &format!("cap = 5000000\n\n{many}")));
    assert_eq!(e, "POLICY_INVALID: advertiser.grants may list at most 8 grants");
}

#[test]
fn old_policy_files_parse_unchanged_and_give_the_same_results() {
    // The default file as shipped before segments and grants, and its round trip, give the same results.
    let old = Policy::from_toml(DEFAULT_POLICY_TOML).expect("valid");
    let again = Policy::from_toml(&old.to_toml()).expect("valid");
    let claims: Vec<PolicyInput> =
        Category::ALL.iter().enumerate().map(|(i, c)| claim(&format!("C{i}"), *c)).collect();
    assert_eq!(evaluate_all(&old, &claims), evaluate_all(&again, &claims));
    assert!(evaluate_all(&old, &claims).iter().all(|o| o.grants.is_empty()));
}

// ---------------------------------------------------------------- what-if between the two

/// Nine claims, computed by hand under both policies (overlap 10 h 1 min = 36,060 s):
///
/// | claim | default | final 2022 |
/// | --- | --- | --- |
/// | T1 taxi, income 180,000, claimed 60,000, tier T 블루 | min(75,125, 60,000) → 60,000 | 50,000 |
/// | T2 taxi, no income, tier 블랙 | flat 25,000 | 230,000 |
/// | T3 taxi, income 180,000, tier Venti | floor10(75,125) = 75,120 | 150,000 |
/// | T4 taxi, no income, no tier | flat 25,000 | manual review, SEGMENT_MISSING |
/// | S1 small business, claimed 400,000 | band 2: 50,000 | 50,000 + message credit 50,000 |
/// | S2 small business, claimed 200,000 | band 1: 30,000 | 30,000 + message credit 50,000 |
/// | S3 small business, claimed 800,000, no documented loss | manual review, NEEDS_EVIDENCE | the same |
/// | F1 free user | voucher | voucher |
/// | P1 paid subscriber | ceil(3 × 36,060 / 86,400) = 2 days | 2 days |
///
/// Cash: before 60,000 + 25,000 + 75,120 + 25,000 + 50,000 + 30,000 = 265,120
/// over 6 claims; after 50,000 + 230,000 + 150,000 + 50,000 + 30,000 = 510,000
/// over 5. Message credit after: 2 claims, 100,000. Six claims change.
fn hand_computed_claims() -> Vec<PolicyInput> {
    let taxi = |id: &str, income: Option<i64>, claimed: Option<i64>, t: Option<&str>| {
        let c = PolicyInput {
            daily_income: income.map(won),
            claimed_amount: claimed.map(won),
            ..claim(id, Category::TaxiDriver)
        };
        match t {
            Some(v) => tier(c, "멤버십 등급", v),
            None => c,
        }
    };
    // One BRN, three services: three claimants' groups, no duplicates.
    let small = |id: &str, claimed: i64, service: &str| PolicyInput {
        claimed_amount: Some(won(claimed)),
        service: service.into(),
        ..claim(id, Category::SmallBusiness)
    };
    vec![
        taxi("T1", Some(180_000), Some(60_000), Some("T 블루")),
        taxi("T2", None, None, Some("블랙")),
        taxi("T3", Some(180_000), None, Some("Venti")),
        taxi("T4", None, None, None),
        small("S1", 400_000, "kakaotalk"),
        small("S2", 200_000, "talk_channel"),
        small("S3", 800_000, "kakao_pay"),
        claim("F1", Category::FreeUser),
        claim("P1", Category::PaidSubscriber),
    ]
}

#[test]
fn what_if_default_against_final_2022_on_hand_computed_claims() {
    let claims = hand_computed_claims();
    let w = what_if(&Policy::default_2022(), &final_2022(), &claims);
    assert_eq!((w.before.amount, w.after.amount), (won(265_120), won(510_000)));
    let cash_of = |t: &Totals| {
        let g = t.grant(Remedy::Cash);
        (g.claims, g.amount)
    };
    assert_eq!(cash_of(&w.before), (6, won(265_120)));
    assert_eq!(cash_of(&w.after), (5, won(510_000)));
    let credit = w.after.grant(Remedy::MessageCredit);
    assert_eq!((credit.claims, credit.grants, credit.amount, credit.quantity), (2, 2, won(100_000), 0));
    assert_eq!(w.before.grant(Remedy::MessageCredit).claims, 0);
    for t in [&w.before, &w.after] {
        assert_eq!((t.grant(Remedy::Voucher).claims, t.grant(Remedy::Voucher).quantity), (1, 1));
        assert_eq!((t.grant(Remedy::Extension).claims, t.grant(Remedy::Extension).quantity), (1, 2));
    }
    assert_eq!(w.after.reason_count(true, Some(Reason::SegmentMissing)), 1);
    assert_eq!(w.before.reason_count(true, Some(Reason::NeedsEvidence)), 1);
    let changed: Vec<&str> = w.changed.iter().map(|c| c.external_id.as_str()).collect();
    assert_eq!(changed, ["T1", "T2", "T3", "T4", "S1", "S2"]);
    let taxi = w
        .diff()
        .into_iter()
        .find(|d| d.category == Category::TaxiDriver && d.remedy == Remedy::Cash)
        .expect("taxi cash row");
    assert_eq!((taxi.before_count, taxi.after_count, taxi.amount_change), (4, 3, won(430_000 - 185_120)));
    let kinds: Vec<(Remedy, i64, Decimal)> =
        w.grant_difference.iter().map(|d| (d.kind, d.claims_change, d.amount_change)).collect();
    assert_eq!(
        kinds,
        [
            (Remedy::Voucher, 0, Decimal::ZERO),
            (Remedy::Extension, 0, Decimal::ZERO),
            (Remedy::Cash, -1, won(510_000 - 265_120)),
            (Remedy::MessageCredit, 2, won(100_000)),
        ]
    );
}

// ---------------------------------------------------------------- properties

fn policies() -> Vec<Policy> {
    vec![
        Policy::default_2022(),
        final_2022(),
        Policy::from_toml(&with_section(COUPANG_FREE_USER)).expect("valid"),
    ]
}

fn arb_claims() -> impl Strategy<Value = Vec<PolicyInput>> {
    let one = (
        prop::sample::select(Category::ALL.to_vec()),
        prop::sample::select(vec![
            None,
            Some("T 블루"),
            Some("벤티"),
            Some("black"),
            Some("골드"),
            Some(" "),
        ]),
        prop::sample::select(vec!["멤버십 등급", "membership_tier", "기타"]),
        prop::option::of(0i64..2_000_000),
        prop::option::of(0i64..500_000),
        prop::sample::select(vec!["kakao_t", "kakaotalk", "kakao_moment"]),
        0u32..4,
    );
    prop::collection::vec(one, 0..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (category, value, header, claimed, income, service, phone))| {
                let mut c = claim(&format!("R{i}"), category);
                c.phone = Some(format!("0101111000{phone}"));
                c.service = service.into();
                c.claimed_amount = claimed.map(won);
                c.daily_income = income.map(won);
                if let Some(v) = value {
                    c.extra.insert(header.into(), v.into());
                }
                c
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_result_is_the_summary_of_its_grants_and_explain_agrees(claims in arb_claims()) {
        for p in policies() {
            let out = evaluate_all(&p, &claims);
            let totals = Totals::of(&claims, &out);
            prop_assert_eq!(totals.grant(Remedy::Cash).amount, totals.amount, "cash grants are the amount");
            for (i, o) in out.iter().enumerate() {
                let grants = o.grants();
                if o.eligible && o.remedy.is_grant() {
                    prop_assert_eq!(grant::summary(&grants), (o.remedy, o.amount, o.extension_days));
                    prop_assert!(grants.iter().all(|g| g.check().is_ok()), "{:?}", grants);
                    prop_assert!(grant::check_listed(o.remedy, o.amount, o.extension_days, &grants).is_ok());
                } else {
                    prop_assert!(grants.is_empty());
                    prop_assert!(o.amount.is_zero());
                }
                // Kept compact: a list only when the single-remedy form cannot say it.
                prop_assert_eq!(&grant::compact(o.remedy, o.amount, o.extension_days, grants), &o.grants);
                let e = explain(&p, &claims, i);
                prop_assert_eq!(&e.outcome, o);
                let back: Outcome = serde_json::from_str(&serde_json::to_string(o).unwrap_or_default()).expect("json");
                prop_assert_eq!(&back, o);
            }
        }
    }

    #[test]
    fn a_tier_decides_a_taxi_drivers_cash_under_final_2022(claims in arb_claims()) {
        let p = final_2022();
        let out = evaluate_all(&p, &claims);
        for (c, o) in claims.iter().zip(&out) {
            if c.category != Category::TaxiDriver || !o.eligible {
                continue;
            }
            let value = ["멤버십 등급", "membership_tier"].iter().find_map(|h| c.extra.get(*h)).map(|v| v.trim().to_lowercase());
            let expected = match value.as_deref() {
                Some("t 블루") => Some(50_000),
                Some("벤티") => Some(150_000),
                Some("black") => Some(230_000),
                _ => None,
            };
            match expected {
                Some(amount) => prop_assert_eq!(o, &cash(amount)),
                None => prop_assert_eq!(o.remedy, Remedy::ManualReview),
            }
        }
    }
}
