//! Intake: import a file (with progress and cancel), the quarantine, and the
//! demo data of the first run.

use std::path::{Path, PathBuf};

use claimdesk_core::Actor;
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
