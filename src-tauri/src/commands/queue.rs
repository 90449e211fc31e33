//! The queue: pages, counts, bulk actions over the whole filtered set, duplicates, saved views.

use claimdesk_core::Catalog;
use claimdesk_store::batches::ClaimRefusal;
use claimdesk_store::claims::TriageChange;
use claimdesk_store::prefs::SavedView;
use claimdesk_store::queue::{QueueFilter, QueuePage, QueueRow, Sort};
use tauri::ipc::Channel;
use tauri::AppHandle;

use super::report;
use crate::dto::{BulkAction, BulkReport, Progress};
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState};

#[tauri::command]
pub async fn queue_page(app: AppHandle, filter: QueueFilter, sort: Sort, offset: u64, limit: u64) -> ApiResult<QueuePage> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.queue_page(&filter, sort, offset, limit))).await
}

#[tauri::command]
pub async fn queue_count(app: AppHandle, filter: QueueFilter) -> ApiResult<u64> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.queue_count(&filter))).await
}

#[tauri::command]
pub async fn duplicate_group(app: AppHandle, external_id: String) -> ApiResult<Vec<QueueRow>> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.duplicate_group(&external_id))).await
}

#[tauri::command]
pub async fn catalog(app: AppHandle) -> ApiResult<Catalog> {
    blocking(app, |s: &AppState| s.as_user(|store, _| store.catalog())).await
}

/// Most refusals a bulk report lists (all are counted).
const LISTED_REFUSALS: usize = 200;

/// Applies one action to every claim the filter matches (not just the page
/// on screen), one audited change per claim; refusals are collected, not fatal.
#[tauri::command]
pub async fn bulk_action(
    app: AppHandle,
    filter: QueueFilter,
    action: BulkAction,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<BulkReport> {
    blocking(app, move |s: &AppState| {
        let job = s.start_job(&job_id)?;
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        if let BulkAction::AddToBatch { name } = &action {
            report(&on_progress, &job.id, "bulk", 0, None, Some("building the batch".into()));
            let build = store.create_batch(&actor, name, &filter)?;
            let refused_total = build.skipped.len() as u64;
            let matched = build.added + refused_total;
            report(&on_progress, &job.id, "done", matched, Some(matched), None);
            return Ok(BulkReport {
                matched,
                applied: build.added,
                refused: build.skipped.into_iter().take(LISTED_REFUSALS).collect(),
                refused_total,
                batch_id: Some(build.batch_id),
            });
        }
        let ids = store.queue_ids(&filter)?;
        let total = ids.len() as u64;
        let mut out = BulkReport { matched: total, ..Default::default() };
        for (i, id) in ids.iter().enumerate() {
            if job.is_cancelled() {
                report(&on_progress, &job.id, "cancelled", i as u64, Some(total), None);
                return Err(ApiError::new(
                    "CANCELLED",
                    format!("stopped after {} of {} claims; the {} changes made stay (each is audited)", i, total, out.applied),
                ));
            }
            let result = match &action {
                BulkAction::Take => store.take(&actor, id, None).map(drop),
                BulkAction::Triage { priority, tags, category } => store
                    .triage(&actor, id, None, TriageChange { category: *category, priority: *priority, tags: tags.clone(), duplicate_of: None })
                    .map(drop),
                BulkAction::Annotate { priority, tags } => store.annotate(&actor, id, None, *priority, tags.clone()).map(drop),
                BulkAction::AddToBatch { .. } => Ok(()),
            };
            match result {
                Ok(()) => out.applied += 1,
                Err(e) => {
                    out.refused_total += 1;
                    if out.refused.len() < LISTED_REFUSALS {
                        out.refused.push(ClaimRefusal { external_id: id.clone(), code: e.code().to_string(), message: e.to_string() });
                    }
                }
            }
            if i % 50 == 0 {
                report(&on_progress, &job.id, "bulk", i as u64, Some(total), None);
            }
        }
        report(&on_progress, &job.id, "done", total, Some(total), None);
        Ok(out)
    })
    .await
}

#[tauri::command]
pub async fn saved_views(app: AppHandle) -> ApiResult<Vec<SavedView>> {
    blocking(app, |s: &AppState| s.as_user(|store, actor| store.saved_views(actor))).await
}

#[tauri::command]
pub async fn save_view(app: AppHandle, name: String, filter: QueueFilter, sort: Sort) -> ApiResult<SavedView> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.save_view(actor, &name, &filter, sort))).await
}

#[tauri::command]
pub async fn delete_view(app: AppHandle, name: String) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.delete_view(actor, &name))).await
}
