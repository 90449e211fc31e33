//! The cure clock through the store, as the app and the CLI use it: a
//! request's due date (the policy's window or a given one), the queue's due
//! filters, the one-request rule, the checklist, an expiry refused before
//! the due date and allowed after, and the window's extension moving every
//! open due date (the claim, the queue, the letter and the status feed agree).
//! The desktop's clock is moved forward with `meta.clock_offset_ms`, the
//! offset its op writer adds (ops and "today" move together).

mod common;

use chrono::{Days, NaiveDate};
use claimdesk_core::message::{Explain, Lang};
use claimdesk_core::model::DueState;
use claimdesk_core::{ClaimAction, ClaimStatus, LetterKind};
use claimdesk_store::claims::InfoRequest;
use claimdesk_store::queue::QueueFilter;
use claimdesk_store::status_feed::FeedFormat;
use claimdesk_store::StoreError;
use common::{small_file, team, Team};

/// Moves this desktop's clock `days` ahead of the real one.
fn days_later(t: &Team, days: i64) {
    t.store
        .conn()
        .execute(
            "INSERT INTO meta (key, value) VALUES ('clock_offset_ms', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [(days * 86_400_000).to_string()],
        )
        .expect("clock offset");
}

/// Today in Korea by the real clock.
fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&claimdesk_core::time::kst()).date_naive()
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d + Days::new(days)
}

/// T-002 (a small business) held by kim and asked for proof of lost sales today.
fn asked() -> Team {
    let mut t = team();
    let file = t.write("intake.csv", &small_file());
    t.import(&file);
    let kim = t.kim.clone();
    t.store.take(&kim, "T-002", None).expect("take");
    t.store
        .request_info(
            &kim,
            "T-002",
            None,
            Some("LOSS_PROOF_NEEDED"),
            "10월 매출 장부",
            InfoRequest::default(),
        )
        .expect("ask");
    t
}

fn due_ids(t: &Team, due: DueState) -> Vec<String> {
    t.store.queue_ids(&QueueFilter { due: Some(due), ..Default::default() }).expect("queue")
}

/// The refusal's code, or "accepted".
fn refusal<T>(r: Result<T, StoreError>) -> String {
    match r {
        Ok(_) => "accepted".into(),
        Err(e) => e.code().to_string(),
    }
}

#[test]
fn a_request_runs_on_the_policys_window_and_expires_only_once_overdue() {
    let mut t = asked();
    let (kim, park) = (t.kim.clone(), t.park.clone());
    // Asked today: due in 30 days + 3 by mail, on the claim, in the queue, in the letter.
    let due = plus(today(), 33);
    let clock = t.store.claim("T-002").expect("claim").cure.expect("a clock");
    assert_eq!(
        (clock.requested_on, clock.due_on, clock.state, clock.days_left),
        (today(), due, DueState::Open, 33)
    );
    assert_eq!(due_ids(&t, DueState::Open), ["T-002"]);
    assert!(due_ids(&t, DueState::Overdue).is_empty());
    let page = t.store.queue_page(&QueueFilter::default(), Default::default(), 0, 10).expect("page");
    let row = page.rows.iter().find(|r| r.external_id == "T-002").expect("row");
    assert_eq!(row.due_on, Some(due.to_string()));
    assert_eq!(t.store.letter(&park, "T-002").expect("letter").due_on, Some(due));
    // Closing it now is refused, saying the date, and audited as a refusal.
    let refused = t.store.expire(&park, "T-002", None, "").expect_err("not yet due");
    assert_eq!(refused.code(), "NOT_DUE");
    assert!(refused.message().render(Lang::Ko).contains(&due.to_string()), "{refused}");
    assert!(!t.store.allowed_actions(&park, "T-002").expect("actions").contains(&ClaimAction::Expire));

    // 30 days on: 3 days left, within the 7 reminder days.
    days_later(&t, 30);
    assert_eq!(due_ids(&t, DueState::ReminderDue), ["T-002"]);
    let counts = t.store.due_counts(None).expect("counts");
    assert_eq!((counts.open, counts.reminder_due, counts.overdue), (0, 1, 0));
    // On the due day itself it is still not overdue.
    days_later(&t, 33);
    assert_eq!(refusal(t.store.expire(&park, "T-002", None, "")), "NOT_DUE");

    // The day after: overdue. A supervisor is offered the expiry; a reviewer is refused it.
    days_later(&t, 34);
    assert_eq!(due_ids(&t, DueState::Overdue), ["T-002"]);
    assert!(t.store.allowed_actions(&park, "T-002").expect("actions").contains(&ClaimAction::Expire));
    assert!(!t.store.allowed_actions(&kim, "T-002").expect("actions").contains(&ClaimAction::Expire));
    assert_eq!(refusal(t.store.expire(&kim, "T-002", None, "")), "ROLE_NOT_ALLOWED");
    t.store.expire(&park, "T-002", None, "기한 내 서류 미제출").expect("expired");
    let d = t.store.claim("T-002").expect("claim");
    assert_eq!(
        (d.status, d.reason_code.as_deref(), d.assignee),
        (ClaimStatus::ClosedDenied, Some("NOT_CURED"), None)
    );
    assert!(d.cure.is_none(), "nothing is waited for any more");
    // The claimant is owed a denial letter citing NOT_CURED, with the note.
    let letter = t.store.letter(&park, "T-002").expect("letter");
    assert_eq!(letter.kind, LetterKind::Denied);
    assert_eq!(letter.reason.as_ref().map(|r| r.code.as_str()), Some("NOT_CURED"));
    assert_eq!(letter.note, "기한 내 서류 미제출");
    // Once, on the record: one expiry op, the two refusals beside it.
    assert_eq!(t.count("SELECT count(*) FROM ops WHERE kind = 'claim.expire' AND outcome = 'applied'"), 1);
    assert_eq!(t.count("SELECT count(*) FROM ops WHERE kind = 'claim.expire' AND outcome = 'refused'"), 3);
}

#[test]
fn extending_the_window_moves_every_open_due_date_everywhere_it_is_shown() {
    let mut t = asked();
    let (kim, park) = (t.kim.clone(), t.park.clone());
    days_later(&t, 40);
    assert_eq!(due_ids(&t, DueState::Overdue), ["T-002"]);
    let until = plus(today(), 50);
    // A reviewer cannot extend it; a supervisor must say why and pick a later day.
    let e = t.store.extend_cure(&kim, None, until, "연장", &mut |_| true).expect_err("reviewer");
    assert_eq!(e.code(), "ROLE_NOT_ALLOWED");
    assert_eq!(refusal(t.store.extend_cure(&park, None, until, " ", &mut |_| true)), "INVALID");
    let past = plus(today(), 39);
    assert_eq!(refusal(t.store.extend_cure(&park, None, past, "연장", &mut |_| true)), "INVALID");
    let version = t
        .store
        .extend_cure(&park, None, until, "서류 미제출이 많아 협의회가 연장", &mut |_| true)
        .expect("extend");
    let (active, policy) = t.store.active_policy().expect("policy");
    assert_eq!((active, policy.cure.extended_until), (version, Some(until)));
    // The claim, the queue, the letter and the status feed all say the new date.
    let clock = t.store.claim("T-002").expect("claim").cure.expect("clock");
    assert_eq!((clock.due_on, clock.extended, clock.state), (until, true, DueState::Open));
    assert!(due_ids(&t, DueState::Overdue).is_empty());
    assert_eq!(due_ids(&t, DueState::Open), ["T-002"]);
    assert_eq!(t.store.letter(&park, "T-002").expect("letter").due_on, Some(until));
    let mut feed = Vec::new();
    t.store.write_status_feed(&park, None, FeedFormat::Json, Lang::Ko, &mut feed).expect("feed");
    let feed: serde_json::Value = serde_json::from_slice(&feed).expect("json");
    let row = feed.as_array().and_then(|rows| rows.iter().find(|r| r["claim_id"] == "T-002")).expect("row");
    assert_eq!(row["due_date"], until.to_string());
    // An expiry before the new date is refused with it; after it, over the overdue filter, it closes.
    let refused = t.store.expire(&park, "T-002", None, "").expect_err("extended");
    assert!(refused.message().render(Lang::En).contains(&until.to_string()), "{refused}");
    days_later(&t, 91);
    let overdue = QueueFilter { due: Some(DueState::Overdue), ..Default::default() };
    let r = t.store.expire_where(&park, &overdue, "").expect("expire");
    assert_eq!((r.applied, r.refused.len()), (1, 0));
    assert_eq!(t.store.claim("T-002").expect("claim").status, ClaimStatus::ClosedDenied);
    // The extension is two audited ops of the policy's history.
    assert_eq!(t.count("SELECT count(*) FROM ops WHERE kind IN ('policy.create', 'policy.activate') AND user_id = 'park'"), 2);
}

#[test]
fn a_claim_gets_one_request_and_a_supervisor_sends_another_with_a_given_due_date() {
    let mut t = asked();
    let (kim, park) = (t.kim.clone(), t.park.clone());
    t.store.info_received(&kim, "T-002", None, "장부 받음").expect("answered");
    let again =
        t.store.request_info(&kim, "T-002", None, Some("ACCOUNT_INFO_NEEDED"), "", InfoRequest::default());
    let e = again.expect_err("a second request");
    assert_eq!(e.code(), "SECOND_REQUEST");
    assert!(e.message().render(Lang::Ko).contains("책임자"), "{e}");
    // A reviewer cannot call it a further request; a supervisor who takes the claim over can.
    let another = InfoRequest { due_on: None, another: true };
    let e = t
        .store
        .request_info(&kim, "T-002", None, Some("ACCOUNT_INFO_NEEDED"), "", another)
        .expect_err("reviewer");
    assert_eq!(e.code(), "ROLE_NOT_ALLOWED");
    t.store.take(&park, "T-002", None).expect("take over");
    // A given due date must lie after today and within a year.
    for bad in [today(), plus(today(), 366)] {
        let given = InfoRequest { due_on: Some(bad), another: true };
        let e = t
            .store
            .request_info(&park, "T-002", None, Some("ACCOUNT_INFO_NEEDED"), "", given)
            .expect_err("date");
        assert_eq!(e.code(), "INVALID", "{bad}");
    }
    let given = InfoRequest { due_on: Some(plus(today(), 14)), another: true };
    t.store
        .request_info(&park, "T-002", None, Some("ACCOUNT_INFO_NEEDED"), "통장 사본", given)
        .expect("another");
    let d = t.store.claim("T-002").expect("claim");
    assert_eq!((d.status, d.info_requests), (ClaimStatus::NeedsInfo, 2));
    assert_eq!(d.cure.map(|c| c.due_on), Some(plus(today(), 14)));
}

#[test]
fn documents_are_ticked_from_the_policys_list_for_the_claims_category() {
    let mut t = asked();
    let (kim, lee) = (t.kim.clone(), t.lee.clone());
    let d = t.store.claim("T-002").expect("claim");
    let listed: Vec<&str> = d.documents.iter().map(|d| d.code.as_str()).collect();
    assert!(listed.contains(&"SMALL_BUSINESS_CERT") && listed.contains(&"BANK_ACCOUNT_COPY"), "{listed:?}");
    t.store.check_document(&kim, "T-002", None, "SMALL_BUSINESS_CERT", true).expect("tick");
    t.store.check_document(&kim, "T-002", None, "BANK_ACCOUNT_COPY", true).expect("tick");
    t.store.check_document(&kim, "T-002", None, "BANK_ACCOUNT_COPY", false).expect("untick");
    assert_eq!(t.store.claim("T-002").expect("claim").documents_received, ["SMALL_BUSINESS_CERT"]);
    // Not a document a small business sends, not a code at all, another reviewer's claim: refused.
    let e = t.store.check_document(&kim, "T-002", None, "TRIP_RECORDS", true).expect_err("taxi's");
    assert_eq!(e.code(), "INVALID");
    assert!(e.message().render(Lang::Ko).contains("소상공인"), "{e}");
    assert_eq!(refusal(t.store.check_document(&kim, "T-002", None, "bank copy", true)), "INVALID");
    assert_eq!(
        refusal(t.store.check_document(&lee, "T-002", None, "LOST_SALES_PROOF", true)),
        "HELD_BY_OTHER"
    );
    // A free user sends none of them.
    assert_eq!(refusal(t.store.check_document(&kim, "T-004", None, "BANK_ACCOUNT_COPY", true)), "INVALID");
}
