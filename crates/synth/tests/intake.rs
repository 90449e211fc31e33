//! Generated files through the real intake: valid rows are accepted, the
//! rows broken on purpose are exactly the quarantined ones.

use std::collections::HashMap;

use claimdesk_core::Catalog;
use claimdesk_intake::Row;
use claimdesk_synth::{write_csv_file, Defect, SynthConfig, SynthRow};

/// (valid ids in file order, quarantined id → problem codes)
fn import(cfg: &SynthConfig) -> (Vec<String>, HashMap<String, Vec<&'static str>>) {
    let catalog = Catalog::default_2022();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("synth.csv");
    let stats = write_csv_file(cfg, &catalog, &path).expect("write");
    assert_eq!(stats.rows, cfg.count);
    let file = claimdesk_intake::open(&path, &catalog).expect("intake opens the file");
    let mut valid = Vec::new();
    let mut quarantined = HashMap::new();
    for row in file {
        match row.expect("the file stays readable") {
            Row::Valid(v) => valid.push(v.claim.external_id),
            Row::Invalid(q) => {
                let id = q.raw.values().next().unwrap_or_default().to_string();
                quarantined.insert(id, q.codes());
            }
        }
    }
    (valid, quarantined)
}

fn expected_code(defect: Defect) -> &'static str {
    use claimdesk_intake::problem_codes as pc;
    match defect {
        Defect::BadPhone => pc::BAD_PHONE,
        Defect::MissingPhone => pc::MISSING_PHONE,
        Defect::BadBrnChecksum => pc::BAD_BRN,
        Defect::MissingBrn => pc::MISSING_BRN,
        Defect::UnknownCategory => pc::UNKNOWN_CATEGORY,
        Defect::EndBeforeStart => pc::END_BEFORE_START,
        Defect::BadAmount => pc::BAD_AMOUNT,
        Defect::BadTime => pc::BAD_DATETIME,
        Defect::MissingName => pc::MISSING_VALUE,
    }
}

#[test]
fn intake_accepts_every_valid_row() {
    for korean in [false, true] {
        let cfg = SynthConfig { invalid_rate: 0.0, korean_headers: korean, ..SynthConfig::demo(2_000) };
        let (valid, quarantined) = import(&cfg);
        assert!(quarantined.is_empty(), "quarantined: {quarantined:?}");
        let expected: Vec<String> =
            claimdesk_synth::rows(&cfg, &Catalog::default_2022()).map(|r| r.claim_id().to_string()).collect();
        assert_eq!(valid, expected);
    }
}

#[test]
fn intake_quarantines_exactly_the_broken_rows() {
    let cfg = SynthConfig { invalid_rate: 0.1, ..SynthConfig::demo(2_000) };
    let rows: Vec<SynthRow> = claimdesk_synth::rows(&cfg, &Catalog::default_2022()).collect();
    let (valid, quarantined) = import(&cfg);
    assert_eq!(valid.len() + quarantined.len(), rows.len());
    let broken = rows.iter().filter(|r| r.defect.is_some()).count();
    assert!((150..=250).contains(&broken), "{broken}");
    for row in &rows {
        match row.defect {
            None => assert!(!quarantined.contains_key(row.claim_id()), "{} was quarantined", row.claim_id()),
            Some(defect) => {
                let codes = quarantined
                    .get(row.claim_id())
                    .unwrap_or_else(|| panic!("{} was accepted", row.claim_id()));
                assert!(
                    codes.contains(&expected_code(defect)),
                    "{}: {defect:?} gave {codes:?}",
                    row.claim_id()
                );
            }
        }
    }
}

/// The benchmark's scale through intake (slow in debug builds):
/// `cargo test --release -p claimdesk-synth --test intake -- --ignored`
#[test]
#[ignore]
fn intake_agrees_on_a_large_demo_file() {
    let cfg = SynthConfig::demo(300_000);
    let (valid, quarantined) = import(&cfg);
    let stats = claimdesk_synth::rows(&cfg, &Catalog::default_2022()).fold((0, 0), |(v, i), r| {
        if r.is_valid() {
            (v + 1, i)
        } else {
            (v, i + 1)
        }
    });
    assert_eq!((valid.len(), quarantined.len()), stats);
}
