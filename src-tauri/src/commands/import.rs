//! Intake: import a file (with progress and cancel), the quarantine, and the
//! demo data of the first run.

use std::path::{Path, PathBuf};

use claimdesk_core::{Actor, Role};
use claimdesk_store::import::{ImportOptions, ImportSummary};
use claimdesk_store::quarantine::QuarantineEntry;
use claimdesk_store::Store;
use tauri::ipc::Channel;
use tauri::AppHandle;

use super::report;
use crate::dto::Progress;
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState, Job};

fn import_with_progress(
    store: &mut Store,
    actor: &Actor,
    path: &Path,
    options: ImportOptions,
    job: &Job<'_>,
    channel: &Channel<Progress>,
) -> Result<ImportSummary, claimdesk_store::StoreError> {
    store.import_file(actor, path, options, &mut |p| {
        let message = format!("{} imported, {} quarantined", p.counts.imported, p.counts.quarantined);
        report(channel, &job.id, "import", p.bytes_read, Some(p.total_bytes), Some(message));
        !job.is_cancelled()
    })
}

/// Admin: imports an intake file (CSV or XLSX). Re-importing a fixed
/// quarantine export is the same call. With `update`, rows whose claim is
/// already in the store with other content are applied (audited) instead of
/// reported as conflicts. Cancelled, nothing changes.
#[tauri::command]
pub async fn import_file(
    app: AppHandle,
    path: String,
    update: Option<bool>,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<ImportSummary> {
    blocking(app, move |s: &AppState| {
        let job = s.start_job(&job_id)?;
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        let summary = import_with_progress(
            &mut store,
            &actor,
            Path::new(&path),
            ImportOptions { update_existing: update.unwrap_or(false), ..ImportOptions::default() },
            &job,
            &on_progress,
        )?;
        report(&on_progress, &job.id, "done", summary.counts.rows_read, Some(summary.counts.rows_read), None);
        Ok(summary)
    })
    .await
}

/// Quarantined rows; `open_only` leaves out the ones a later import fixed.
#[tauri::command]
pub async fn quarantine(app: AppHandle, open_only: bool) -> ApiResult<Vec<QuarantineEntry>> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.quarantine(open_only))).await
}

/// Writes the open quarantined rows to a file to fix and import again; returns the row count.
#[tauri::command]
pub async fn export_quarantine(app: AppHandle, path: String) -> ApiResult<u64> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, _| Ok(store.export_quarantine(Path::new(&path))? as u64))
    })
    .await
}

#[tauri::command]
pub async fn store_is_empty(app: AppHandle) -> ApiResult<bool> {
    blocking(app, |s: &AppState| s.with_store(|store| Ok(store.claim_count()? == 0))).await
}

/// The demo team (id, name, role, approval limit); their password is [`DEMO_PASSWORD`].
pub const DEMO_TEAM: &[(&str, &str, Role, Option<i64>)] = &[
    ("kim.reviewer", "김지은 (심사자)", Role::Reviewer, None),
    ("lee.reviewer", "이준호 (심사자)", Role::Reviewer, None),
    ("park.supervisor", "박서연 (책임자)", Role::Supervisor, Some(5_000_000)),
    ("choi.supervisor", "최민수 (책임자)", Role::Supervisor, Some(1_000_000)),
];

/// The demo team's password (demo data only; shown on the first-run screen).
pub const DEMO_PASSWORD: &str = claimdesk_synth::DEMO_PASSWORD;

/// Admin, first run: writes a demo intake file of `count` (default 20,000)
/// synthetic claims of the 2022 outage (with a few bad rows for the
/// quarantine), imports it, adds the demo team, and starts a small second
/// incident ([`load_second_incident`]). The 2022 outage stays the current one.
#[tauri::command]
pub async fn load_demo_data(
    app: AppHandle,
    count: Option<u32>,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<ImportSummary> {
    blocking(app, move |s: &AppState| {
        let job = s.start_job(&job_id)?;
        let count = count.unwrap_or(20_000).clamp(1, 1_000_000) as usize;
        let admin = s.actor()?;
        let mut store = s.open_worker()?;
        if store.claim_count()? > 0 {
            return Err(ApiError::invalid(claimdesk_core::msg!("app.demo_not_empty")));
        }
        report(&on_progress, &job.id, "write_demo_file", 0, Some(count as u64), None);
        let dir = demo_dir(&s.db_path);
        std::fs::create_dir_all(&dir).map_err(claimdesk_store::StoreError::from)?;
        let file = dir.join("피해신고_접수_데모.csv");
        let config = claimdesk_synth::SynthConfig::demo(count);
        claimdesk_synth::write_csv_file(&config, &store.catalog()?, &file)
            .map_err(claimdesk_store::StoreError::from)?;
        if job.is_cancelled() {
            return Err(ApiError::new("CANCELLED", "the demo data was not loaded"));
        }
        let summary =
            import_with_progress(&mut store, &admin, &file, ImportOptions::default(), &job, &on_progress)?;
        let _ = std::fs::remove_file(&file);
        report(&on_progress, &job.id, "second_incident", 0, None, None);
        load_second_incident(&mut store, &admin, &config, &dir)?;
        let existing: Vec<String> = store.users()?.into_iter().map(|u| u.id).collect();
        for (id, name, role, limit) in DEMO_TEAM {
            if !existing.iter().any(|e| e == id) {
                store.create_user_with_password(&admin, id, name, *role, *limit, DEMO_PASSWORD)?;
            }
        }
        add_demo_policy(&mut store, &admin)?;
        report(&on_progress, &job.id, "done", summary.counts.rows_read, Some(summary.counts.rows_read), None);
        Ok(summary)
    })
    .await
}

/// Claims of the demo's second incident.
const SECOND_INCIDENT_CLAIMS: usize = 400;

/// The demo's second incident, "2025 쿠팡 개인정보 유출" (claimdesk_synth::breach2025):
/// started as a copy of the 2022 outage (its active policy), then a policy
/// version of its own services and filing window activated, and 400 claims,
/// one individual in four a claimant (name and phone) of the 2022 demo rows
/// `first` generated. The store works in the 2022 outage again afterwards.
pub fn load_second_incident(
    store: &mut Store,
    admin: &Actor,
    first: &claimdesk_synth::SynthConfig,
    dir: &Path,
) -> Result<(), claimdesk_store::StoreError> {
    use claimdesk_synth::breach2025;
    let first_incident = store.current_incident()?;
    let catalog = breach2025::catalog();
    store.create_incident(admin, &catalog, Some(&first_incident))?;
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

/// The final 2022 programme beside the default, not active (once), so the
/// policy screen's what-if compares the two with one click.
pub fn add_demo_policy(store: &mut claimdesk_store::Store, admin: &claimdesk_core::Actor) -> ApiResult<()> {
    let Some(example) = claimdesk_core::policy::example_policy("final-2022") else { return Ok(()) };
    let policy = claimdesk_core::policy::Policy::from_toml(example.toml)?;
    for v in store.policy_versions()? {
        if store.policy(v.version)? == policy {
            return Ok(());
        }
    }
    store.add_policy_version(
        admin,
        example.toml,
        example.name_ko,
        "데모: 택시 등급별 정액, 소상공인 메시지 크레딧",
    )?;
    Ok(())
}

fn demo_dir(db: &Path) -> PathBuf {
    db.parent().map(|p| p.join("demo")).unwrap_or_else(|| PathBuf::from("demo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_data_adds_the_final_2022_policy_once_and_inactive() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = claimdesk_store::Store::open(&dir.path().join("s.db")).expect("store");
        let admin = store.actor(claimdesk_store::FIRST_ADMIN).expect("admin");
        add_demo_policy(&mut store, &admin).expect("add");
        add_demo_policy(&mut store, &admin).expect("again");
        let versions = store.policy_versions().expect("versions");
        assert_eq!(
            versions.iter().map(|v| (v.version, v.active)).collect::<Vec<_>>(),
            [(1, true), (2, false)]
        );
        assert_eq!(
            store.policy(2).expect("v2"),
            claimdesk_core::policy::Policy::final_2022().expect("example")
        );
    }
}
