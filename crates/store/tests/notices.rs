//! Decision notices through the store, as the app and the CLI send them:
//! which claims owe one, what each letter says (language, e-mail, amount,
//! reason, due date), recording them as sent once, and the refusals (a
//! reviewer, a second notice by accident, a letter of a decision changed since).

mod common;

use claimdesk_core::message::Lang;
use claimdesk_core::workflow::Decision;
use claimdesk_core::{Catalog, ClaimStatus, LetterKind, NoticeChannel, Remedy};
use claimdesk_store::notices::SentNotice;
use claimdesk_store::queue::QueueFilter;
use common::{small_file, team, Team};
use rust_decimal::Decimal;

/// The small file with the optional e-mail and language columns.
fn file_with_contacts() -> String {
    small_file()
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let extra = match i {
                0 => "이메일,언어",
                1 => "taxi.kim@example.kr,영어",
                2 => "not-an-address@,",
                _ => ",",
            };
            format!("{line},{extra}\n")
        })
        .collect()
}

/// T-001 approved (cash), T-002 asked for documents, T-003 denied, T-004 closed as an inquiry.
fn decided_team() -> Team {
    let mut t = team();
    let file = t.write("intake.csv", &file_with_contacts());
    t.import(&file);
    let (kim, choi, park) = (t.kim.clone(), t.choi.clone(), t.park.clone());
    let s = &mut t.store;
    s.take(&kim, "T-001", None).expect("take");
    let cash = Decision::Approve {
        remedy: Remedy::Cash,
        amount: Decimal::from(60_000),
        extension_days: 0,
        grants: vec![],
    };
    s.recommend(&kim, "T-001", None, cash, None).expect("recommend");
    s.take(&kim, "T-002", None).expect("take");
    s.request_info(&kim, "T-002", None, Some("LOSS_PROOF_NEEDED"), "10월 매출 장부", Default::default())
        .expect("ask");
    s.take(&kim, "T-003", None).expect("take");
    let deny =
        Decision::Deny { code: Some("DUPLICATE".into()), reason: "같은 신고가 먼저 접수됨".into() };
    s.recommend(&kim, "T-003", None, deny, Some("중복 신고".into())).expect("deny");
    s.set_report_type(&kim, "T-004", None, claimdesk_core::ReportType::Inquiry).expect("type");
    s.close_no_damage(&kim, "T-004", None, "INQUIRY_ANSWERED", "").expect("close");
    let batch = s.create_batch(&park, "1차", &QueueFilter::default()).expect("batch");
    let report = s.approve_batch(&choi, &batch.batch_id).expect("approve");
    assert_eq!((report.approved, report.closed_denied, report.refused.len()), (1, 1, 0), "{report:?}");
    t
}

fn due_ids(t: &mut Team) -> Vec<String> {
    let park = t.park.clone();
    t.store.notices_due(&park, None, 0, 100).expect("due").into_iter().map(|(_, r)| r.external_id).collect()
}

#[test]
fn every_decided_claim_owes_one_notice_and_its_letter_says_what_was_decided() {
    let mut t = decided_team();
    assert_eq!(due_ids(&mut t), ["T-001", "T-002", "T-003", "T-004"]);
    let park = t.park.clone();
    let counts = t.store.notice_counts(&park, None).expect("counts");
    assert_eq!((counts.due, counts.sent), (4, 0));

    // The approval: in English, by e-mail too, with the amount and the policy's steps.
    let approval = t.store.letter(&park, "T-001").expect("letter");
    assert_eq!((approval.kind, approval.lang), (LetterKind::Approved, Lang::En));
    assert_eq!(approval.email.as_deref(), Some("taxi.kim@example.kr"));
    assert_eq!(approval.cash(), Decimal::from(60_000));
    assert!(!approval.steps.is_empty(), "the grounds the reviewer saw");
    let text = approval.text(&Catalog::default_2022()).expect("text");
    assert!(text.body.contains("Dear 김택시") && text.body.contains("KRW 60,000"), "{}", text.body);

    // The request: Korean, no usable address, the documents and the due date (request day + 30 + 3).
    let request = t.store.letter(&park, "T-002").expect("letter");
    assert_eq!(
        (request.kind, request.lang, request.email.as_deref()),
        (LetterKind::NeedsInfo, Lang::Ko, None)
    );
    assert_eq!(request.reason.as_ref().map(|r| r.code.as_str()), Some("LOSS_PROOF_NEEDED"));
    assert_eq!(request.note, "10월 매출 장부");
    let today = chrono::Utc::now().with_timezone(&claimdesk_core::time::kst()).date_naive();
    assert_eq!(request.due_on, Some(today + chrono::Days::new(33)));

    // The denial cites its code; the closure its reply.
    let denial = t.store.letter(&park, "T-003").expect("letter");
    assert_eq!(denial.reason.as_ref().map(|r| r.code.as_str()), Some("DUPLICATE"));
    let closure = t.store.letter(&park, "T-004").expect("letter");
    assert_eq!(closure.reason.as_ref().map(|r| r.code.as_str()), Some("INQUIRY_ANSWERED"));

    // Recorded as sent: nothing is owed any more, and the claim shows what the claimant was told.
    let sent: Vec<SentNotice> = [&approval, &request, &denial, &closure]
        .iter()
        .map(|l| SentNotice {
            claim_id: l.claim_id.clone(),
            version: l.version,
            channels: vec![NoticeChannel::Pdf, NoticeChannel::Sms],
            lang: l.lang,
            resend: false,
        })
        .collect();
    let report = t.store.record_notices(&park, sent.clone()).expect("record");
    assert_eq!((report.applied, report.refused.len()), (4, 0), "{report:?}");
    assert!(due_ids(&mut t).is_empty());
    let detail = t.store.claim("T-001").expect("claim");
    assert!(detail.notified);
    assert_eq!(detail.notices.len(), 1);
    assert_eq!(detail.notices[0].channels, [NoticeChannel::Pdf, NoticeChannel::Sms]);
    assert_eq!((detail.notices[0].sent_by.as_str(), detail.notices[0].lang), ("park", Lang::En));
    assert!(t
        .store
        .timeline("T-001")
        .expect("timeline")
        .iter()
        .any(|e| e.kind == "claim.notify" && !e.refused));
    let sent_rows = t.store.notices_sent(&park, None, 10).expect("sent");
    assert_eq!(sent_rows.len(), 4);
    assert!(sent_rows.iter().all(|r| r.sent.is_some() && !r.name_masked.contains("김택시")));

    // The same notices again, by accident: each is refused, nothing is recorded twice.
    let again = t.store.record_notices(&park, sent).expect("record");
    assert_eq!(again.applied, 0);
    assert!(again.refused.iter().all(|r| r.code == "ALREADY_NOTIFIED" || r.code == "STALE"), "{again:?}");
    assert_eq!(t.store.claim("T-001").expect("claim").notices.len(), 1);
    // A deliberate resend is a second notice.
    let version = t.store.claim("T-001").expect("claim").version;
    t.store
        .notify(&park, "T-001", Some(version), vec![NoticeChannel::Email], Lang::En, true)
        .expect("resend");
    assert_eq!(t.store.claim("T-001").expect("claim").notices.len(), 2);
}

#[test]
fn a_reviewer_sends_no_notice_and_reads_no_letter_and_both_refusals_are_audited() {
    let mut t = decided_team();
    let kim = t.kim.clone();
    let refused_before = t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'");
    assert_eq!(t.store.letter(&kim, "T-001").expect_err("reviewer").code(), "ROLE_NOT_ALLOWED");
    assert_eq!(t.store.notices_due(&kim, None, 0, 10).expect_err("reviewer").code(), "ROLE_NOT_ALLOWED");
    let e =
        t.store.notify(&kim, "T-001", None, vec![NoticeChannel::Pdf], Lang::Ko, false).expect_err("reviewer");
    assert_eq!(e.code(), "ROLE_NOT_ALLOWED");
    assert_eq!(t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'"), refused_before + 3);
    assert!(!t.store.claim("T-001").expect("claim").notified);
}

#[test]
fn a_letter_of_a_decision_changed_since_it_was_read_is_not_recorded_and_a_new_request_owes_a_new_notice() {
    let mut t = decided_team();
    let (kim, park) = (t.kim.clone(), t.park.clone());
    let letter = t.store.letter(&park, "T-002").expect("letter");
    // The documents arrive while the letter is being printed.
    t.store.info_received(&kim, "T-002", None, "장부 받음").expect("received");
    let report = t
        .store
        .record_notices(
            &park,
            vec![SentNotice {
                claim_id: "T-002".into(),
                version: letter.version,
                channels: vec![NoticeChannel::Pdf],
                lang: Lang::Ko,
                resend: false,
            }],
        )
        .expect("record");
    assert_eq!((report.applied, report.refused[0].code.as_str()), (0, "STALE"));
    assert_eq!(t.store.claim("T-002").expect("claim").status, ClaimStatus::InReview);
    assert!(!due_ids(&mut t).contains(&"T-002".to_string()), "nothing to tell while in review");
    // A notice on a claim under review is refused as such.
    let e = t
        .store
        .notify(&park, "T-002", None, vec![NoticeChannel::Pdf], Lang::Ko, false)
        .expect_err("in review");
    assert_eq!(e.code(), "WRONG_STATE");
    // Asked again (a supervisor's further request: one per claim otherwise): it owes a second notice.
    t.store.take(&park, "T-002", None).expect("take over");
    let another = claimdesk_store::claims::InfoRequest { due_on: None, another: true };
    t.store
        .request_info(&park, "T-002", None, Some("LOSS_PROOF_NEEDED"), "11월분도", another)
        .expect("ask again");
    assert!(due_ids(&mut t).contains(&"T-002".to_string()));
    assert_eq!(t.store.letter(&park, "T-002").expect("letter").note, "11월분도");
}

#[test]
fn the_status_feed_gives_an_open_request_the_due_date_its_notice_states() {
    let mut t = decided_team();
    let park = t.park.clone();
    let mut out = Vec::new();
    t.store
        .write_status_feed(&park, None, claimdesk_store::status_feed::FeedFormat::Json, Lang::Ko, &mut out)
        .expect("feed");
    let feed: Vec<serde_json::Value> = serde_json::from_slice(&out).expect("json");
    let due =
        |id: &str| feed.iter().find(|r| r["claim_id"] == id).map(|r| r["due_date"].clone()).expect("row");
    let letter = t.store.letter(&park, "T-002").expect("letter");
    let stated = letter.due_on.map(|d| d.format("%Y-%m-%d").to_string()).expect("a due date");
    assert_eq!(due("T-002"), serde_json::Value::String(stated), "the feed and the letter say one date");
    assert!(due("T-001").is_null(), "an approved claim owes nothing");
}
