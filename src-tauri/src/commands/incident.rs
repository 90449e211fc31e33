//! Incidents (docs/decisions/0008-incidents.md): the switcher's list, the
//! current one, switching, starting one (from scratch or as a copy of an
//! earlier one), correcting its name and dates, and the claimant's history
//! across incidents. Roles are the store's: anyone signed in lists, switches
//! and reads a history; supervisors and admins start and edit incidents.
//!
//! Each command is a plain function over the state (tested below as a
//! signed-in user) wrapped by its `#[tauri::command]`.

use claimdesk_core::catalog::{Incident, Service};
use claimdesk_core::Catalog;
use claimdesk_store::incidents::{HistoryRow, IncidentInfo};
use claimdesk_store::StoreError;
use tauri::AppHandle;

use crate::error::ApiResult;
use crate::state::{blocking, AppState};

pub fn list(s: &AppState) -> ApiResult<Vec<IncidentInfo>> {
    s.as_user(|store, _| store.incidents())
}

/// The incident the store works in, as the switcher lists it.
pub fn current(s: &AppState) -> ApiResult<IncidentInfo> {
    s.as_user(|store, _| {
        let id = store.current_incident()?;
        store.incidents()?.into_iter().find(|i| i.id == id).ok_or_else(|| StoreError::UnknownIncident(id))
    })
}

pub fn switch(s: &AppState, id: &str) -> ApiResult<IncidentInfo> {
    s.as_user(|store, actor| store.set_current_incident(actor, id))?;
    current(s)
}

/// Starts an incident: `services` given, they are its catalog; none and
/// `copy_of` given, the services of that incident are copied (to edit later).
/// Returns its first policy version (active). The store then works in it.
pub fn create(
    s: &AppState,
    incident: Incident,
    services: Option<Vec<Service>>,
    copy_of: Option<String>,
) -> ApiResult<i64> {
    let copy_of = copy_of.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    s.as_user(|store, actor| {
        let services = match (services, &copy_of) {
            (Some(services), _) => services,
            (None, Some(source)) => store.incident_catalog(Some(source))?.services,
            (None, None) => Vec::new(),
        };
        store.create_incident(actor, &Catalog { incident, services, letters: Vec::new() }, copy_of.as_deref())
    })
}

pub fn update(s: &AppState, incident: Incident) -> ApiResult<()> {
    s.as_user(|store, actor| store.update_incident(actor, &incident))
}

pub fn history(s: &AppState, external_id: &str) -> ApiResult<Vec<HistoryRow>> {
    s.as_user(|store, _| store.claimant_history(external_id))
}

/// Every incident of this store, oldest first, with its claims and active policy.
#[tauri::command]
pub async fn incidents(app: AppHandle) -> ApiResult<Vec<IncidentInfo>> {
    blocking(app, |s: &AppState| list(s)).await
}

#[tauri::command]
pub async fn current_incident(app: AppHandle) -> ApiResult<IncidentInfo> {
    blocking(app, |s: &AppState| current(s)).await
}

/// Anyone signed in: the queue, dashboard, batches and policy of this desktop
/// show `id` from now on (device-local, audited, never synced).
#[tauri::command]
pub async fn switch_incident(app: AppHandle, id: String) -> ApiResult<IncidentInfo> {
    blocking(app, move |s: &AppState| switch(s, &id)).await
}

/// Supervisor or admin: starts an incident with its first policy (a copy of
/// `copy_of`'s active one, or a draft) and switches to it.
#[tauri::command]
pub async fn create_incident(
    app: AppHandle,
    incident: Incident,
    services: Option<Vec<Service>>,
    copy_of: Option<String>,
) -> ApiResult<i64> {
    blocking(app, move |s: &AppState| create(s, incident, services, copy_of)).await
}

/// Supervisor or admin: an incident's name and dates (its services stay).
#[tauri::command]
pub async fn update_incident(app: AppHandle, incident: Incident) -> ApiResult<()> {
    blocking(app, move |s: &AppState| update(s, incident)).await
}

/// The claimant's other claims (same phone or BRN) in every incident, masked.
#[tauri::command]
pub async fn claimant_history(app: AppHandle, external_id: String) -> ApiResult<Vec<HistoryRow>> {
    blocking(app, move |s: &AppState| history(s, &external_id)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimdesk_core::catalog::FIRST_INCIDENT;
    use claimdesk_core::Role;
    use claimdesk_store::import::ImportOptions;

    fn code<T: std::fmt::Debug>(r: ApiResult<T>) -> String {
        r.expect_err("refused").code
    }

    fn breach() -> Incident {
        Incident {
            id: "breach-2025-11".into(),
            name: "2025 개인정보 유출".into(),
            started_at: "2025-11-01T00:00:00+09:00".parse().expect("date"),
            ended_at: "2025-11-30T23:59:59+09:00".parse().expect("date"),
        }
    }

    /// A store with 20 demo claims of 2022, an admin, a reviewer (kim) and a supervisor (park).
    fn app() -> (tempfile::TempDir, AppState, String) {
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::open(dir.path().join("claimdesk.db"));
        let admin =
            state.with_store(|s| s.set_first_admin_password("admin-password-1")).expect("first admin");
        let file = dir.path().join("claims.csv");
        state
            .with_store(|s| {
                claimdesk_synth::write_csv_file(
                    &claimdesk_synth::SynthConfig::demo(20),
                    &s.catalog()?,
                    &file,
                )?;
                s.import_file(&admin, &file, ImportOptions::default(), &mut |_| true)?;
                s.create_user(&admin, "kim", "김민수", Role::Reviewer, None)?;
                s.create_user(&admin, "park", "박서연", Role::Supervisor, Some(1_000_000))
            })
            .expect("claims and users");
        let claim = state
            .with_store(|s| {
                Ok(s.queue_page(&Default::default(), Default::default(), 0, 1)?.rows[0].external_id.clone())
            })
            .expect("claim");
        (dir, state, claim)
    }

    #[test]
    fn every_incident_command_needs_a_signed_in_user() {
        let (_dir, state, claim) = app();
        assert_eq!(code(list(&state)), "NOT_SIGNED_IN");
        assert_eq!(code(current(&state)), "NOT_SIGNED_IN");
        assert_eq!(code(switch(&state, FIRST_INCIDENT)), "NOT_SIGNED_IN");
        assert_eq!(code(create(&state, breach(), None, Some(FIRST_INCIDENT.into()))), "NOT_SIGNED_IN");
        assert_eq!(code(update(&state, breach())), "NOT_SIGNED_IN");
        assert_eq!(code(history(&state, &claim)), "NOT_SIGNED_IN");
    }

    #[test]
    fn a_reviewer_lists_switches_and_reads_histories_but_starts_and_edits_no_incident() {
        let (_dir, state, claim) = app();
        state.set_session(Some("kim".into()));
        assert_eq!(list(&state).expect("list").len(), 1);
        assert_eq!(current(&state).expect("current").id, FIRST_INCIDENT);
        assert_eq!(switch(&state, FIRST_INCIDENT).expect("switch").id, FIRST_INCIDENT);
        assert_eq!(code(switch(&state, "nope-2099")), "UNKNOWN_INCIDENT");
        assert_eq!(code(create(&state, breach(), None, Some(FIRST_INCIDENT.into()))), "ROLE_NOT_ALLOWED");
        assert_eq!(code(create(&state, breach(), Some(Vec::new()), None)), "ROLE_NOT_ALLOWED");
        let mut renamed = state.with_store(|s| s.incident_catalog(None)).expect("catalog").incident;
        renamed.name = "바뀐 이름".into();
        assert_eq!(code(update(&state, renamed)), "ROLE_NOT_ALLOWED");
        assert_eq!(list(&state).expect("list").len(), 1, "nothing was started");
        history(&state, &claim).expect("a reviewer reads the history");
        assert_eq!(code(history(&state, "NO-SUCH-CLAIM")), "NOT_FOUND");
    }

    #[test]
    fn a_supervisor_starts_a_copy_with_the_services_copied_switches_back_and_edits_it() {
        let (_dir, state, _claim) = app();
        state.set_session(Some("park".into()));
        let version = create(&state, breach(), None, Some(FIRST_INCIDENT.into())).expect("copy");
        let now = current(&state).expect("current");
        assert_eq!(
            (now.id.as_str(), now.active_policy, now.copied_from.as_deref()),
            ("breach-2025-11", Some(version), Some(FIRST_INCIDENT))
        );
        let services =
            state.with_store(|s| s.incident_catalog(Some("breach-2025-11"))).expect("catalog").services;
        assert_eq!(services, claimdesk_core::Catalog::default_2022().services, "the services are copied");
        assert_eq!(code(create(&state, breach(), None, None)), "BAD_INCIDENT", "the id is taken");

        let mut renamed = breach();
        renamed.name = "2025 유출 (정정)".into();
        update(&state, renamed).expect("a supervisor edits");
        assert_eq!(current(&state).expect("current").name, "2025 유출 (정정)");

        // From scratch, with services of its own (an admin may too).
        state.set_session(Some("admin".into()));
        let mut fresh = breach();
        fresh.id = "fresh-2026".into();
        let service = Service {
            code: "shop".into(),
            name: "쇼핑".into(),
            outage_start: fresh.started_at,
            outage_end: fresh.ended_at,
        };
        create(&state, fresh, Some(vec![service]), None).expect("from scratch");
        assert_eq!(state.with_store(|s| s.incident_catalog(None)).expect("catalog").services.len(), 1);
        assert_eq!(switch(&state, FIRST_INCIDENT).expect("back").claims, 20);
        assert_eq!(list(&state).expect("list").len(), 3);
    }

    /// The demo's second incident: its own policy and claims, claimants shared with 2022, and 2022 current again.
    #[test]
    fn the_demo_adds_a_second_incident_whose_claimants_show_in_the_2022_history() {
        let (dir, state, _claim) = app();
        state
            .with_store(|s| {
                let admin = s.actor("admin")?;
                claimdesk_demo::load_second_incident(
                    s,
                    &admin,
                    &claimdesk_synth::SynthConfig::demo(20),
                    dir.path(),
                )
            })
            .expect("second incident");
        state.set_session(Some("kim".into()));
        let mut incidents: Vec<(String, u64)> =
            list(&state).expect("list").into_iter().map(|i| (i.id, i.claims)).collect();
        incidents.sort();
        assert_eq!(
            incidents,
            vec![("coupang-breach-2025-11".to_string(), 400), (FIRST_INCIDENT.to_string(), 20)]
        );
        assert_eq!(current(&state).expect("current").id, FIRST_INCIDENT, "the 2022 outage stays current");
        let evaluated = state
            .with_store(|s| {
                let (_, policy) = s.active_policy_of(Some("coupang-breach-2025-11"))?;
                assert_eq!(policy.services, claimdesk_synth::breach2025::catalog().services);
                let eligible: i64 =
                    s.conn().query_row("SELECT count(*) FROM claims WHERE incident_id = 'coupang-breach-2025-11' AND eligible = 1", [], |r| r.get(0))?;
                Ok(eligible)
            })
            .expect("evaluated");
        assert!(evaluated > 200, "most 2025 claims pass its own policy: {evaluated}");
        let ids = state.with_store(|s| s.queue_ids(&Default::default())).expect("2022 ids");
        let crossing: Vec<HistoryRow> = ids
            .iter()
            .flat_map(|id| history(&state, id).expect("history"))
            .filter(|h| h.incident_id == "coupang-breach-2025-11")
            .collect();
        assert!(!crossing.is_empty(), "some 2022 claimants filed in 2025 too");
        assert!(crossing
            .iter()
            .all(|h| h.shared_key_masked.contains('*') && h.incident_name == "2025 쿠팡 개인정보 유출"));
    }
}
