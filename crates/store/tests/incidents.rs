//! Incidents as data: each owns its catalog and policy versions, every claim
//! belongs to one, lists and the duplicate rule stay inside one, the
//! claimant's history looks across them, and an older store becomes one.

mod common;

use claimdesk_core::catalog::FIRST_INCIDENT;
use claimdesk_core::message::{Explain, Lang};
use claimdesk_core::Catalog;
use claimdesk_store::import::ImportOptions;
use claimdesk_store::queue::{QueueFilter, Sort};
use claimdesk_store::Store;
use common::{small_file, team, HEADER};

/// The 2022 catalog under another id and name (same services and dates, so
/// a copied policy accepts the same rows).
fn rerun_catalog(id: &str) -> Catalog {
    let mut c = Catalog::default_2022();
    c.incident.id = id.to_string();
    c.incident.name = "재발 장애 (rerun)".to_string();
    c
}

fn reason(store: &Store, id: &str) -> Option<String> {
    store
        .conn()
        .query_row("SELECT reason FROM claims WHERE external_id = ?1", [id], |r| r.get(0))
        .expect("reason")
}

#[test]
fn a_new_store_has_the_2022_outage_as_its_one_incident() {
    let t = team();
    let list = t.store.incidents().expect("incidents");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, FIRST_INCIDENT);
    assert_eq!(list[0].active_policy, Some(1));
    assert_eq!(t.store.current_incident().expect("current"), FIRST_INCIDENT);
    assert_eq!(t.store.catalog().expect("catalog").incident.name, "판교 데이터센터 화재 서비스 장애");
}

#[test]
fn only_supervisors_and_admins_start_or_edit_incidents_and_a_refusal_is_audited() {
    let mut t = team();
    let kim = t.kim.clone();
    let err =
        t.store.create_incident(&kim, &rerun_catalog("rerun-1"), Some(FIRST_INCIDENT)).expect_err("reviewer");
    assert_eq!(err.code(), "ROLE_NOT_ALLOWED");
    assert_eq!(t.store.incidents().expect("list").len(), 1);
    let refused =
        t.count("SELECT count(*) FROM ops WHERE outcome = 'refused' AND kind = 'admin.manage_incidents'");
    assert_eq!(refused, 1);
    let mut edited = Catalog::default_2022().incident;
    edited.name = "바뀐 이름".into();
    assert_eq!(t.store.update_incident(&kim, &edited).expect_err("reviewer").code(), "ROLE_NOT_ALLOWED");

    let park = t.park.clone();
    t.store.update_incident(&park, &edited).expect("supervisor edits");
    assert_eq!(t.store.catalog().expect("catalog").incident.name, "바뀐 이름");
    // A bad id or an existing one is refused with its code, and said in the reader's language.
    let bad = t.store.create_incident(&park, &rerun_catalog("Bad Id"), None).expect_err("bad");
    assert_eq!(bad.code(), "BAD_INCIDENT");
    let said = bad.message();
    assert!(said.render(Lang::Ko).contains("영문 소문자, 숫자, '-'로 1~64자"), "{}", said.render(Lang::Ko));
    assert!(
        said.render(Lang::En).contains("'Bad Id' must be 1 to 64 lower-case"),
        "{}",
        said.render(Lang::En)
    );
    let taken = t.store.create_incident(&park, &rerun_catalog(FIRST_INCIDENT), None).expect_err("taken");
    assert_eq!(taken.code(), "BAD_INCIDENT");
    assert!(
        taken.message().render(Lang::Ko).contains("이미 있습니다"),
        "{}",
        taken.message().render(Lang::Ko)
    );
    // Every problem of a catalog has its Korean words (none falls back to English or to its key).
    let mut nameless = rerun_catalog("nameless-1");
    nameless.incident.name = " ".into();
    let said =
        t.store.create_incident(&park, &nameless, None).expect_err("nameless").message().render(Lang::Ko);
    assert_eq!(said, "사고 이름을 입력하십시오.");
}

#[test]
fn a_copy_owns_its_catalog_and_a_copy_of_the_active_policy() {
    let mut t = team();
    let park = t.park.clone();
    let version =
        t.store.create_incident(&park, &rerun_catalog("rerun-1"), Some(FIRST_INCIDENT)).expect("copy");
    assert_eq!(
        t.store.current_incident().expect("current"),
        "rerun-1",
        "the store works in the new incident"
    );
    let (active, policy) = t.store.active_policy().expect("active");
    assert_eq!(active, version);
    assert_eq!(policy, t.store.active_policy_of(Some(FIRST_INCIDENT)).expect("2022").1);
    assert_eq!(t.store.policy_versions().expect("versions").len(), 1);
    assert_eq!(t.store.policy_versions_of(Some(FIRST_INCIDENT)).expect("versions")[0].version, 1);
    // Activating a version of one incident leaves the other's active policy alone.
    let v3 = t
        .store
        .add_policy_version_to(&park, Some(FIRST_INCIDENT), &policy.to_toml(), "2022 v3", "")
        .expect("v3");
    t.store.activate_policy(&park, v3, &mut |_| true).expect("activate");
    assert_eq!(t.store.active_policy_of(Some("rerun-1")).expect("rerun").0, version);
    assert_eq!(t.store.active_policy_of(Some(FIRST_INCIDENT)).expect("2022").0, v3);
    // The ops that made it are team ops waiting for the server.
    let pending = t.count("SELECT count(*) FROM ops WHERE sync = 'pending' AND kind IN ('incident.create', 'policy.create', 'policy.activate')");
    assert_eq!(pending, 5);
}

#[test]
fn a_new_incident_starts_with_the_letters_of_the_one_it_copies_or_the_shipped_ones() {
    use claimdesk_core::catalog::LetterKind;
    use claimdesk_core::message::Lang;
    let mut t = team();
    let park = t.park.clone();
    // The 2022 incident's denial letter, reworded by the team.
    let mut own = t.store.catalog().expect("catalog");
    let denied = own.letters.iter().position(|l| l.kind == LetterKind::Denied && l.lang == "ko").expect("ko");
    own.letters[denied].subject = "[{incident}] 심사 결과를 알려 드립니다 ({claim_id})".into();
    t.store.replace_catalog(&t.admin.clone(), &own).expect("replace");
    let mut bare = rerun_catalog("rerun-1");
    bare.letters.clear();
    t.store.create_incident(&park, &bare, Some(FIRST_INCIDENT)).expect("copy");
    let copied = t.store.incident_catalog(Some("rerun-1")).expect("rerun");
    assert_eq!(
        copied.letter(LetterKind::Denied, Lang::Ko).map(|l| l.subject.as_str()),
        Some("[{incident}] 심사 결과를 알려 드립니다 ({claim_id})")
    );
    let mut fresh = rerun_catalog("fresh-1");
    fresh.letters.clear();
    t.store.create_incident(&park, &fresh, None).expect("from scratch");
    assert_eq!(
        t.store.incident_catalog(Some("fresh-1")).expect("fresh").letters,
        Catalog::default_2022().letters
    );
    // A letter promising an amount to a denial is refused, whoever sends it.
    let mut bad = rerun_catalog("bad-1");
    let i = bad.letters.iter().position(|l| l.kind == LetterKind::Denied).expect("denied");
    bad.letters[i].body.push_str("{amount}");
    let refused = t.store.create_incident(&park, &bad, None).expect_err("bad letter");
    assert_eq!(refused.code(), "BAD_INCIDENT");
    let said = refused.message().render(Lang::Ko);
    assert!(said.contains("{amount}는 이 안내문에 없는 항목입니다"), "{said}");
}

#[test]
fn claims_belong_to_one_incident_and_duplicates_are_looked_for_inside_it() {
    let mut t = team();
    let admin = t.admin.clone();
    let file = t.write("2022.csv", &small_file());
    t.import(&file);
    // An unknown incident is refused before anything is read.
    let options = ImportOptions { incident: Some("nope-2099".into()), ..ImportOptions::default() };
    let err = t.store.import_file(&admin, &file, options, &mut |_| true).expect_err("unknown");
    assert_eq!(err.code(), "UNKNOWN_INCIDENT");

    t.store.create_incident(&admin, &rerun_catalog("rerun-1"), Some(FIRST_INCIDENT)).expect("copy");
    // The same taxi driver, same service, once more in each incident.
    let again = |id: &str| {
        format!("{HEADER}\n{id},2022-10-19T10:12:00+09:00,taxi_driver,김택시,010-1234-5678,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,\"60,000\",\"180,000\",,,다시 신청합니다\n")
    };
    let rerun = t.write("rerun.csv", &again("R-001"));
    let options = ImportOptions { incident: Some("rerun-1".into()), ..ImportOptions::default() };
    t.store.import_file(&admin, &rerun, options, &mut |_| true).expect("into rerun");
    let first = t.write("dup.csv", &again("T-101"));
    let options = ImportOptions { incident: Some(FIRST_INCIDENT.into()), ..ImportOptions::default() };
    t.store.import_file(&admin, &first, options, &mut |_| true).expect("into 2022");
    assert_eq!(reason(&t.store, "T-101").as_deref(), Some("DUPLICATE"), "a repeat inside one incident");
    assert_eq!(reason(&t.store, "R-001"), None, "a claimant of two incidents is no duplicate");
    assert_eq!(reason(&t.store, "T-001"), None);
    let incident_of = |id: &str| -> String {
        t.store
            .conn()
            .query_row("SELECT incident_id FROM claims WHERE external_id = ?1", [id], |r| r.get(0))
            .expect("incident")
    };
    assert_eq!(incident_of("R-001"), "rerun-1");
    assert_eq!(incident_of("T-101"), FIRST_INCIDENT);

    // Lists are of the current incident (named, or the store's current one).
    assert_eq!(t.store.current_incident().expect("current"), "rerun-1");
    assert_eq!(t.store.queue_count(&QueueFilter::default()).expect("count"), 1);
    let in_2022 = QueueFilter { incident: Some(FIRST_INCIDENT.into()), ..QueueFilter::default() };
    assert_eq!(t.store.queue_count(&in_2022).expect("count"), 5);
    let search = QueueFilter { text: Some("택시".into()), ..QueueFilter::default() };
    assert_eq!(t.store.queue_ids(&search).expect("search"), vec!["R-001".to_string()]);
    // The queue's search answers from the index alone, still within the incident.
    let page_ids = |filter: &QueueFilter| -> (Vec<String>, u64) {
        let page = t.store.queue_page(filter, Sort::default(), 0, 50).expect("page");
        (page.rows.into_iter().map(|r| r.external_id).collect(), page.total)
    };
    assert_eq!(page_ids(&search), (vec!["R-001".to_string()], 1));
    let search_2022 = QueueFilter { incident: Some(FIRST_INCIDENT.into()), ..search.clone() };
    let (mut in_2022_ids, total) = page_ids(&search_2022);
    in_2022_ids.sort();
    assert_eq!(in_2022_ids, t.store.queue_ids(&search_2022).expect("ids"), "the page and the count agree");
    assert_eq!(total as usize, in_2022_ids.len());
    assert!(in_2022_ids.contains(&"T-101".to_string()) && !in_2022_ids.contains(&"R-001".to_string()));
    assert_eq!(t.store.stats().expect("stats").total, 1);
    let kim = t.kim.clone();
    t.store.set_current_incident(&kim, FIRST_INCIDENT).expect("switch");
    assert_eq!(t.store.queue_count(&QueueFilter::default()).expect("count"), 5);
    assert_eq!(t.store.stats().expect("stats").total, 5);
    assert_eq!(t.store.set_current_incident(&kim, "nope").expect_err("unknown").code(), "UNKNOWN_INCIDENT");
    assert_eq!(t.store.duplicate_group("T-001").expect("group").len(), 2, "T-001 and T-101, not R-001");

    // The claimant's history crosses incidents, identifiers masked.
    let history = t.store.claimant_history("R-001").expect("history");
    let ids: Vec<&str> = history.iter().map(|h| h.external_id.as_str()).collect();
    assert_eq!(ids, vec!["T-101", "T-001"]);
    assert!(history.iter().all(|h| h.incident_name == "판교 데이터센터 화재 서비스 장애"));
    assert!(history.iter().all(|h| h.shared_key_masked == "010-****-5678"), "{history:?}");
    assert!(t.store.claimant_history("T-004").expect("none").is_empty());
}

/// A store as the previous binary left it: schema 4, its catalog in meta,
/// a claim, policy version 1 active.
fn schema_4_store(path: &std::path::Path, catalog: &Catalog) {
    let conn = rusqlite::Connection::open(path).expect("open");
    for sql in [
        include_str!("../src/migrations/0001_initial.sql"),
        include_str!("../src/migrations/0002_app.sql"),
        include_str!("../src/migrations/0003_sync.sql"),
        include_str!("../src/migrations/0004_decided.sql"),
    ] {
        conn.execute_batch(sql).expect("old migration");
    }
    conn.pragma_update(None, "user_version", 4).expect("version");
    conn.execute_batch(
        "INSERT INTO meta (key, value) VALUES ('device_id', 'old-device');
         INSERT INTO meta (key, value) VALUES ('policy_activation', '[1, \"old-device\", \"op-1\"]');
         INSERT INTO users (id, display_name, role, created_at) VALUES ('admin', '관리자', 'admin', 0);
         INSERT INTO services (code, name, outage_start, outage_end) VALUES ('kakao_t', '카카오 T', 0, 1);",
    )
    .expect("meta");
    conn.execute("INSERT INTO meta (key, value) VALUES ('catalog', ?1)", [catalog.to_toml()])
        .expect("catalog");
    let policy = claimdesk_core::policy::Policy::default_2022().to_toml();
    conn.execute(
        "INSERT INTO policy_versions (version, name, toml, created_by, created_at, active) VALUES (1, '기본', ?1, 'system', 0, 1)",
        [policy],
    )
    .expect("policy");
    conn.execute_batch(
        "INSERT INTO claims (external_id, content_hash, received_at, category, filed_category, name, phone, claimant_key, service,
                             damage_start, damage_end, updated_at, eval_version, eligible, amount)
         VALUES ('OLD-1', x'00', 1666000000, 'taxi_driver', 'taxi_driver', '김택시', '01012345678', '01012345678', 'kakao_t',
                 1665800000, 1665830000, 0, 1, 1, 60000);",
    )
    .expect("claim");
}

#[test]
fn a_store_of_the_previous_schema_becomes_one_incident() {
    for id in [FIRST_INCIDENT, "custom-2023"] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("old.db");
        let mut catalog = Catalog::default_2022();
        catalog.incident.id = id.to_string();
        schema_4_store(&path, &catalog);

        let store = Store::open(&path).expect("migrated");
        let list = store.incidents().expect("incidents");
        assert_eq!(list.len(), 1, "{id}");
        assert_eq!((list[0].id.as_str(), list[0].claims, list[0].active_policy), (id, 1, Some(1)));
        assert_eq!(store.current_incident().expect("current"), id);
        assert_eq!(store.catalog().expect("catalog"), catalog);
        assert_eq!(store.queue_ids(&QueueFilter::default()).expect("queue"), vec!["OLD-1".to_string()]);
        // Migration 0010 made the search index again from the claims table.
        let search = QueueFilter { text: Some("택시".into()), ..QueueFilter::default() };
        let page = store.queue_page(&search, Sort::default(), 0, 50).expect("search");
        assert_eq!((page.rows.len(), page.total), (1, 1), "{id}");
        assert_eq!(page.rows[0].external_id, "OLD-1");
        assert_eq!(store.active_policy().expect("active").0, 1);
        let moved: String = store
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'policy_activation:' || ?1", [id], |r| r.get(0))
            .expect("key");
        assert!(moved.contains("op-1"));
        let leftovers: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM meta WHERE key IN ('catalog', 'policy_activation')", [], |r| {
                r.get(0)
            })
            .expect("meta");
        assert_eq!(leftovers, 0);
        let services_table: bool = store
            .conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'services')", [], |r| {
                r.get(0)
            })
            .expect("t");
        assert!(!services_table);
        drop(store);
        // Opened again, nothing is migrated twice.
        let again = Store::open(&path).expect("reopen");
        assert_eq!(again.incidents().expect("incidents").len(), 1);
    }
}

fn pulled(
    seq: i64,
    user: &str,
    entity: &str,
    op: &claimdesk_core::Op,
    role: claimdesk_core::Role,
) -> claimdesk_sync::protocol::PulledOp {
    claimdesk_sync::protocol::PulledOp {
        seq,
        op: claimdesk_sync::protocol::WireOp {
            op_id: uuid::Uuid::now_v7().to_string(),
            hlc: (chrono::Utc::now().timestamp_millis() << 16) + seq,
            user: user.into(),
            device: "other-desk".into(),
            entity: entity.into(),
            kind: op.kind(),
            payload: op.payload(),
            base: None,
            at_ms: chrono::Utc::now().timestamp_millis(),
        },
        stamp: Some(claimdesk_core::Stamp::of_role(role, None)),
    }
}

#[test]
fn a_pulled_incident_needs_a_supervisors_stamp_and_its_claims_wait_for_it() {
    use claimdesk_core::ops::IncidentCreate;
    use claimdesk_core::{ClaimInput, Op, Role};
    let mut t = team();
    let create =
        Op::IncidentCreate(Box::new(IncidentCreate { catalog: rerun_catalog("rerun-1"), copied_from: None }));
    // A modified client's incident, stamped with a reviewer's role: parked, nothing created.
    let report = t
        .store
        .apply_remote(&[pulled(1, "kim", "incident:rerun-1", &create, Role::Reviewer)], Some(1))
        .expect("apply");
    assert_eq!(report.parked.len(), 1);
    assert_eq!(report.parked[0].code, "ROLE_NOT_ALLOWED");
    assert_eq!(t.store.incidents().expect("list").len(), 1);
    // A claim of an incident the desktop does not have yet waits (parked, tried again).
    let mut claim = ClaimInput::placeholder();
    claim.external_id = "X-1".into();
    claim.set_incident("rerun-2");
    let import = Op::ClaimImport(Box::new(claim));
    let report = t
        .store
        .apply_remote(&[pulled(2, "admin", "claim:X-1", &import, Role::Admin)], Some(2))
        .expect("apply");
    assert_eq!(report.parked.first().map(|p| p.code.as_str()), Some("UNKNOWN_INCIDENT"));
    // A supervisor's is applied.
    let report = t
        .store
        .apply_remote(&[pulled(3, "park", "incident:rerun-1", &create, Role::Supervisor)], Some(3))
        .expect("apply");
    // (the waiting claim is tried again and waits on: its incident is still another one)
    assert!(report.parked.iter().all(|p| p.kind == "claim.import"), "{:?}", report.parked);
    assert_eq!(t.store.incidents().expect("list").len(), 2);
}
