//! Batches and payouts.

use std::path::PathBuf;

use claimdesk_store::batches::{ApprovalReport, BatchBuild, BatchInfo, BatchReview};
use claimdesk_store::payout::{PayoutConfirm, PayoutExport};
use claimdesk_store::queue::QueueFilter;
use tauri::ipc::Channel;
use tauri::AppHandle;

use super::report;
use crate::dto::Progress;
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState};

/// Supervisor: a batch of the recommended claims the filter matches.
#[tauri::command]
pub async fn create_batch(app: AppHandle, name: String, filter: QueueFilter) -> ApiResult<BatchBuild> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.create_batch(actor, &name, &filter)))
        .await
}

/// Supervisor: a batch of the named claims.
#[tauri::command]
pub async fn create_batch_of(
    app: AppHandle,
    name: String,
    external_ids: Vec<String>,
) -> ApiResult<BatchBuild> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.create_batch_of(actor, &name, &external_ids))
    })
    .await
}

#[tauri::command]
pub async fn batches(app: AppHandle) -> ApiResult<Vec<BatchInfo>> {
    blocking(app, |s: &AppState| s.as_user(|store, _| store.batches())).await
}

#[tauri::command]
pub async fn batch_review(app: AppHandle, batch_id: String) -> ApiResult<BatchReview> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.batch_review(&batch_id))).await
}

#[tauri::command]
pub async fn remove_from_batch(app: AppHandle, external_id: String) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.remove_from_batch(actor, &external_id)))
        .await
}

#[tauri::command]
pub async fn return_to_reviewer(app: AppHandle, external_id: String, comment: String) -> ApiResult<()> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.return_to_reviewer(actor, &external_id, &comment))
    })
    .await
}

/// Supervisor: approves every claim of the batch it may; the report lists each refusal (maker-checker, limit).
#[tauri::command]
pub async fn approve_batch(app: AppHandle, batch_id: String) -> ApiResult<ApprovalReport> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.approve_batch(actor, &batch_id))).await
}

/// The payout file's path with the extension of `format` ("csv" or "xlsx").
fn payout_path(path: &str, format: Option<&str>) -> ApiResult<PathBuf> {
    let mut path = PathBuf::from(path);
    match format.map(str::to_ascii_lowercase).as_deref() {
        None => {}
        Some(f @ ("csv" | "xlsx")) if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case(f)) => {
            path.as_mut_os_string().push(format!(".{f}"));
        }
        Some("csv" | "xlsx") => {}
        Some(other) => {
            return Err(ApiError::invalid(claimdesk_core::msg!("app.payout_format", format = other)))
        }
    }
    Ok(path)
}

/// Admin: writes approved, unpaid cash claims to a payout file; they are
/// paid only once the export is confirmed. Cancelled, the export is undone
/// (the payout cancelled and the file removed).
#[tauri::command]
pub async fn export_payout(
    app: AppHandle,
    path: String,
    format: Option<String>,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<PayoutExport> {
    blocking(app, move |s: &AppState| {
        let job = s.start_job(&job_id)?;
        let path = payout_path(&path, format.as_deref())?;
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        report(&on_progress, &job.id, "export", 0, None, Some(path.display().to_string()));
        let export = store.export_payout(&actor, &path)?;
        if job.is_cancelled() {
            store.cancel_payout(&actor, export.payout_id)?;
            let _ = std::fs::remove_file(&path);
            report(&on_progress, &job.id, "cancelled", 0, None, None);
            return Err(ApiError::new(
                "CANCELLED",
                "the payout export was cancelled; no claim was marked paid",
            ));
        }
        report(&on_progress, &job.id, "done", export.claims, Some(export.claims), None);
        Ok(export)
    })
    .await
}

#[tauri::command]
pub async fn confirm_payout(app: AppHandle, payout_id: i64) -> ApiResult<PayoutConfirm> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.confirm_payout(actor, payout_id))).await
}

/// Admin: writes an exported payout's file again, listing exactly the claims
/// still reserved for it (after another desktop's payout took some first).
#[tauri::command]
pub async fn rewrite_payout_file(
    app: AppHandle,
    payout_id: i64,
    path: String,
    format: Option<String>,
) -> ApiResult<PayoutExport> {
    blocking(app, move |s: &AppState| {
        let path = payout_path(&path, format.as_deref())?;
        s.as_user(|store, actor| store.rewrite_payout_file(actor, payout_id, &path))
    })
    .await
}

#[tauri::command]
pub async fn cancel_payout(app: AppHandle, payout_id: i64) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.cancel_payout(actor, payout_id))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payout_paths_get_the_format_extension() {
        assert_eq!(payout_path("/tmp/p", Some("xlsx")).expect("ok"), PathBuf::from("/tmp/p.xlsx"));
        assert_eq!(payout_path("/tmp/p.CSV", Some("csv")).expect("ok"), PathBuf::from("/tmp/p.CSV"));
        assert_eq!(payout_path("/tmp/p.csv", None).expect("ok"), PathBuf::from("/tmp/p.csv"));
        assert_eq!(payout_path("/tmp/p", Some("pdf")).err().map(|e| e.code), Some("INVALID".to_string()));
    }
}
