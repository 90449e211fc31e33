//! Import as intake.md promises: idempotent, conflicts reported, updates
//! audited, bad rows quarantined whole, bad files refused with nothing
//! changed, cancellation leaving nothing, and search over what came in.

mod common;

use claimdesk_store::import::ImportOptions;
use claimdesk_store::queue::{QueueFilter, Sort};
use claimdesk_store::{Store, StoreError};
use common::{fixture, small_file, team, HEADER};

#[test]
fn the_sample_file_imports_with_its_bad_rows_quarantined() {
    let mut t = team();
    let summary = t.import(&fixture("sample-intake.csv"));
    assert_eq!(summary.counts.rows_read, 306);
    assert_eq!(summary.counts.imported, 295);
    assert_eq!(summary.counts.quarantined, 11);
    assert_eq!(t.count("SELECT count(*) FROM claims"), 295);
    let q = t.store.quarantine(&t.admin, true).expect("quarantine");
    assert_eq!(q.len(), 11);
    assert!(q.iter().all(|e| e.message.starts_with(&format!("line {}", e.line))), "{:?}", q[0].message);
    assert!(q.iter().any(|e| e.message.contains("010-12-5678")));
    // Each problem is listed with its column, and the message says the same.
    assert!(q
        .iter()
        .all(|e| !e.problems.is_empty() && e.problems.iter().all(|p| e.message.contains(&p.message))));
    assert!(q
        .iter()
        .any(|e| e.problems.iter().any(|p| !p.column.is_empty() && p.value.contains("010-12-5678"))));
    // Every quarantined row is kept whole: all its columns, as written.
    assert!(q.iter().all(|e| e.raw.fields.len() >= 14));
    // One op per imported claim, in a chain that verifies.
    assert_eq!(t.count("SELECT count(*) FROM ops WHERE kind = 'claim.import'"), 295);
    t.store.verify_audit().expect("chain");
}

#[test]
fn reimport_is_idempotent_and_changes_are_conflicts_unless_asked() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let claim_ops = t.count("SELECT count(*) FROM ops WHERE kind LIKE 'claim.%'");
    let again = t.import(&file);
    assert_eq!((again.counts.imported, again.counts.unchanged, again.counts.conflicts), (0, 4, 0));
    assert_eq!(t.count("SELECT count(*) FROM claims"), 4);
    assert_eq!(
        t.count("SELECT count(*) FROM ops WHERE kind LIKE 'claim.%'"),
        claim_ops,
        "a re-import changes no claim"
    );

    // T-001's claimed amount changes in a later file, and T-005 is new.
    let changed = small_file().replace("\"60,000\"", "\"70,000\"")
        + "T-005,2022-10-23 12:00,free_user,최신규,010-5555-6666,,melon,2022-10-15 15:30,2022-10-16 01:31,,,,,멜론 재생 오류\n";
    let file2 = t.write("b.csv", &changed);
    let s = t.import(&file2);
    assert_eq!((s.counts.imported, s.counts.unchanged, s.counts.conflicts), (1, 3, 1));
    assert_eq!(s.conflicts[0].external_id, "T-001");
    assert_eq!(s.conflicts[0].fields, vec!["claimed_amount".to_string()]);
    assert_eq!(t.store.claim("T-001").expect("claim").claimed_amount, Some(60_000), "left untouched");

    let admin = t.admin.clone();
    let s = t
        .store
        .import_file(
            &admin,
            &file2,
            ImportOptions { update_existing: true, ..ImportOptions::default() },
            &mut |_| true,
        )
        .expect("update");
    assert_eq!(s.counts.updated, 1);
    let d = t.store.claim("T-001").expect("claim");
    assert_eq!(d.claimed_amount, Some(70_000));
    assert!(t.store.timeline("T-001").expect("timeline").iter().any(|e| e.kind == "claim.update"));
    t.store.verify_audit().expect("chain");
}

#[test]
fn a_file_that_cannot_be_read_changes_nothing() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let ops = t.count("SELECT count(*) FROM ops");
    let imports = t.count("SELECT count(*) FROM imports");
    let admin = t.admin.clone();
    for (name, text) in [
        (
            "missing-column.csv",
            "claim_id,received_at,category,name\nX-1,2022-10-19 09:00,free_user,홍길동\n".to_string(),
        ),
        ("empty.csv", String::new()),
    ] {
        let bad = t.write(name, &text);
        let err =
            t.store.import_file(&admin, &bad, ImportOptions::default(), &mut |_| true).expect_err("refused");
        assert!(matches!(err, StoreError::Intake(_)), "{err}");
        assert!(!err.to_string().is_empty());
    }
    let png = t.dir.path().join("photo.png");
    std::fs::write(&png, [0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe, 0, 1]).expect("write");
    assert!(t.store.import_file(&admin, &png, ImportOptions::default(), &mut |_| true).is_err());
    assert_eq!(t.count("SELECT count(*) FROM ops"), ops);
    assert_eq!(t.count("SELECT count(*) FROM imports"), imports);
}

#[test]
fn a_cancelled_import_leaves_nothing() {
    let mut t = team();
    let mut text = String::from(HEADER);
    text.push('\n');
    for i in 0..5_000 {
        text.push_str(&format!(
            "C-{i:05},2022-10-19 09:00,free_user,홍길동,010-1000-{:04},,kakaotalk,2022-10-15 15:00,2022-10-16 01:31,,,,,택시 호출 실패\n",
            i % 10_000
        ));
    }
    let file = t.write("big.csv", &text);
    let admin = t.admin.clone();
    let err = t
        .store
        .import_file(&admin, &file, ImportOptions::default(), &mut |p| p.counts.rows_read < 3_000)
        .expect_err("cancelled");
    assert_eq!(err.code(), "CANCELLED");
    assert_eq!(t.count("SELECT count(*) FROM claims"), 0);
    assert_eq!(t.count("SELECT count(*) FROM imports"), 0);
    let done = t.import(&file);
    assert_eq!(done.counts.imported, 5_000);
}

#[test]
fn quarantined_rows_export_fix_and_reimport() {
    let mut t = team();
    let text = format!(
        "{}\nQ-1,2022-10-19 09:00,free_user,홍길동,010-12-5678,,kakaotalk,2022-10-15 15:00,2022-10-16 01:31,,,,,설명\nQ-2,2022-10-19 09:00,free_user,김철수,010-2222-3333,,kakaotalk,2022-10-15 15:00,2022-10-16 01:31,,,,,설명\n",
        HEADER
    );
    let file = t.write("q.csv", &text);
    let s = t.import(&file);
    assert_eq!((s.counts.imported, s.counts.quarantined), (1, 1));
    let out = t.dir.path().join("fix.csv");
    assert_eq!(t.store.export_quarantine(&t.admin, &out).expect("export"), 1);
    let exported = std::fs::read_to_string(&out).expect("read");
    assert!(exported.contains("010-12-5678") && exported.contains("claim_id"));
    std::fs::write(&out, exported.replace("010-12-5678", "010-1212-5678")).expect("fix");
    let s = t.import(&out);
    assert_eq!((s.counts.imported, s.counts.quarantined), (1, 0));
    assert!(
        t.store.quarantine(&t.admin, true).expect("open").is_empty(),
        "the fixed row resolved its quarantine entry"
    );
    assert_eq!(t.store.quarantine(&t.admin, false).expect("all").len(), 1, "and the entry is kept");
}

#[test]
fn korean_search_finds_two_syllable_words_and_phrases() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let find = |q: &str| -> Vec<String> {
        let filter = QueueFilter { text: Some(q.to_string()), ..QueueFilter::default() };
        t.store
            .queue_page(&filter, Sort::default(), 0, 50)
            .expect("search")
            .rows
            .into_iter()
            .map(|r| r.external_id)
            .collect()
    };
    assert_eq!(find("택시"), vec!["T-001"], "inside the name 김택시");
    assert_eq!(find("손님"), vec!["T-002", "T-001"], "inside 손님을; newest intake first");
    assert_eq!(find("호출"), vec!["T-001"]);
    assert_eq!(find("예약"), vec!["T-002"]);
    assert_eq!(find("\"예약 손님\""), vec!["T-002"]);
    assert_eq!(find("\"손님 예약\""), Vec::<String>::new(), "a phrase keeps its order");
    assert_eq!(find("카카오톡"), vec!["T-004", "T-002"]);
    assert_eq!(find("가나다"), vec!["T-002"], "names are searched too");
    // Combined with a filter, the search still counts and pages right.
    let filter = QueueFilter {
        text: Some("카카오톡".into()),
        categories: vec![claimdesk_core::Category::FreeUser],
        ..QueueFilter::default()
    };
    let page = t.store.queue_page(&filter, Sort::default(), 0, 50).expect("search");
    assert_eq!((page.total, page.rows.len()), (1, 1));
    assert_eq!(page.rows[0].external_id, "T-004");
    // Stray FTS5 syntax is just text.
    for q in ["\"", "AND OR NOT", "호출*", "(", "a:b", "NEAR(x y)"] {
        let filter = QueueFilter { text: Some(q.to_string()), ..QueueFilter::default() };
        match t.store.queue_page(&filter, Sort::default(), 0, 50) {
            Ok(_) => {}
            Err(e) => assert_eq!(e.code(), "INVALID", "{q}: {e}"),
        }
    }
}

#[test]
fn lookup_finds_a_claim_by_its_number_phone_or_brn_in_any_spelling_exact_matches_first() {
    let mut t = team();
    // T-005's description quotes T-001's phone: a word match, listed after the exact one.
    let file = t.write(
        "a.csv",
        &format!(
            "{}T-005,2022-10-23 12:00,free_user,최무료,010-9999-0000,,kakaotalk,2022-10-15 15:30,2022-10-16 01:31,,,,,\
             010 1234 5678 번호로 문의했습니다\n",
            small_file()
        ),
    );
    t.import(&file);
    let find = |q: &str| {
        let filter = QueueFilter { text: Some(q.to_string()), ..QueueFilter::default() };
        let page = t.store.queue_page(&filter, Sort::default(), 0, 50).expect(q);
        let ids: Vec<String> = page.rows.iter().map(|r| r.external_id.clone()).collect();
        assert_eq!(page.total as usize, ids.len(), "{q}: total and rows agree");
        assert_eq!(
            t.store.queue_count(&filter).expect("count") as usize,
            ids.len(),
            "{q}: the bulk count too"
        );
        (ids, page.exact)
    };
    // By 접수번호, as written or in lower case.
    assert_eq!(find("T-003"), (vec!["T-003".to_string()], 1));
    assert_eq!(find("t-003").0, vec!["T-003"]);
    // By phone, however it is typed: the exact claim first, then the description that quotes it.
    for q in
        ["010-1234-5678", "01012345678", "+82 10 1234 5678", "821012345678", "０１０－１２３４－５６７８"]
    {
        let (ids, exact) = find(q);
        assert_eq!(exact, 1, "{q}");
        assert_eq!(ids.first().map(String::as_str), Some("T-001"), "{q}");
    }
    assert_eq!(find("010 1234 5678").0, vec!["T-001", "T-005"], "exact first, then the word match");
    // The international form stored for T-004 is found by its national spelling.
    assert_eq!(find("010-4444-5555").0, vec!["T-004"]);
    // By BRN with or without dashes.
    assert_eq!(find("220-81-62517"), (vec!["T-002".to_string()], 1));
    assert_eq!(find("2208162517").0, vec!["T-002"]);
    // A number nobody has finds nothing, and is not an error.
    assert_eq!(find("010-0000-1111").0, Vec::<String>::new());
    // Paging runs across the exact matches into the word matches.
    let filter = QueueFilter { text: Some("010 1234 5678".into()), ..QueueFilter::default() };
    let second = t.store.queue_page(&filter, Sort::default(), 1, 1).expect("page 2");
    assert_eq!(second.rows.iter().map(|r| r.external_id.as_str()).collect::<Vec<_>>(), vec!["T-005"]);
    // Other filters still apply to the exact matches.
    let filter = QueueFilter {
        text: Some("010-1234-5678".into()),
        categories: vec![claimdesk_core::Category::FreeUser],
        ..QueueFilter::default()
    };
    let page = t.store.queue_page(&filter, Sort::default(), 0, 50).expect("filtered");
    assert_eq!(page.rows.iter().map(|r| r.external_id.as_str()).collect::<Vec<_>>(), vec!["T-005"]);
    assert_eq!(page.exact, 0);
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("new.db");
    drop(Store::open(&path).expect("create"));
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    match Store::open(&path) {
        Err(StoreError::TooNew { found: 99, .. }) => {}
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a newer store was opened"),
    }
}

#[test]
fn a_cancelled_bulk_import_keeps_the_indexes_and_returns_to_wal() {
    let mut t = team();
    let file = t.dir.path().join("bulk.csv");
    let config = claimdesk_synth::SynthConfig::benchmark(60_000);
    claimdesk_synth::write_csv(
        &config,
        &claimdesk_core::Catalog::default_2022(),
        std::fs::File::create(&file).expect("create"),
    )
    .expect("synth");
    // Large enough for bulk mode (an estimated 50,000 rows at 200 bytes each).
    assert!(std::fs::metadata(&file).expect("size").len() > 10_000_000);
    let admin = t.admin.clone();
    let err =
        t.store.import_file(&admin, &file, ImportOptions::default(), &mut |_| false).expect_err("cancelled");
    assert_eq!(err.code(), "CANCELLED");
    assert_eq!(t.count("SELECT count(*) FROM claims"), 0);
    for index in ["claims_queue_received", "claims_queue_amount", "claims_received", "claims_claimant"] {
        assert_eq!(
            t.count(&format!("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '{index}'")),
            1,
            "{index}"
        );
    }
    let mode: String = t.store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    assert_eq!(t.store.integrity_check().expect("check"), "ok");
}

#[test]
fn a_claimants_reports_of_one_service_are_shown_side_by_side() {
    let mut t = team();
    let text = small_file()
        + "T-009,2022-10-25 12:00,택시 기사,김택시,01012345678,,kakao_t,2022-10-15 16:00,2022-10-16 01:00,\"50,000\",,,,다시 신고합니다\n";
    let file = t.write("dup.csv", &text);
    t.import(&file);
    let group: Vec<String> =
        t.store.duplicate_group("T-009").expect("group").into_iter().map(|r| r.external_id).collect();
    assert_eq!(group, vec!["T-001", "T-009"], "earliest report first");
    assert_eq!(
        t.store.explain("T-009").expect("explain").outcome.reason.map(|r| r.code()),
        Some("DUPLICATE")
    );
    assert!(t.store.duplicate_group("T-003").expect("alone").len() == 1);
    assert_eq!(t.store.duplicate_group("NOPE").expect_err("missing").code(), "NOT_FOUND");
}
