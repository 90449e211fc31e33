//! Batches and payouts.

use std::path::{Path, PathBuf};

use claimdesk_core::workflow::AdminAction;
use claimdesk_core::Actor;
use claimdesk_store::batches::{ApprovalReport, BatchBuild, BatchInfo, BatchReview};
use claimdesk_store::delivery::DeliveryRow;
use claimdesk_store::payout::{PayoutConfirm, PayoutExport};
use claimdesk_store::queue::QueueFilter;
use claimdesk_store::Store;
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

/// A payout or fulfilment file's path with the extension of `format` ("csv" or "xlsx").
fn payout_path(path: impl Into<PathBuf>, format: Option<&str>) -> ApiResult<PathBuf> {
    let mut path: PathBuf = path.into();
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

/// Asks where to write a payout file (the save dialog, opened here: the
/// webview names no path), with the extension of `format`; None when the
/// person cancels. Refused before the dialog opens when the role may not
/// export payouts (the store refuses it again, audited).
fn ask_payout_path(
    s: &AppState,
    name: &str,
    format: Option<&str>,
    ask: impl FnOnce(&str, &str, &[&str]) -> ApiResult<Option<PathBuf>>,
) -> ApiResult<Option<PathBuf>> {
    ask_file_path(s, (AdminAction::ExportPayout, "payout"), name, format, ask)
}

/// [`ask_payout_path`] for the file of any admin export (`action` on
/// `entity`: a payout's or a fulfilment's), refused before the dialog opens.
pub(super) fn ask_file_path(
    s: &AppState,
    (action, entity): (AdminAction, &str),
    name: &str,
    format: Option<&str>,
    ask: impl FnOnce(&str, &str, &[&str]) -> ApiResult<Option<PathBuf>>,
) -> ApiResult<Option<PathBuf>> {
    s.as_user(|store, actor| store.check_may(actor, action, entity))?;
    let ext = match format.map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => "csv",
        _ => "xlsx",
    };
    let (filter, file_name) = (if ext == "csv" { "CSV" } else { "Excel" }, format!("{name}.{ext}"));
    match ask(&file_name, filter, &[ext])? {
        Some(path) => Ok(Some(payout_path(path, format)?)),
        None => Ok(None),
    }
}

/// Now in Korean time, for the suggested file name (`payout-202210190912`).
fn kst_stamp() -> String {
    let kst = chrono::FixedOffset::east_opt(9 * 3600).expect("a valid offset");
    chrono::Utc::now().with_timezone(&kst).format("%Y%m%d%H%M").to_string()
}

/// How a way out of ClaimDesk (a payout, a fulfilment) is exported from
/// the app, for [`export_with_progress`].
pub(super) struct ExportSteps<E> {
    /// The admin action and entity the save dialog is refused for.
    pub ask: (AdminAction, &'static str),
    pub export: fn(&mut Store, &Actor, &Path) -> claimdesk_store::Result<E>,
    pub cancel: fn(&mut Store, &Actor, i64) -> claimdesk_store::Result<()>,
    /// The export's id and how many claims it holds.
    pub counts: fn(&E) -> (i64, u64),
    /// Said when the person cancelled the job while it ran.
    pub cancelled: &'static str,
}

/// Asks where (the save dialog, after the role check), exports with
/// progress, and undoes the export (cancelled in the store, the file
/// removed) when the job was cancelled while it ran. None: the dialog was
/// cancelled.
pub(super) fn export_with_progress<E>(
    s: &AppState,
    app: &AppHandle,
    job_id: &str,
    format: Option<&str>,
    on_progress: &Channel<Progress>,
    steps: ExportSteps<E>,
) -> ApiResult<Option<E>> {
    let job = s.start_job(job_id)?;
    let name = format!("{}-{}", steps.ask.1, kst_stamp());
    let Some(path) = ask_file_path(s, steps.ask, &name, format, |file, filter, ext| {
        crate::dialogs::save_path(app, file, filter, ext)
    })?
    else {
        return Ok(None);
    };
    let actor = s.actor()?;
    let mut store = s.open_worker()?;
    report(on_progress, &job.id, "export", 0, None, Some(path.display().to_string()));
    let export = (steps.export)(&mut store, &actor, &path)?;
    let (id, claims) = (steps.counts)(&export);
    if job.is_cancelled() {
        (steps.cancel)(&mut store, &actor, id)?;
        let _ = std::fs::remove_file(&path);
        report(on_progress, &job.id, "cancelled", 0, None, None);
        return Err(ApiError::new("CANCELLED", steps.cancelled));
    }
    report(on_progress, &job.id, "done", claims, Some(claims), None);
    Ok(Some(export))
}

/// Admin: asks where to write the payout file (save dialog), then writes
/// approved, unpaid cash claims to it; they are paid only once the export
/// is confirmed. None when the dialog was cancelled. Cancelled while it
/// runs, the export is undone (the payout cancelled and the file removed).
#[tauri::command]
pub async fn export_payout(
    app: AppHandle,
    format: Option<String>,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<Option<PayoutExport>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        let steps = ExportSteps {
            ask: (AdminAction::ExportPayout, "payout"),
            export: Store::export_payout,
            cancel: Store::cancel_payout,
            counts: |e: &PayoutExport| (e.payout_id, e.claims),
            cancelled: "the payout export was cancelled; no claim was marked paid",
        };
        export_with_progress(s, &handle, &job_id, format.as_deref(), &on_progress, steps)
    })
    .await
}

#[tauri::command]
pub async fn confirm_payout(app: AppHandle, payout_id: i64) -> ApiResult<PayoutConfirm> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.confirm_payout(actor, payout_id))).await
}

/// Admin: asks where (save dialog), then writes an exported payout's file
/// again, listing exactly the claims still reserved for it (after another
/// desktop's payout took some first). None when the dialog was cancelled.
#[tauri::command]
pub async fn rewrite_payout_file(
    app: AppHandle,
    payout_id: i64,
    format: Option<String>,
) -> ApiResult<Option<PayoutExport>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        let name = format!("payout-{payout_id}-again");
        let Some(path) = ask_payout_path(s, &name, format.as_deref(), |file, filter, ext| {
            crate::dialogs::save_path(&handle, file, filter, ext)
        })?
        else {
            return Ok(None);
        };
        s.as_user(|store, actor| store.rewrite_payout_file(actor, payout_id, &path)).map(Some)
    })
    .await
}

#[tauri::command]
pub async fn cancel_payout(app: AppHandle, payout_id: i64) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.cancel_payout(actor, payout_id))).await
}

/// Admin: every payout of this desktop, newest first (an exported one waits
/// for its confirmation, also after a restart).
#[tauri::command]
pub async fn payouts(app: AppHandle) -> ApiResult<Vec<DeliveryRow>> {
    blocking(app, |s: &AppState| s.as_user(|store, actor| store.payouts(actor))).await
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

    /// The payout's save dialog: a role that may not export payouts is
    /// refused (audited) before it opens; the format's extension is added
    /// to the path the dialog answered.
    #[test]
    fn the_payout_dialog_opens_only_for_an_admin() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("s.db");
        let mut store = claimdesk_store::Store::open(&db).expect("store");
        let admin = store.actor("admin").expect("admin");
        store.create_user(&admin, "park", "박서연", claimdesk_core::Role::Supervisor, None).expect("park");
        let state = AppState::new(db);
        state.put_store(store);
        state.set_session(Some("park".into()));
        let refused = ask_payout_path(&state, "payout-1", Some("csv"), |_, _, _| panic!("the dialog opened"));
        assert_eq!(refused.map_err(|e| e.code).err().as_deref(), Some("ROLE_NOT_ALLOWED"));
        let audited: i64 = state
            .with_store(|s| {
                Ok(s.conn().query_row(
                    "SELECT count(*) FROM ops WHERE outcome = 'refused' AND kind = 'admin.export_payout'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .expect("count");
        assert_eq!(audited, 1);
        state.set_session(Some("admin".into()));
        let asked = ask_payout_path(&state, "payout-1", Some("csv"), |file, filter, ext| {
            assert_eq!((file, filter, ext), ("payout-1.csv", "CSV", &["csv"][..]));
            Ok(Some(PathBuf::from("/tmp/chosen")))
        });
        assert_eq!(asked.expect("asked"), Some(PathBuf::from("/tmp/chosen.csv")));
        assert_eq!(ask_payout_path(&state, "payout-1", None, |_, _, _| Ok(None)).expect("cancelled"), None);
    }
}
