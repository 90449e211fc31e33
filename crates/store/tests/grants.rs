//! Policies with segments and several grants through the store: the tier
//! column read from the intake file's extra columns, results with grants
//! stored and read back, totals by kind, what-if against the default, a
//! recommendation that follows the policy, an approval limited by the cash,
//! and a payout that pays the cash only.

mod common;

use claimdesk_core::policy::{Policy, FINAL_2022_POLICY_TOML};
use claimdesk_core::workflow::{Decision, PolicyProposal};
use claimdesk_core::{Grant, Reason, Remedy};
use common::{team, HEADER};
use rust_decimal::Decimal;

fn won(n: i64) -> Decimal {
    Decimal::from(n)
}

/// Taxi drivers with a membership tier column (Korean header, as the synthetic demo data has it), a small business, a free user.
fn tier_file() -> String {
    format!(
        "{HEADER},멤버십 등급
G-1,2022-10-19T09:12:00+09:00,taxi_driver,김택시,010-1234-5678,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,\"60,000\",\"180,000\",,,호출이 안 됐습니다,T 블루
G-2,2022-10-19T10:00:00+09:00,taxi_driver,이택시,010-2222-1111,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,,,,,호출이 안 됐습니다,블랙
G-3,2022-10-19T11:00:00+09:00,taxi_driver,박택시,010-3333-1111,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,,,,,호출이 안 됐습니다,
G-4,2022-10-20 10:00,소상공인,가나다식당,,220-81-62517,talk_channel,2022-10-15 16:00,2022-10-17 18:00,200000원,,,,예약 메시지가 오지 않았습니다,
G-5,2022-10-22 12:00,free_user,박무료,+82 10-4444-5555,,kakaotalk,2022-10-15 15:30,2022-10-16 01:31,,,,,메시지가 안 갔어요,
"
    )
}

fn credit() -> Grant {
    Grant::new(Remedy::MessageCredit, won(50_000), 0).with_label("카카오톡 채널 메시지 크레딧")
}

#[test]
fn the_final_2022_policy_reads_tiers_stores_grants_and_pays_only_cash() {
    let mut t = team();
    let file = t.write("tiers.csv", &tier_file());
    assert_eq!(t.import(&file).counts.imported, 5);
    let (park, choi, kim) = (t.park.clone(), t.choi.clone(), t.kim.clone());
    let default = Policy::default_2022();
    let fin = Policy::final_2022().expect("shipped");

    // What-if over the store (by hand: default 60,000 + 25,000 + 25,000 + 30,000 = 140,000 cash;
    // final 50,000 + 230,000 + 30,000 = 310,000, and one message credit of 50,000).
    let w = t.store.what_if(&default, &fin).expect("what-if");
    assert_eq!((w.before.amount, w.after.amount), (won(140_000), won(310_000)));
    let c = w.after.grant(Remedy::MessageCredit);
    assert_eq!((c.claims, c.amount), (1, won(50_000)));
    assert_eq!(
        w.changed.iter().map(|c| c.external_id.as_str()).collect::<Vec<_>>(),
        ["G-1", "G-2", "G-3", "G-4"]
    );

    let v2 = t.store.add_policy_version(&park, FINAL_2022_POLICY_TOML, "2022 최종", "").expect("add");
    assert_eq!(t.store.policy(v2).expect("stored"), fin, "stored as written");
    let summary = t.store.activate_policy(&park, v2, &mut |_| true).expect("activate");
    assert_eq!(summary.eligible, 5);

    // The stored results (queue columns and the grants column).
    let row = |id: &str| -> (String, i64, Option<String>, Option<String>) {
        t.store
            .conn()
            .query_row(
                "SELECT remedy, amount, reason, grants FROM claims WHERE external_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .expect("row")
    };
    assert_eq!(row("G-1"), ("cash".into(), 50_000, None, None), "a tier's cash is one grant: no list stored");
    assert_eq!(row("G-2").1, 230_000);
    assert_eq!(row("G-3"), ("manual_review".into(), 0, Some(Reason::SegmentMissing.code().into()), None));
    let g4 = row("G-4");
    assert_eq!((g4.0.as_str(), g4.1), ("cash", 30_000));
    let listed: Vec<Grant> = serde_json::from_str(g4.3.as_deref().expect("listed")).expect("grants json");
    assert_eq!(listed, vec![Grant::new(Remedy::Cash, won(30_000), 0), credit()]);
    // The evaluation table keeps its columns: the cash is the amount.
    let table = t.store.evaluation_table(None).expect("table");
    let g4_out = &table.iter().find(|(id, _)| id == "G-4").expect("G-4").1;
    assert_eq!((g4_out.remedy, g4_out.amount), (Remedy::Cash, won(30_000)));
    assert_eq!(&t.store.explain("G-4").expect("explain").outcome, g4_out, "explain agrees with the table");
    let steps: Vec<String> =
        t.store.explain("G-2").expect("explain").steps.into_iter().map(|s| s.code).collect();
    assert_eq!(steps.last().map(String::as_str), Some("SEGMENT"));

    // Totals by kind for the dashboard.
    let stats = t.store.stats().expect("stats");
    let kinds: Vec<(Remedy, u64, Decimal, u64)> =
        stats.grants.iter().map(|g| (g.kind, g.claims, g.amount, g.quantity)).collect();
    assert_eq!(
        kinds,
        [
            (Remedy::Voucher, 1, Decimal::ZERO, 1),
            (Remedy::Cash, 3, won(310_000), 0),
            (Remedy::MessageCredit, 1, won(50_000), 0)
        ]
    );

    // A reviewer follows the policy: the same grants are not an override.
    t.store.take(&kim, "G-4", None).expect("take");
    let proposal = PolicyProposal::of(&t.store.explain("G-4").expect("explain").outcome);
    assert_eq!(proposal.grants(), listed);
    t.store.recommend(&kim, "G-4", None, proposal.as_decision(), None).expect("follows the policy");
    let rec = t.store.claim("G-4").expect("claim").recommendation.expect("recommended");
    assert!(!rec.is_override);
    // More credit than the policy gives is an override: refused without a justification.
    t.store.take(&kim, "G-1", None).expect("take");
    let more = Decision::Approve {
        remedy: Remedy::Cash,
        amount: won(50_000),
        extension_days: 0,
        grants: vec![Grant::new(Remedy::Cash, won(50_000), 0), credit()],
    };
    let err = t.store.recommend(&kim, "G-1", None, more, None).expect_err("override");
    assert_eq!(err.code(), "OVERRIDE_NEEDS_JUSTIFICATION");

    // choi's limit (100,000 won) reads the cash: 30,000 is within it, whatever the credit.
    let batch = t.store.create_batch_of(&park, "최종안 1차", &["G-4".to_string()]).expect("batch");
    let review = t.store.batch_review(&batch.batch_id).expect("review");
    let kinds: Vec<(Remedy, u64, Decimal)> =
        review.grants.iter().map(|g| (g.kind, g.claims, g.amount)).collect();
    assert_eq!(
        kinds,
        [(Remedy::Cash, 1, won(30_000)), (Remedy::MessageCredit, 1, won(50_000))],
        "the batch shows what it grants"
    );
    let report = t.store.approve_batch(&choi, &batch.batch_id).expect("approve");
    assert_eq!(report.approved, 1, "{report:?}");
    // The payout pays the cash; the message credit is fulfilled outside ClaimDesk.
    let admin = t.admin.clone();
    let out = t.dir.path().join("payout.csv");
    let payout = t.store.export_payout(&admin, &out).expect("payout");
    assert_eq!((payout.claims, payout.total), (1, 30_000));

    // Reopened, the store reads the grants back as they were.
    let path = t.dir.path().join("claims.db");
    drop(t.store);
    let store = claimdesk_store::Store::open(&path).expect("reopen");
    let stored: String = store
        .conn()
        .query_row("SELECT grants FROM claims WHERE external_id = 'G-4'", [], |r| r.get(0))
        .expect("grants");
    assert_eq!(serde_json::from_str::<Vec<Grant>>(&stored).expect("json"), listed);
}

#[test]
fn a_tier_corrected_by_an_intake_update_is_evaluated_again() {
    let mut t = team();
    let file = t.write("tiers.csv", &tier_file());
    t.import(&file);
    let park = t.park.clone();
    let v2 = t.store.add_policy_version(&park, FINAL_2022_POLICY_TOML, "2022 최종", "").expect("add");
    t.store.activate_policy(&park, v2, &mut |_| true).expect("activate");
    assert_eq!(t.store.explain("G-3").expect("explain").outcome.reason, Some(Reason::SegmentMissing));
    // The same file again with G-3's tier filled in: an intake update, re-evaluated.
    let fixed = tier_file().replace("호출이 안 됐습니다,\n", "호출이 안 됐습니다,벤티\n");
    let file = t.write("tiers-2.csv", &fixed);
    let admin = t.admin.clone();
    let options = claimdesk_store::import::ImportOptions { update_existing: true, ..Default::default() };
    let summary = t.store.import_file(&admin, &file, options, &mut |_| true).expect("import");
    assert_eq!(summary.counts.updated, 1, "{:?}", summary.counts);
    let o = t.store.explain("G-3").expect("explain").outcome;
    assert_eq!((o.remedy, o.amount), (Remedy::Cash, won(150_000)));
    let stored: i64 = t.count("SELECT amount FROM claims WHERE external_id = 'G-3'");
    assert_eq!(stored, 150_000);
}
