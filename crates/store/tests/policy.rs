//! Policy versions: a new version is validated, activated in one
//! transaction with the re-evaluation of every claim, and compared with
//! what-if before that.

mod common;

use claimdesk_core::Remedy;
use common::{small_file, team};
use rust_decimal::Decimal;

#[test]
fn a_new_version_is_compared_then_activated() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let (park, kim) = (t.park.clone(), t.kim.clone());
    let (v1, current) = t.store.active_policy().expect("active");
    assert_eq!(v1, 1);

    // Lower the taxi cap to 50,000 in a draft.
    let mut draft = current.clone();
    draft.taxi_driver.cap = Decimal::from(50_000);
    let what_if = t.store.what_if(&current, &draft).expect("what-if");
    assert_eq!(what_if.changed.len(), 1);
    assert_eq!(what_if.changed[0].external_id, "T-001");
    assert_eq!(what_if.changed[0].after.amount, Decimal::from(50_000));

    // Reviewers may not add versions; a broken file is refused with the field named.
    assert_eq!(
        t.store.add_policy_version(&kim, &draft.to_toml(), "낮은 상한", "").expect_err("reviewer").code(),
        "ROLE_NOT_ALLOWED"
    );
    let broken = draft.to_toml().replace("cap = 50000", "cap = -1");
    let err = t.store.add_policy_version(&park, &broken, "깨진 정책", "").expect_err("invalid");
    assert!(err.to_string().contains("cap"), "{err}");

    let v2 =
        t.store.add_policy_version(&park, &draft.to_toml(), "낮은 상한", "택시 상한 5만원").expect("add");
    assert_eq!(
        t.store.explain("T-001").expect("explain").outcome.amount,
        Decimal::from(60_000),
        "not active yet"
    );

    // A cancelled activation leaves the old version active with its results.
    let err = t.store.activate_policy(&park, v2, &mut |_| false).expect_err("cancelled");
    assert_eq!(err.code(), "CANCELLED");
    assert_eq!(t.store.active_policy().expect("active").0, 1);

    let summary = t.store.activate_policy(&park, v2, &mut |_| true).expect("activate");
    assert_eq!(
        (summary.policy_version, summary.changed),
        (v2, 4),
        "every claim is stamped with the new version"
    );
    assert_eq!(t.store.active_policy().expect("active").0, v2);
    let row = t.store.queue_page(&Default::default(), Default::default(), 0, 10).expect("queue");
    let taxi = row.rows.iter().find(|r| r.external_id == "T-001").expect("T-001");
    assert_eq!((taxi.remedy.as_deref(), taxi.amount), (Some(Remedy::Cash.code()), Some(50_000)));
    assert_eq!(t.count("SELECT count(*) FROM ops WHERE kind = 'policy.activate' AND outcome = 'applied'"), 1);
}

#[test]
fn an_unsaved_draft_is_compared_with_a_saved_version_by_a_supervisor_only() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let (park, kim, admin) = (t.park.clone(), t.kim.clone(), t.admin.clone());
    let (v1, current) = t.store.active_policy().expect("active");
    let mut draft = current.clone();
    draft.taxi_driver.cap = Decimal::from(50_000);
    let versions_before = t.store.policy_versions().expect("versions").len();
    let ops_before = t.count("SELECT count(*) FROM ops");

    // Against the active version by default; the same result as two saved versions would give.
    let (version, result) = t.store.what_if_draft(&park, None, &draft.to_toml()).expect("what-if");
    assert_eq!(version, v1);
    assert_eq!(result, t.store.what_if(&current, &draft).expect("what-if"));
    assert_eq!(result.changed.iter().map(|c| c.external_id.as_str()).collect::<Vec<_>>(), vec!["T-001"]);
    assert_eq!(result.changed[0].after.amount, Decimal::from(50_000));
    assert_eq!(t.store.what_if_draft(&admin, Some(v1), &draft.to_toml()).expect("admin").1, result);

    // Reviewers are refused; an invalid draft or an unknown version is named.
    let err = t.store.what_if_draft(&kim, None, &draft.to_toml()).expect_err("reviewer");
    assert_eq!(err.code(), "ROLE_NOT_ALLOWED");
    let err = t
        .store
        .what_if_draft(&park, None, &draft.to_toml().replace("cap = 50000\n", "cap = 0\n"))
        .expect_err("invalid");
    assert!(err.to_string().contains("taxi_driver.cap"), "{err}");
    assert_eq!(
        t.store.what_if_draft(&park, Some(99), &draft.to_toml()).expect_err("no such version").code(),
        "NOT_FOUND"
    );

    // Nothing was saved.
    assert_eq!(t.store.policy_versions().expect("versions").len(), versions_before);
    assert_eq!(t.count("SELECT count(*) FROM ops"), ops_before);
    assert_eq!(t.store.active_policy().expect("active").0, v1);
}

#[test]
fn the_evaluation_table_of_a_larger_store_is_complete_sorted_and_agrees_with_explain() {
    let mut t = team();
    let file = t.dir.path().join("many.csv");
    // Enough claims for the two-thread scan, with repeat reports for the duplicate rule.
    let mut config = claimdesk_synth::SynthConfig::benchmark(12_000);
    config.id_prefix = "Z".into();
    claimdesk_synth::write_csv(
        &config,
        &claimdesk_core::Catalog::default_2022(),
        std::fs::File::create(&file).expect("create"),
    )
    .expect("synth");
    t.import(&file);
    let table = t.store.evaluation_table(None).expect("table");
    assert_eq!(table.len() as i64, t.count("SELECT count(*) FROM claims"));
    assert!(
        table.windows(2).all(|w| w[0].0.as_bytes() < w[1].0.as_bytes()),
        "sorted by claim id, byte order"
    );
    let duplicates = table.iter().filter(|(_, o)| o.reason.map(|r| r.code()) == Some("DUPLICATE")).count();
    assert!(duplicates > 0, "the synthetic file has repeat reports");
    for (id, outcome) in table.iter().step_by(97) {
        assert_eq!(&t.store.explain(id).expect("explain").outcome, outcome, "{id}");
    }
    // The stored results (used by the queue) agree with the table.
    for (id, outcome) in table.iter().step_by(89) {
        let stored: (bool, String, i64) = t
            .store
            .conn()
            .query_row("SELECT eligible, remedy, amount FROM claims WHERE external_id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .expect("row");
        assert_eq!(stored.0, outcome.eligible, "{id}");
        assert_eq!(stored.1, outcome.remedy.code(), "{id}");
        assert_eq!(Decimal::from(stored.2), outcome.amount, "{id}");
    }
}
