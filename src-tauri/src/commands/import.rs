//! Intake: import a file (with progress and cancel), the quarantine, and the
//! demo data of the first run.

use std::path::{Path, PathBuf};

use claimdesk_core::workflow::AdminAction;
use claimdesk_core::Actor;
use claimdesk_store::import::{ImportOptions, ImportSummary};
use claimdesk_store::quarantine::QuarantineEntry;
use claimdesk_store::Store;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};

use super::report;
use crate::dialogs::PickedIntake;
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

/// Admin: asks for the intake file to import (CSV or XLSX, the open dialog,
/// opened here) and keeps it for [`import_file`]; returns its name to show,
/// None when the person cancelled. Refused (audited) before the dialog
/// opens for a role that may not import.
#[tauri::command]
pub async fn choose_intake_file(app: AppHandle) -> ApiResult<Option<String>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        choose_intake_asking(s, &handle.state::<PickedIntake>(), || {
            crate::dialogs::open_path(&handle, "CSV / XLSX", &["csv", "xlsx", "txt"])
        })
    })
    .await
}

fn choose_intake_asking(
    s: &AppState,
    picked: &PickedIntake,
    ask: impl FnOnce() -> ApiResult<Option<PathBuf>>,
) -> ApiResult<Option<String>> {
    s.as_user(|store, actor| store.check_may(actor, AdminAction::ImportIntake, "import"))?;
    let Some(path) = ask()? else {
        return Ok(None);
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    picked.set(Some(path));
    Ok(Some(name))
}

/// Admin: imports the intake file chosen with [`choose_intake_file`]. Re-importing a fixed
/// quarantine export is the same call. With `update`, rows whose claim is
/// already in the store with other content are applied (audited) instead of
/// reported as conflicts. Cancelled, nothing changes. Imported, the file is
/// forgotten (the next import chooses again).
#[tauri::command]
pub async fn import_file(
    app: AppHandle,
    update: Option<bool>,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<ImportSummary> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        let picked = handle.state::<PickedIntake>();
        let path =
            picked.get().ok_or_else(|| ApiError::invalid(claimdesk_core::msg!("app.no_intake_file")))?;
        let job = s.start_job(&job_id)?;
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        let summary = import_with_progress(
            &mut store,
            &actor,
            &path,
            ImportOptions { update_existing: update.unwrap_or(false), ..ImportOptions::default() },
            &job,
            &on_progress,
        )?;
        picked.set(None);
        report(&on_progress, &job.id, "done", summary.counts.rows_read, Some(summary.counts.rows_read), None);
        Ok(summary)
    })
    .await
}

/// Admin: quarantined rows; `open_only` leaves out the ones a later import fixed.
#[tauri::command]
pub async fn quarantine(app: AppHandle, open_only: bool) -> ApiResult<Vec<QuarantineEntry>> {
    blocking(app, move |s: &AppState| list_quarantine(s, open_only)).await
}

fn list_quarantine(s: &AppState, open_only: bool) -> ApiResult<Vec<QuarantineEntry>> {
    s.as_user(|store, actor| store.quarantine(actor, open_only))
}

/// Admin: asks where to write the open quarantined rows (the save dialog,
/// opened here: the webview names no path), writes them there to fix and
/// import again, audited; returns the row count, None when the person
/// cancelled the dialog.
#[tauri::command]
pub async fn export_quarantine(app: AppHandle) -> ApiResult<Option<u64>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        export_quarantine_asking(s, || crate::dialogs::save_path(&handle, "quarantine.csv", "CSV", &["csv"]))
    })
    .await
}

/// The export with `ask` as the save dialog: refused (and audited) before
/// the dialog opens, so nobody is asked for a path in vain; the path is the
/// dialog's answer, never the webview's.
fn export_quarantine_asking(
    s: &AppState,
    ask: impl FnOnce() -> ApiResult<Option<PathBuf>>,
) -> ApiResult<Option<u64>> {
    if list_quarantine(s, true)?.is_empty() {
        return Err(
            claimdesk_store::StoreError::Invalid(claimdesk_core::msg!("store.quarantine_empty")).into()
        );
    }
    let Some(path) = ask()? else {
        return Ok(None);
    };
    s.as_user(|store, actor| Ok(Some(store.export_quarantine(actor, &path)? as u64)))
}

#[tauri::command]
pub async fn store_is_empty(app: AppHandle) -> ApiResult<bool> {
    blocking(app, |s: &AppState| s.with_store(|store| Ok(store.claim_count()? == 0))).await
}

/// Admin, first run: writes a demo intake file of `count` (default 20,000)
/// synthetic claims of the 2022 outage (with a few bad rows for the
/// quarantine), imports it, adds the demo team, and starts a small second
/// incident (`claimdesk_demo::load_second_incident`). The 2022 outage stays the current one.
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
        claimdesk_demo::load_second_incident(&mut store, &admin, &config, &dir)?;
        claimdesk_demo::add_team(&mut store, &admin)?;
        claimdesk_demo::add_final_2022_policy(&mut store, &admin)?;
        report(&on_progress, &job.id, "done", summary.counts.rows_read, Some(summary.counts.rows_read), None);
        Ok(summary)
    })
    .await
}

fn demo_dir(db: &Path) -> PathBuf {
    db.parent().map(|p| p.join("demo")).unwrap_or_else(|| PathBuf::from("demo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app's quarantine commands as a reviewer, a supervisor and the
    /// admin: only the admin lists or exports, a refused export never opens
    /// the dialog, and a cancelled dialog writes nothing and audits nothing.
    #[test]
    fn only_an_admin_lists_or_exports_the_quarantine_and_the_dialog_names_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("s.db");
        let mut store = Store::open(&db).expect("store");
        let admin = store.actor("admin").expect("admin");
        store.create_user(&admin, "kim", "김지은", claimdesk_core::Role::Reviewer, None).expect("kim");
        store.create_user(&admin, "park", "박서연", claimdesk_core::Role::Supervisor, None).expect("park");
        let sample =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample-intake.csv");
        store.import_file(&admin, &sample, ImportOptions::default(), &mut |_| true).expect("import");
        let state = AppState::new(db);
        state.put_store(store);
        let out = dir.path().join("fix.csv");
        for user in ["kim", "park"] {
            state.set_session(Some(user.into()));
            assert_eq!(
                list_quarantine(&state, true).map_err(|e| e.code).err().as_deref(),
                Some("ROLE_NOT_ALLOWED")
            );
            let refused = export_quarantine_asking(&state, || panic!("the dialog opened for {user}"));
            assert_eq!(refused.map_err(|e| e.code).err().as_deref(), Some("ROLE_NOT_ALLOWED"));
        }
        state.set_session(Some("admin".into()));
        assert_eq!(list_quarantine(&state, true).expect("listed").len(), 11);
        let exports = |s: &AppState| -> i64 {
            s.with_store(|store| {
                Ok(store.conn().query_row(
                    "SELECT count(*) FROM ops WHERE kind = 'quarantine.export'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .expect("count")
        };
        assert_eq!(export_quarantine_asking(&state, || Ok(None)).expect("cancelled"), None);
        assert_eq!(exports(&state), 0, "a cancelled dialog exports nothing");
        assert_eq!(export_quarantine_asking(&state, || Ok(Some(out.clone()))).expect("exported"), Some(11));
        assert!(out.is_file());
        assert_eq!(exports(&state), 1);
    }

    /// The intake file comes from the open dialog, never from the webview:
    /// a role that may not import never sees the dialog (refused, audited),
    /// the UI gets only the file's name, and a cancel keeps no file.
    #[test]
    fn the_intake_file_is_the_open_dialogs_and_only_an_admin_is_asked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("s.db");
        let mut store = Store::open(&db).expect("store");
        let admin = store.actor("admin").expect("admin");
        store.create_user(&admin, "park", "박서연", claimdesk_core::Role::Supervisor, None).expect("park");
        let state = AppState::new(db);
        state.put_store(store);
        let picked = PickedIntake::default();
        state.set_session(Some("park".into()));
        let refused = choose_intake_asking(&state, &picked, || panic!("the dialog opened for a supervisor"));
        assert_eq!(refused.map_err(|e| e.code).err().as_deref(), Some("ROLE_NOT_ALLOWED"));
        state.set_session(Some("admin".into()));
        assert_eq!(choose_intake_asking(&state, &picked, || Ok(None)).expect("cancelled"), None);
        assert_eq!(picked.get(), None);
        let file = dir.path().join("sub").join("피해신고.csv");
        let name = choose_intake_asking(&state, &picked, || Ok(Some(file.clone()))).expect("chosen");
        assert_eq!(name.as_deref(), Some("피해신고.csv"), "the UI sees the name, not the path");
        assert_eq!(picked.get(), Some(file));
    }
}
