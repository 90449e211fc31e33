//! The cure clock across the team: the server decides every request,
//! document tick and expiry with the core's rules on its own clock and its
//! own policy. An expiry before the due date, one from a desktop whose clock
//! runs weeks ahead, a reviewer's second request and a tick of a document the
//! claim's category does not send are refused with the core's codes; a
//! request made offline weeks ago (its clock stamp says so) is overdue now
//! and a supervisor's expiry of it is accepted.

mod common;

use claimdesk_sync::protocol::WireOp;
use common::*;
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;

/// An op stamped `days` ago (made on a desktop that was offline since).
fn days_ago(mut op: WireOp, days: i64) -> WireOp {
    let ms = now_ms() - days * DAY_MS;
    op.hlc = ((ms as u64) << 16) as i64 + (op.hlc & 0xFFFF);
    op.at_ms = ms;
    op
}

fn claim_op(api: &Api, claim: &str, kind: &str, payload: Value) -> WireOp {
    api.op(&format!("claim:{claim}"), kind, payload)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_runs_the_cure_clock_on_its_own_clock_and_policy() {
    let db = fresh_database("cure").await;
    for (id, role) in [("rita", "reviewer"), ("sam", "supervisor")] {
        create_user(&db, id, role, None);
    }
    let server = Server::start(&db);
    seed(&server.url, &db, &["K-1".to_string(), "K-2".to_string()]).await;
    let rita = Api::login(&server.url, "rita", "dev-rita").await;
    let sam = Api::login(&server.url, "sam", "dev-sam").await;
    let accepted = |r: &[claimdesk_sync::protocol::PushResult]| {
        assert_eq!(outcome_code(&r[0]), "accepted", "{r:?}");
    };
    let ask = |api: &Api, claim: &str| {
        claim_op(
            api,
            claim,
            "claim.request_info",
            json!({"code": "ACCOUNT_INFO_NEEDED", "message": "통장 사본"}),
        )
    };

    // K-1: taken and asked 40 days ago, offline; the window was 33 days: overdue now.
    accepted(&rita.push(&[days_ago(take(&rita, "K-1"), 41)]).await);
    accepted(&rita.push(&[days_ago(ask(&rita, "K-1"), 40)]).await);
    // K-2: asked today: due in 33 days.
    accepted(&rita.push(&[take(&rita, "K-2")]).await);
    accepted(&rita.push(&[ask(&rita, "K-2")]).await);

    // A tick of a document a taxi driver does not send; one they do.
    let tick = |code: &str| claim_op(&rita, "K-2", "claim.check_document", json!({"document": code}));
    assert_eq!(outcome_code(&rita.push(&[tick("SMALL_BUSINESS_CERT")]).await[0]), "rejected:INVALID");
    accepted(&rita.push(&[tick("TRIP_RECORDS")]).await);

    // The reviewer's client asks K-2 a second time after the answer: one request per claim.
    accepted(&rita.push(&[claim_op(&rita, "K-2", "claim.info_received", json!({"note": ""}))]).await);
    assert_eq!(outcome_code(&rita.push(&[ask(&rita, "K-2")]).await[0]), "rejected:SECOND_REQUEST");
    let another = claim_op(
        &rita,
        "K-2",
        "claim.request_info",
        json!({"code": "ACCOUNT_INFO_NEEDED", "message": "", "another": true}),
    );
    assert_eq!(outcome_code(&rita.push(&[another]).await[0]), "rejected:ROLE_NOT_ALLOWED");
    // A supervisor takes it over and sends the further request.
    accepted(&sam.push(&[take(&sam, "K-2")]).await);
    let another = claim_op(
        &sam,
        "K-2",
        "claim.request_info",
        json!({"code": "ACCOUNT_INFO_NEEDED", "message": "통장 사본", "another": true}),
    );
    accepted(&sam.push(&[another]).await);

    let expire = |api: &Api, claim: &str| claim_op(api, claim, "claim.expire", json!({"note": "기한 경과"}));
    // K-2 is not due: refused, whatever the supervisor's desktop says.
    assert_eq!(outcome_code(&sam.push(&[expire(&sam, "K-2")]).await[0]), "rejected:NOT_DUE");
    // A desktop whose clock runs 40 days ahead cannot make it due.
    let ahead = days_ago(expire(&sam, "K-2"), -40);
    assert_eq!(outcome_code(&sam.push(&[ahead]).await[0]), "rejected:CLOCK_AHEAD");
    // K-1 is overdue: a reviewer's expiry is refused, a supervisor's accepted.
    assert_eq!(outcome_code(&rita.push(&[expire(&rita, "K-1")]).await[0]), "rejected:ROLE_NOT_ALLOWED");
    accepted(&sam.push(&[expire(&sam, "K-1")]).await);
    let expired: Vec<(String, String)> = rita
        .pull_all(0)
        .await
        .into_iter()
        .filter(|p| p.op.kind == "claim.expire")
        .map(|p| (p.op.entity, p.op.user))
        .collect();
    assert_eq!(expired, [("claim:K-1".to_string(), "sam".to_string())], "every desktop pulls the one expiry");
}
