//! Personal data at the edges of the store (issue 10, item 6): the
//! quarantine (raw rows) is an admin's, its export audited; who revealed
//! what is a supervisor's list; extra intake columns holding personal data
//! are masked like the named ones; every CSV ClaimDesk writes is inert in a
//! spreadsheet.

mod common;

use claimdesk_core::message::Lang;
use claimdesk_core::{Actor, PersonalField};
use claimdesk_store::status_feed::FeedFormat;
use common::{small_file, team, Team, HEADER};

/// The cells a spreadsheet would run, each as a claimant could send it.
const HOSTILE: [&str; 6] = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1:A9)", "\tx", "\rx"];

fn refusals(t: &Team, user: &str, kind: &str) -> i64 {
    t.store
        .conn()
        .query_row(
            "SELECT count(*) FROM ops WHERE outcome = 'refused' AND user_id = ?1 AND kind = ?2",
            [user, kind],
            |r| r.get(0),
        )
        .expect("count")
}

/// A file whose second row breaks a rule (a short phone number) and whose
/// cells start like formulas.
fn quarantined(t: &mut Team) {
    let text = format!(
        "{HEADER}\nQ-1,2022-10-19 09:00,free_user,\"{}\",010-12-5678,,kakaotalk,2022-10-15 15:00,2022-10-16 01:31,,,,,\"{}\"\nQ-2,2022-10-19 09:00,free_user,김철수,010-2222-3333,,kakaotalk,2022-10-15 15:00,2022-10-16 01:31,,,,,설명\n",
        HOSTILE[0].replace('"', "\"\""),
        HOSTILE[3],
    );
    let file = t.write("q.csv", &text);
    let s = t.import(&file);
    assert_eq!((s.counts.imported, s.counts.quarantined), (1, 1));
}

#[test]
fn the_quarantine_is_listed_and_exported_by_an_admin_only_and_the_export_is_audited() {
    let mut t = team();
    quarantined(&mut t);
    let out = t.dir.path().join("fix.csv");
    for who in [t.kim.clone(), t.park.clone()] {
        let listed = t.store.quarantine(&who, true).expect_err("not for them");
        assert_eq!(listed.code(), "ROLE_NOT_ALLOWED", "{}", who.user);
        let exported = t.store.export_quarantine(&who, &out).expect_err("not for them");
        assert_eq!(exported.code(), "ROLE_NOT_ALLOWED", "{}", who.user);
        assert_eq!(refusals(&t, &who.user, "admin.view_quarantine"), 2, "both refusals are audited");
    }
    assert!(!out.exists(), "a refused export writes nothing");

    let admin = t.admin.clone();
    assert_eq!(t.store.quarantine(&admin, true).expect("listed").len(), 1);
    assert_eq!(t.store.export_quarantine(&admin, &out).expect("exported"), 1);
    let (user, entity, payload, sync): (String, String, String, String) = t
        .store
        .conn()
        .query_row(
            "SELECT user_id, entity, payload, sync FROM ops WHERE kind = 'quarantine.export'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("one audit entry of the export");
    assert_eq!((user.as_str(), entity.as_str(), sync.as_str()), ("admin", "quarantine", "local"));
    let payload: serde_json::Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(payload["file"], out.display().to_string());
    assert_eq!(payload["rows"], 1);
    t.store.verify_audit().expect("chain");

    // The export is inert in a spreadsheet, and imports back as the values it came from.
    let mut reader = csv::Reader::from_path(&out).expect("csv");
    let record = reader.records().next().expect("a row").expect("csv");
    assert!(record.iter().all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])), "{record:?}");
    assert_eq!(&record[3], format!("'{}", HOSTILE[0]));
    assert_eq!(&record[13], format!("'{}", HOSTILE[3]));
}

#[test]
fn a_supervisor_lists_who_revealed_what_and_a_reviewer_may_not() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let kim = t.kim.clone();
    assert_eq!(
        t.store.reveal(&kim, "T-001", PersonalField::Phone).expect("reveal").as_deref(),
        Some("01012345678")
    );
    let lee = t.lee.clone();
    t.store.reveal(&lee, "T-002", PersonalField::Brn).expect("reveal");

    let park = t.park.clone();
    let all = t.store.reveals(&park, None, 100).expect("listed");
    let seen: Vec<(&str, &str, &str)> =
        all.iter().map(|r| (r.user.as_str(), r.claim_id.as_str(), r.field.as_str())).collect();
    assert_eq!(seen, [("lee", "T-002", "brn"), ("kim", "T-001", "phone")], "newest first");
    assert!(all.iter().all(|r| r.device == t.store.device() && r.pending && r.at_ms > 0));
    let one = t.store.reveals(&park, Some("T-001"), 100).expect("one claim");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].user, "kim");
    assert_eq!(t.store.reveals(&park, None, 1).expect("limit").len(), 1);

    let refused = t.store.reveals(&kim, None, 100).expect_err("a reviewer");
    assert_eq!(refused.code(), "ROLE_NOT_ALLOWED");
    assert_eq!(refusals(&t, "kim", "admin.view_audit"), 1, "the refusal is audited");
}

#[test]
fn extra_intake_columns_holding_personal_data_are_masked_like_the_named_ones() {
    let mut t = team();
    let text = format!(
        "{HEADER},연락처2,이메일,주소,비고,채널\nX-1,2022-10-19 09:00,free_user,홍길동,010-1234-5678,,kakaotalk,2022-10-15 15:00,2022-10-16 01:31,,,,,설명,010-9876-5432,hong@example.com,서울시 강남구 테헤란로 1,900101-1234567,카카오톡\n"
    );
    let file = t.write("x.csv", &text);
    assert_eq!(t.import(&file).counts.imported, 1);
    let detail = t.store.claim("X-1").expect("claim");
    let extra = detail.extra.as_object().expect("extra columns");
    let shown = |h: &str| extra.get(h).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    assert_eq!(shown("연락처2"), "010-****-5432");
    assert_eq!(shown("이메일"), "h***@example.com");
    assert_eq!(shown("주소"), "서울시 *** **** *");
    assert_eq!(shown("비고"), "900101-*******", "personal by its value under any header");
    assert_eq!(shown("채널"), "카카오톡", "not personal: as it was");
    assert_eq!(detail.phone_masked.as_deref(), Some("010-****-5678"));

    // The claim's history shows the import's payload masked the same way.
    let timeline = t.store.timeline("X-1").expect("timeline");
    let import = timeline.iter().find(|e| e.kind == "claim.import").expect("the import");
    let text = import.payload.to_string();
    for secret in ["9876-5432", "hong@", "테헤란로", "1234567", "1234-5678"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(text.contains("카카오톡"));
    // The store keeps the values as they came (the policy's segments read them).
    let stored: String =
        t.store.conn().query_row("SELECT extra FROM claims", [], |r| r.get(0)).expect("extra");
    assert!(stored.contains("hong@example.com"));
}

#[test]
fn the_status_feed_csv_is_inert_in_a_spreadsheet() {
    let mut t = team();
    let names: Vec<String> = HOSTILE.iter().map(|c| c.replace('"', "\"\"")).collect();
    let mut text = HEADER.to_string();
    for (i, name) in names.iter().enumerate() {
        text.push_str(&format!(
            "\nF-{i},2022-10-19 09:00,free_user,\"{name}김\",010-2222-333{i},,kakaotalk,2022-10-15 15:00,2022-10-16 01:31,,,,,설명"
        ));
    }
    text.push('\n');
    let file = t.write("f.csv", &text);
    let imported = t.import(&file).counts.imported;
    assert!(imported >= 4, "{imported}");
    let park: Actor = t.park.clone();
    let mut out = Vec::new();
    t.store.write_status_feed(&park, None, FeedFormat::Csv, Lang::Ko, &mut out).expect("feed");
    let text = String::from_utf8(out).expect("utf-8");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = 0;
    for record in reader.records() {
        let record = record.expect("csv");
        for cell in &record {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} would run");
        }
        rows += 1;
    }
    assert_eq!(rows as u64, imported);
    assert!(text.contains("'=") && text.contains("'@"), "{text}");
}
