//! The demo store, one definition for the app's "load demo data" and
//! `claimdesk demo`: the team and its password, a second incident whose
//! claimants partly repeat the 2022 ones, and the final 2022 programme's
//! policy beside the default. Each step goes through the store's own
//! actions, so the demo's ops and audit entries are those of real work.

use std::path::Path;

use claimdesk_core::policy::{example_policy, Policy};
use claimdesk_core::{Actor, Role};
use claimdesk_store::import::ImportOptions;
use claimdesk_store::{Store, StoreError};
use claimdesk_synth::{breach2025, SynthConfig};

/// The password of every member of the demo team (README; shown on the app's first-run screen).
pub const PASSWORD: &str = claimdesk_synth::DEMO_PASSWORD;

/// A member of the demo team.
pub struct Member {
    pub id: &'static str,
    pub name: &'static str,
    pub role: Role,
    /// Won; None: no limit.
    pub approval_limit: Option<i64>,
}

/// Two reviewers, two supervisors with different approval limits, and a
/// second admin (finance): dual control means the admin who exports a payout
/// file does not confirm it.
pub const TEAM: &[Member] = &[
    Member { id: "kim.reviewer", name: "김지은 (심사자)", role: Role::Reviewer, approval_limit: None },
    Member { id: "lee.reviewer", name: "이준호 (심사자)", role: Role::Reviewer, approval_limit: None },
    Member {
        id: "park.supervisor",
        name: "박서연 (책임자)",
        role: Role::Supervisor,
        approval_limit: Some(5_000_000),
    },
    Member {
        id: "choi.supervisor",
        name: "최민수 (책임자)",
        role: Role::Supervisor,
        approval_limit: Some(1_000_000),
    },
    Member {
        id: "yoon.finance", name: "윤하늘 (재무 관리자)", role: Role::Admin, approval_limit: None
    },
];

/// Adds every member of [`TEAM`] the store does not have yet, with [`PASSWORD`].
pub fn add_team(store: &mut Store, admin: &Actor) -> Result<(), StoreError> {
    let existing: Vec<String> = store.users()?.into_iter().map(|u| u.id).collect();
    for m in TEAM {
        if !existing.iter().any(|e| e == m.id) {
            store.create_user_with_password(admin, m.id, m.name, m.role, m.approval_limit, PASSWORD)?;
        }
    }
    Ok(())
}

/// Claims of the demo's second incident.
pub const SECOND_INCIDENT_CLAIMS: usize = 400;

/// The demo's second incident, "2025 쿠팡 개인정보 유출" (claimdesk_synth::breach2025):
/// started as a copy of the current incident (its active policy), then a
/// policy version of its own services and filing window activated, and 400
/// claims, one individual in four a claimant (name and phone) of the rows
/// `first` generated. The store works in the first incident again afterwards.
/// The intake file is written in `dir` and removed after the import.
pub fn load_second_incident(
    store: &mut Store,
    admin: &Actor,
    first: &SynthConfig,
    dir: &Path,
) -> Result<(), StoreError> {
    let first_incident = store.current_incident()?;
    store.create_incident(admin, &breach2025::catalog(), Some(&first_incident))?;
    let (_, copied) = store.active_policy_of(Some(breach2025::ID))?;
    let own = breach2025::policy(&copied);
    let note = "2022 정책을 복사해 서비스와 접수 기간만 이 사고에 맞춤 (demo)";
    let version =
        store.add_policy_version_to(admin, Some(breach2025::ID), &own.to_toml(), &own.name, note)?;
    store.activate_policy(admin, version, &mut |_| true)?;
    let shared = breach2025::individuals(
        first,
        &store.incident_catalog(Some(&first_incident))?,
        SECOND_INCIDENT_CLAIMS / 4,
    );
    let file = dir.join("피해신고_접수_데모_2025.csv");
    breach2025::write_csv_file(SECOND_INCIDENT_CLAIMS, &shared, 4, &file)?;
    let options = ImportOptions { incident: Some(breach2025::ID.to_string()), ..ImportOptions::default() };
    let imported = store.import_file(admin, &file, options, &mut |_| true);
    let _ = std::fs::remove_file(&file);
    imported?;
    store.set_current_incident(admin, &first_incident)
}

/// The final 2022 programme (taxi tiers, message credit) as a policy version
/// beside the default, not active, so a what-if compares the two at once.
/// Returns its version; an equal version already there is not added again.
pub fn add_final_2022_policy(store: &mut Store, author: &Actor) -> Result<Option<i64>, StoreError> {
    let Some(example) = example_policy("final-2022") else { return Ok(None) };
    let policy = Policy::from_toml(example.toml)?;
    for v in store.policy_versions()? {
        if store.policy(v.version)? == policy {
            return Ok(Some(v.version));
        }
    }
    let note = "데모: 택시 등급별 정액, 소상공인 메시지 크레딧";
    Ok(Some(store.add_policy_version(author, example.toml, example.name_ko, note)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a person trying the demo meets: the team signs in with the
    /// password, the second incident holds its claims (some claimants of 2022
    /// among them) and the store is back in 2022, the final-2022 policy is
    /// listed once however often it is added.
    #[test]
    fn the_demo_store_has_its_team_two_incidents_and_both_2022_policies() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = Store::open(&dir.path().join("demo.db")).expect("store");
        let admin = store.set_first_admin_password("admin password 1").expect("admin");
        let first = SynthConfig::demo(300);
        let file = dir.path().join("2022.csv");
        claimdesk_synth::write_csv_file(&first, &store.catalog().expect("catalog"), &file).expect("file");
        store.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");

        add_team(&mut store, &admin).expect("team");
        add_team(&mut store, &admin).expect("a second time adds nobody");
        for m in TEAM {
            let signed = store.verify_password(m.id, PASSWORD).expect("the demo password signs in");
            let limit = m.approval_limit.map(rust_decimal::Decimal::from);
            assert_eq!((signed.role, signed.approval_limit), (m.role, limit), "{}", m.id);
        }
        let first_incident = store.current_incident().expect("current");
        load_second_incident(&mut store, &admin, &first, dir.path()).expect("second incident");
        assert_eq!(store.current_incident().expect("current"), first_incident, "back in 2022");
        let second = claimdesk_store::queue::QueueFilter {
            incident: Some(breach2025::ID.to_string()),
            ..Default::default()
        };
        assert_eq!(store.queue_ids(&second).expect("ids").len(), SECOND_INCIDENT_CLAIMS);
        assert!(std::fs::read_dir(dir.path())
            .expect("dir")
            .all(|e| { !e.expect("entry").file_name().to_string_lossy().contains("2025") }));

        let v = add_final_2022_policy(&mut store, &admin).expect("policy").expect("shipped");
        assert_eq!(add_final_2022_policy(&mut store, &admin).expect("again"), Some(v), "not twice");
        let active = store.active_policy().expect("active").0;
        assert_ne!(active, v, "the final-2022 policy is beside the default, not active");
        assert_eq!(store.policy(v).expect("v"), Policy::final_2022().expect("example"));
    }
}
