//! Decision notices across the team (issue 12): the server decides every
//! `claim.notify` with the core's rules, whoever sends it. A reviewer's
//! notice, a notice of a claim nothing was decided on and a second notice of
//! the same decision from another supervisor's desktop are refused with the
//! core's codes; a deliberate resend is accepted; every desktop pulls one
//! notice per decision.

mod common;

use common::*;
use serde_json::json;

fn notify(api: &Api, claim: &str, resend: bool) -> claimdesk_sync::protocol::WireOp {
    api.op(
        &format!("claim:{claim}"),
        "claim.notify",
        json!({"channels": ["pdf", "sms"], "lang": "ko", "resend": resend}),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_takes_one_notice_per_decision_and_only_from_a_supervisor() {
    let db = fresh_database("notices").await;
    for (id, role) in [("rita", "reviewer"), ("sam", "supervisor"), ("sue", "supervisor")] {
        create_user(&db, id, role, None);
    }
    let server = Server::start(&db);
    seed(&server.url, &db, &["N-1".to_string(), "N-2".to_string()]).await;
    let rita = Api::login(&server.url, "rita", "dev-rita").await;
    let sam = Api::login(&server.url, "sam", "dev-sam").await;
    let sue = Api::login(&server.url, "sue", "dev-sue").await;

    // Made in order: an op's clock stamp says when it was made.
    let took = take(&rita, "N-1");
    let rec = recommend(&rita, "N-1", 60_000);
    for op in [took, rec.clone()] {
        let r = rita.push(&[op]).await;
        assert_eq!(outcome_code(&r[0]), "accepted", "{r:?}");
    }
    for op in batch(&sam, "N-1", "B-1") {
        let r = sam.push(&[op]).await;
        assert_eq!(outcome_code(&r[0]), "accepted", "{r:?}");
    }
    let approved = sue.push(&[approve(&sue, "N-1", &rec)]).await;
    assert_eq!(outcome_code(&approved[0]), "accepted", "{approved:?}");

    // Nothing decided on N-2: nothing to tell its claimant.
    let early = sam.push(&[notify(&sam, "N-2", false)]).await;
    assert_eq!(outcome_code(&early[0]), "rejected:WRONG_STATE");
    // A reviewer's client that sends a notice anyway.
    let forged = rita.push(&[notify(&rita, "N-1", false)]).await;
    assert_eq!(outcome_code(&forged[0]), "rejected:ROLE_NOT_ALLOWED");
    // Two supervisors export the notices on their own desktops: the first
    // notice stands, the second is refused.
    let first = sam.push(&[notify(&sam, "N-1", false)]).await;
    assert_eq!(outcome_code(&first[0]), "accepted", "{first:?}");
    let second = sue.push(&[notify(&sue, "N-1", false)]).await;
    assert_eq!(outcome_code(&second[0]), "rejected:ALREADY_NOTIFIED");
    // A resend on purpose is a second notice.
    let resend = sue.push(&[notify(&sue, "N-1", true)]).await;
    assert_eq!(outcome_code(&resend[0]), "accepted", "{resend:?}");

    let notices: Vec<String> = rita
        .pull_all(0)
        .await
        .into_iter()
        .filter(|p| p.op.kind == "claim.notify")
        .map(|p| p.op.user)
        .collect();
    assert_eq!(notices, ["sam", "sue"], "every desktop pulls the two accepted notices");
}
