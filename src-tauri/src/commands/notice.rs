//! Decision notices: what waits to be sent and what was sent (the Notices
//! screen), the export of every due notice into a folder the person picks
//! (PDFs and send.csv, with progress and cancel), and one claim's letter
//! saved as a PDF (the claim screen: a first notice, or a resend).

use claimdesk_core::{Catalog, NoticeChannel};
use claimdesk_notice::{ExportOptions, NoticeError};
use claimdesk_store::notices::{NoticeCounts, NoticeRow};
use claimdesk_store::oplog::OpReceipt;
use tauri::ipc::Channel;
use tauri::AppHandle;

use super::report;
use crate::dto::{NoticeExport, Progress};
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState};

impl From<NoticeError> for ApiError {
    fn from(e: NoticeError) -> ApiError {
        match e {
            NoticeError::Store(e) => e.into(),
            other => ApiError::of(other.code(), &other, other.to_string()),
        }
    }
}

/// Supervisors: the claims whose claimant still has to hear of the decision (first `limit`).
#[tauri::command]
pub async fn notices_due(app: AppHandle, limit: u32) -> ApiResult<Vec<NoticeRow>> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| {
            Ok(store.notices_due(actor, None, 0, limit)?.into_iter().map(|(_, r)| r).collect())
        })
    })
    .await
}

/// Supervisors: the notices sent, newest first.
#[tauri::command]
pub async fn notices_sent(app: AppHandle, limit: u32) -> ApiResult<Vec<NoticeRow>> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.notices_sent(actor, None, limit))).await
}

#[tauri::command]
pub async fn notice_counts(app: AppHandle) -> ApiResult<NoticeCounts> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.notice_counts(actor, None))).await
}

/// The current incident's requests for information by due state (open, reminder due, overdue).
#[tauri::command]
pub async fn due_counts(app: AppHandle) -> ApiResult<claimdesk_store::cure::DueCounts> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.due_counts(None))).await
}

/// Supervisors: asks for a folder (the native dialog), then writes every due
/// notice of the current incident into it and records each. None when the
/// dialog was cancelled; cancelled while it runs, it stops after the page
/// at hand (what was written is recorded, nothing else).
#[tauri::command]
pub async fn export_notices(
    app: AppHandle,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<Option<NoticeExport>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| {
            store.check_may(actor, claimdesk_core::workflow::AdminAction::SendNotices, "notices")
        })?;
        let job = s.start_job(&job_id)?;
        let Some(dir) = crate::dialogs::pick_folder(&handle)? else { return Ok(None) };
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        report(&on_progress, &job.id, "export", 0, None, Some(dir.display().to_string()));
        let opts = ExportOptions { out_dir: dir.clone(), incident: None, smtp: None };
        let done = claimdesk_notice::export_due(&mut store, &actor, &opts, &mut |done, total| {
            report(&on_progress, &job.id, "export", done, Some(total), None);
            !job.is_cancelled()
        })?;
        report(
            &on_progress,
            &job.id,
            if done.cancelled { "cancelled" } else { "done" },
            done.recorded,
            None,
            None,
        );
        let summary = done.summary();
        Ok(Some(NoticeExport {
            folder: dir.display().to_string(),
            recorded: done.recorded,
            sms_lines: done.sms_lines,
            refused: done.refused,
            cancelled: done.cancelled,
            summary,
        }))
    })
    .await
}

/// Supervisors: saves one claim's letter as a PDF where the person says
/// (save dialog) and records the notice (`resend` when one was sent before).
/// None when the dialog was cancelled.
#[tauri::command]
pub async fn save_notice(
    app: AppHandle,
    external_id: String,
    base: i64,
    resend: bool,
) -> ApiResult<Option<OpReceipt>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        let letter = s.as_user(|store, actor| store.letter(actor, &external_id))?;
        let catalog: Catalog = s.with_store(|store| store.incident_catalog(None))?;
        let text = letter
            .text(&catalog)
            .ok_or_else(|| ApiError::from(NoticeError::NoTemplate(letter.kind.code().to_string())))?;
        let pdf = claimdesk_notice::pdf::letter_pdf(&text, letter.lang)?;
        let name = format!("{}.pdf", claimdesk_notice::file_name(&external_id));
        let Some(path) = crate::dialogs::save_path(&handle, &name, "PDF", &["pdf"])? else { return Ok(None) };
        std::fs::write(&path, &pdf).map_err(|e| ApiError::from(NoticeError::Folder(path.clone(), e)))?;
        let receipt = s.as_user(|store, actor| {
            store.notify(actor, &external_id, Some(base), vec![NoticeChannel::Pdf], letter.lang, resend)
        });
        if receipt.is_err() {
            // Not recorded: the file must not look like a notice that was sent.
            let _ = std::fs::remove_file(&path);
        }
        receipt.map(Some)
    })
    .await
}
