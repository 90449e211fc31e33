//! Every role × every action through the store, the entry point of the
//! app's commands and of the CLI (both act as the signed-in or `--as` user
//! through these methods). The table is written here apart from the core:
//! an action a role may not take is refused as ROLE_NOT_ALLOWED, leaving
//! only an audit entry of the refusal, whatever the claim's state; an
//! action it may take is never refused for its role. The server's push and
//! another desktop's fold: crates/server/tests/entry_points.rs.

mod common;

use claimdesk_core::workflow::{ClaimCommand, Decision};
use claimdesk_core::{Actor, ClaimAction, ClaimInput, ClaimStatus, PersonalField, Role};
use claimdesk_store::{Store, StoreError};
use common::*;

fn needs(action: ClaimAction) -> Role {
    use ClaimAction as A;
    match action {
        A::AddToBatch
        | A::RemoveFromBatch
        | A::ReturnToReviewer
        | A::Approve
        | A::ResolveConflict
        | A::Reopen
        | A::Notify
        | A::Expire => Role::Supervisor,
        A::UpdateIntake
        | A::ReservePayout
        | A::ReleasePayout
        | A::MarkPaid
        | A::ReserveFulfilment
        | A::ReleaseFulfilment
        | A::MarkFulfilled => Role::Admin,
        A::Triage
        | A::Take
        | A::Release
        | A::RequestInfo
        | A::InfoReceived
        | A::Recommend
        | A::AddNote
        | A::WithdrawNote
        | A::Annotate
        | A::AddEvidence
        | A::RevealPersonalData
        | A::Lease
        | A::ReleaseLease
        | A::SetReportType
        | A::CloseNoDamage
        | A::CheckDocument => Role::Reviewer,
    }
}

fn rank(r: Role) -> u8 {
    match r {
        Role::Reviewer => 0,
        Role::Supervisor => 1,
        Role::Admin => 2,
    }
}

fn command(action: ClaimAction, claim: &ClaimInput) -> ClaimCommand {
    use ClaimAction as A;
    match action {
        A::Triage => ClaimCommand::Triage {
            category: None,
            priority: None,
            tags: Some(vec!["확인".into()]),
            duplicate_of: None,
            duplicate_cleared: false,
        },
        A::Take => ClaimCommand::Take,
        A::Release => ClaimCommand::Release,
        A::RequestInfo => ClaimCommand::RequestInfo {
            code: Some("ACCOUNT_INFO_NEEDED".into()),
            message: "통장 사본".into(),
            due_on: None,
            another: false,
        },
        A::CheckDocument => {
            ClaimCommand::CheckDocument { document: "BANK_ACCOUNT_COPY".into(), received: true }
        }
        A::Expire => ClaimCommand::Expire { note: String::new() },
        A::InfoReceived => ClaimCommand::InfoReceived { note: String::new() },
        A::Recommend => ClaimCommand::Recommend {
            decision: Decision::Deny { code: Some("DUPLICATE".into()), reason: "중복".into() },
            justification: Some("중복".into()),
        },
        A::AddNote => ClaimCommand::AddNote { body: "메모".into() },
        A::WithdrawNote => ClaimCommand::WithdrawNote { note_op: "none".into() },
        A::Annotate => ClaimCommand::Annotate { priority: None, tags: Some(vec![]) },
        A::AddEvidence => ClaimCommand::AddEvidence {
            sha256: "ab".repeat(32),
            file_name: "a.jpg".into(),
            mime: String::new(),
            size: 1,
        },
        A::RevealPersonalData => ClaimCommand::RevealPersonalData { field: PersonalField::Phone },
        A::UpdateIntake => ClaimCommand::UpdateIntake { claim: Box::new(claim.clone()), fields: vec![] },
        A::Lease => ClaimCommand::Lease,
        A::ReleaseLease => ClaimCommand::ReleaseLease,
        A::AddToBatch => ClaimCommand::AddToBatch { batch_id: "B".into() },
        A::RemoveFromBatch => ClaimCommand::RemoveFromBatch,
        A::ReturnToReviewer => ClaimCommand::ReturnToReviewer { comment: "다시".into() },
        A::Approve => ClaimCommand::Approve { recommendation_op: "r".into() },
        A::ReservePayout => ClaimCommand::ReservePayout { payout_id: "P".into() },
        A::ReleasePayout => ClaimCommand::ReleasePayout { payout_id: "P".into() },
        A::MarkPaid => ClaimCommand::MarkPaid { payout_id: "P".into() },
        A::ReserveFulfilment => ClaimCommand::ReserveFulfilment { fulfilment_id: "F".into() },
        A::ReleaseFulfilment => ClaimCommand::ReleaseFulfilment { fulfilment_id: "F".into() },
        A::MarkFulfilled => ClaimCommand::MarkFulfilled { fulfilment_id: "F".into() },
        A::ResolveConflict => ClaimCommand::ResolveConflict { to: ClaimStatus::Triaged, note: String::new() },
        A::SetReportType => ClaimCommand::SetReportType { report_type: claimdesk_core::ReportType::Inquiry },
        A::CloseNoDamage => {
            ClaimCommand::CloseNoDamage { reply: "INQUIRY_ANSWERED".into(), note: String::new() }
        }
        A::Reopen => ClaimCommand::Reopen,
        A::Notify => ClaimCommand::Notify {
            channels: vec![claimdesk_core::NoticeChannel::Pdf],
            lang: Default::default(),
            resend: false,
        },
    }
}

fn refused_for_role<T>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(e) if e.code() == "ROLE_NOT_ALLOWED")
}

#[test]
fn every_role_and_every_action_through_the_store() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let claim = serde_json::from_value::<ClaimInput>(
        serde_json::from_str::<serde_json::Value>(
            &t.store
                .conn()
                .query_row("SELECT payload FROM ops WHERE kind = 'claim.import' LIMIT 1", [], |r| {
                    r.get::<_, String>(0)
                })
                .expect("import op"),
        )
        .expect("json"),
    )
    .expect("claim");
    let roles: [(&Actor, Role); 3] =
        [(&t.kim, Role::Reviewer), (&t.park, Role::Supervisor), (&t.admin, Role::Admin)];
    let roles: Vec<(Actor, Role)> = roles.iter().map(|(a, r)| ((*a).clone(), *r)).collect();
    let mut checked = 0;
    for (actor, role) in &roles {
        for action in ClaimAction::ALL {
            let refusals_before = t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'");
            let report = t
                .store
                .apply_to_many(actor, vec![(claim.external_id.clone(), command(*action, &claim))])
                .expect("apply");
            let refused = report.refused.first().is_some_and(|r| r.code == "ROLE_NOT_ALLOWED");
            assert_eq!(refused, rank(*role) < rank(needs(*action)), "{action} by a {role}: {report:?}");
            if refused {
                assert_eq!(
                    t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'"),
                    refusals_before + 1,
                    "the refusal is audited"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * ClaimAction::ALL.len());

    // The team actions, through the methods the app's commands and the CLI call.
    let policy = claimdesk_core::policy::Policy::default_2022().to_toml();
    let catalog = claimdesk_core::Catalog::default_2022();
    for (actor, role) in &roles {
        let sup = rank(*role) >= rank(Role::Supervisor);
        let admin = *role == Role::Admin;
        let store: &mut Store = &mut t.store;
        assert_eq!(
            refused_for_role(&store.create_batch_of(actor, "묶음", &[])),
            !sup,
            "create a batch as a {role}"
        );
        assert_eq!(
            refused_for_role(&store.add_policy_version(actor, &policy, "사본", "")),
            !sup,
            "add a policy as a {role}"
        );
        assert_eq!(
            refused_for_role(&store.activate_policy(actor, 1, &mut |_| true)),
            !sup,
            "activate a policy as a {role}"
        );
        assert_eq!(
            refused_for_role(&store.replace_catalog(actor, &catalog)),
            !admin,
            "replace the catalog as a {role}"
        );
        let out = t.dir.path().join(format!("payout-{role}.csv"));
        assert_eq!(
            refused_for_role(&store.export_payout(actor, &out)),
            !admin,
            "export a payout as a {role}"
        );
        assert_eq!(
            refused_for_role(&store.confirm_payout(actor, 999)),
            !admin,
            "confirm a payout as a {role}"
        );
        assert_eq!(refused_for_role(&store.cancel_payout(actor, 999)), !admin, "cancel a payout as a {role}");
        assert_eq!(
            refused_for_role(&store.create_user(
                actor,
                &format!("new-{role}"),
                "새 사람",
                Role::Reviewer,
                None
            )),
            !admin,
            "add a user as a {role}"
        );
        let import =
            store.import_file(actor, &file, claimdesk_store::import::ImportOptions::default(), &mut |_| true);
        assert_eq!(refused_for_role(&import), !admin, "import as a {role}");
    }
    t.store.verify_audit().expect("chain");
}
