//! What a user may do to a claim now, from the core's workflow rules, so the
//! UI offers exactly the actions the store would accept.

use claimdesk_core::workflow::allowed_actions;
use claimdesk_core::{Actor, ClaimAction};

use crate::claims::load_record;
use crate::error::Result;
use crate::Store;

impl Store {
    /// The command kinds (`take`, `recommend`, `approve`, ...) `actor` could apply to the claim now.
    pub fn allowed_actions(&self, actor: &Actor, external_id: &str) -> Result<Vec<ClaimAction>> {
        let record = load_record(self.conn(), external_id)?;
        let mut view = record.view();
        // Asked today, with the due date the claim's clock shows (the window's extension applied).
        view.as_of = Some(crate::cure::today(self.conn())?);
        if let (Some(r), Some(clock)) = (view.request.as_mut(), self.cure_clock(external_id)?) {
            r.due_on = clock.due_on;
        }
        Ok(allowed_actions(actor, &view))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportOptions;
    use claimdesk_core::Role;

    #[test]
    fn actions_follow_role_and_state() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("s.db")).expect("open");
        let admin = store.actor("admin").expect("admin");
        store.create_user(&admin, "kim", "김", Role::Reviewer, None).expect("user");
        let kim = store.actor("kim").expect("kim");
        let fixture = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
        )
        .join("../../fixtures/sample-intake.csv");
        store.import_file(&admin, &fixture, ImportOptions::default(), &mut |_| true).expect("import");
        let id = store.queue_ids(&Default::default()).expect("ids")[0].clone();
        let before = store.allowed_actions(&kim, &id).expect("actions");
        assert!(
            before.contains(&ClaimAction::Triage)
                && !before.contains(&ClaimAction::Recommend)
                && !before.contains(&ClaimAction::Approve),
            "{before:?}"
        );
        store.take(&kim, &id, None).expect("take");
        let after = store.allowed_actions(&kim, &id).expect("actions");
        assert!(
            after.contains(&ClaimAction::Recommend) && after.contains(&ClaimAction::Release),
            "{after:?}"
        );
        assert_eq!(store.allowed_actions(&kim, "no-such-claim").err().map(|e| e.code()), Some("NOT_FOUND"));
    }
}
