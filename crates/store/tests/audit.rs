//! The audit chain detects tampering with the local database and names the
//! first broken entry; every admin action, allowed or refused, is in it.

mod common;

use claimdesk_core::Role;
use claimdesk_store::queue::QueueFilter;
use claimdesk_store::StoreError;
use common::{small_file, team};

#[test]
fn changing_any_past_entry_breaks_the_chain_at_that_entry() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    t.import(&file);
    let kim = t.kim.clone();
    t.store.take(&kim, "T-001", None).expect("take");
    let total = t.store.verify_audit().expect("intact").entries;

    // Rewrite the amount in the import entry of T-001, as someone editing the file would.
    let target = t.count("SELECT seq FROM ops WHERE entity = 'claim:T-001' AND kind = 'claim.import'");
    let n = t
        .store
        .conn()
        .execute("UPDATE ops SET payload = replace(payload, '60000', '90000') WHERE seq = ?1", [target])
        .expect("tamper");
    assert_eq!(n, 1);
    match t.store.verify_audit() {
        Err(StoreError::AuditBroken { seq, .. }) => assert_eq!(seq, target),
        other => panic!("tampering not detected: {other:?}"),
    }

    // Deleting an entry is detected as well.
    let mut t = team();
    t.import(&file);
    t.store.conn().execute("DELETE FROM ops WHERE seq = 3", []).expect("delete");
    match t.store.verify_audit() {
        Err(StoreError::AuditBroken { seq, .. }) => assert_eq!(seq, 3),
        other => panic!("deletion not detected: {other:?}"),
    }
    assert!(total > 5);
}

#[test]
fn every_admin_action_by_every_role_is_enforced_and_audited() {
    let mut t = team();
    let file = t.write("a.csv", &small_file());
    let (admin, kim, park) = (t.admin.clone(), t.kim.clone(), t.park.clone());
    let policy = t.store.active_policy().expect("policy").1.to_toml();
    let out = t.dir.path().join("p.csv");

    // (who, action, allowed?)
    for (actor, allowed_admin_only, allowed_supervisor) in
        [(&kim, false, false), (&park, false, true), (&admin, true, true)]
    {
        let refused_before = t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'");
        let mut expected_refusals = 0;
        let mut check = |result: Result<(), StoreError>, allowed: bool, what: &str| {
            match (&result, allowed) {
                (Ok(()), true) => {}
                (Err(e), false) => {
                    assert_eq!(e.code(), "ROLE_NOT_ALLOWED", "{} {what}: {e}", actor.user);
                    expected_refusals += 1;
                }
                (Err(e), true) if e.code() != "ROLE_NOT_ALLOWED" => {} // allowed, failed for another reason
                _ => panic!("{} {what}: allowed={allowed} got {result:?}", actor.user),
            }
        };
        let id = format!("u-{}", actor.user);
        check(t.store.create_user(actor, &id, "x", Role::Reviewer, None), allowed_admin_only, "create user");
        check(
            t.store.import_file(actor, &file, Default::default(), &mut |_| true).map(|_| ()),
            allowed_admin_only,
            "import",
        );
        check(
            t.store.add_policy_version(actor, &policy, "v", "").map(|_| ()),
            allowed_supervisor,
            "add policy",
        );
        check(
            t.store.create_batch(actor, "b", &QueueFilter::default()).map(|_| ()),
            allowed_supervisor,
            "create batch",
        );
        check(t.store.export_payout(actor, &out).map(|_| ()), allowed_admin_only, "export payout");
        check(t.store.recent_ops(actor, 10).map(|_| ()), allowed_supervisor, "read the audit log");
        let refused_after = t.count("SELECT count(*) FROM ops WHERE outcome = 'refused'");
        assert_eq!(
            refused_after - refused_before,
            expected_refusals,
            "every refusal of {} is audited",
            actor.user
        );
    }
    t.store.verify_audit().expect("chain");
}
