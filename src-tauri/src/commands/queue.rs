//! The queue: pages, counts, bulk actions over the whole filtered set, duplicates, saved views.

use claimdesk_core::{Actor, Catalog};
use claimdesk_store::batches::ClaimRefusal;
use claimdesk_store::claims::TriageChange;
use claimdesk_store::prefs::SavedView;
use claimdesk_store::queue::{QueueFilter, QueuePage, QueueRow, Sort};
use claimdesk_store::{Store, StoreError};
use tauri::ipc::Channel;
use tauri::AppHandle;

use super::report;
use crate::dto::{BulkAction, BulkReport, Progress};
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState};

#[tauri::command]
pub async fn queue_page(
    app: AppHandle,
    filter: QueueFilter,
    sort: Sort,
    offset: u64,
    limit: u64,
) -> ApiResult<QueuePage> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.queue_page(&filter, sort, offset, limit)))
        .await
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
                return Err(ApiError::explained(
                    "CANCELLED",
                    claimdesk_core::msg!("app.bulk_stopped", done = i, total = total, applied = out.applied),
                ));
            }
            match apply_one(&mut store, &actor, id, &action) {
                Ok(()) => out.applied += 1,
                Err(e) => {
                    out.refused_total += 1;
                    if out.refused.len() < LISTED_REFUSALS {
                        out.refused.push(ClaimRefusal::new(id, e.code(), &e));
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

/// One claim's step of a bulk action (add_to_batch is built as a whole, not here).
fn apply_one(store: &mut Store, actor: &Actor, id: &str, action: &BulkAction) -> Result<(), StoreError> {
    match action {
        BulkAction::Take => store.take(actor, id, None).map(drop),
        BulkAction::Triage { priority, category } => store
            .triage(
                actor,
                id,
                None,
                TriageChange { category: *category, priority: *priority, tags: None, duplicate_of: None },
            )
            .map(drop),
        BulkAction::SetPriority { priority } => {
            store.annotate(actor, id, None, Some(*priority), None).map(drop)
        }
        BulkAction::AddTags { tags } => add_tags(store, actor, id, tags),
        BulkAction::SetReportType { report_type } => {
            store.set_report_type(actor, id, None, *report_type).map(drop)
        }
        BulkAction::CloseNoDamage { reply, note } => {
            store.close_no_damage(actor, id, None, reply, note).map(drop)
        }
        BulkAction::Expire { note } => store.expire(actor, id, None, note).map(drop),
        BulkAction::AddToBatch { .. } => Ok(()),
    }
}

/// Adds `tags` to the claim's own. The change is based on the version read,
/// so a change by someone else in between is refused (and reported), not
/// overwritten; a claim that has every tag already is left as it is.
fn add_tags(store: &mut Store, actor: &Actor, id: &str, tags: &[String]) -> Result<(), StoreError> {
    let claim = store.claim(id)?;
    let mut merged = claim.tags.clone();
    for tag in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !merged.iter().any(|m| m == tag) {
            merged.push(tag.to_string());
        }
    }
    if merged.len() == claim.tags.len() {
        return Ok(());
    }
    store.annotate(actor, id, Some(claim.version), None, Some(merged)).map(drop)
}

#[tauri::command]
pub async fn saved_views(app: AppHandle) -> ApiResult<Vec<SavedView>> {
    blocking(app, |s: &AppState| s.as_user(|store, actor| store.saved_views(actor))).await
}

#[tauri::command]
pub async fn save_view(
    app: AppHandle,
    name: String,
    filter: QueueFilter,
    sort: Sort,
) -> ApiResult<SavedView> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.save_view(actor, &name, &filter, sort)))
        .await
}

#[tauri::command]
pub async fn delete_view(app: AppHandle, name: String) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.delete_view(actor, &name))).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimdesk_core::Role;
    use claimdesk_store::import::ImportOptions;

    fn store_with_claims() -> (tempfile::TempDir, Store, Actor, Vec<String>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("s.db")).expect("open");
        let admin = store.actor("admin").expect("admin");
        store.create_user(&admin, "kim", "김", Role::Reviewer, None).expect("user");
        let fixture = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
        )
        .join("../fixtures/sample-intake.csv");
        store.import_file(&admin, &fixture, ImportOptions::default(), &mut |_| true).expect("import");
        let ids = store.queue_ids(&QueueFilter::default()).expect("ids");
        let kim = store.actor("kim").expect("kim");
        (dir, store, kim, ids)
    }

    /// Closing non-damage reports over the whole queue: the inquiries close, the damage claims are
    /// refused one by one (DAMAGE_CLAIM) and nothing else changes.
    #[test]
    fn bulk_close_over_a_filter_closes_only_the_non_damage_reports() {
        let (_d, mut store, kim, ids) = store_with_claims();
        let inquiry = &ids[0];
        apply_one(
            &mut store,
            &kim,
            inquiry,
            &BulkAction::SetReportType { report_type: claimdesk_core::ReportType::Inquiry },
        )
        .expect("typed");
        let close =
            BulkAction::CloseNoDamage { reply: "INQUIRY_ANSWERED".into(), note: "표준 답변".into() };
        let mut refused = Vec::new();
        for id in &ids {
            if let Err(e) = apply_one(&mut store, &kim, id, &close) {
                refused.push((id.clone(), e.code().to_string()));
            }
        }
        assert_eq!(store.claim(inquiry).expect("claim").status, claimdesk_core::ClaimStatus::ClosedNoDamage);
        assert_eq!(refused.len(), ids.len() - 1);
        assert!(refused.iter().all(|(_, code)| code == "DAMAGE_CLAIM"), "{refused:?}");
        // A reply the catalog lacks is refused too.
        apply_one(
            &mut store,
            &kim,
            &ids[1],
            &BulkAction::SetReportType { report_type: claimdesk_core::ReportType::Opinion },
        )
        .expect("typed");
        let bad = BulkAction::CloseNoDamage { reply: "BYE".into(), note: String::new() };
        assert_eq!(
            apply_one(&mut store, &kim, &ids[1], &bad).map_err(|e| e.code().to_string()),
            Err("UNKNOWN_REASON".into())
        );
    }

    /// "Add tags" over the whole filter adds to each claim's tags, as it does on selected rows.
    #[test]
    fn bulk_add_tags_keeps_the_tags_a_claim_has() {
        let (_d, mut store, kim, ids) = store_with_claims();
        let (a, b) = (&ids[0], &ids[1]);
        store.annotate(&kim, a, None, None, Some(vec!["택시".into(), "전화확인".into()])).expect("tags");
        let action = BulkAction::AddTags { tags: vec!["증빙충분".into(), " 택시 ".into()] };
        for id in [a, b] {
            apply_one(&mut store, &kim, id, &action).expect("applied");
        }
        assert_eq!(store.claim(a).expect("a").tags, vec!["전화확인", "증빙충분", "택시"]);
        assert_eq!(store.claim(b).expect("b").tags, vec!["증빙충분", "택시"]);
        // Again: nothing to add, nothing written.
        let version = store.claim(a).expect("a").version;
        apply_one(&mut store, &kim, a, &action).expect("applied");
        assert_eq!(store.claim(a).expect("a").version, version);
        // The other bulk edits leave tags alone.
        apply_one(
            &mut store,
            &kim,
            a,
            &BulkAction::SetPriority { priority: claimdesk_core::workflow::Priority::High },
        )
        .expect("priority");
        let after = store.claim(a).expect("a");
        assert_eq!((after.priority.as_str(), after.tags.len()), ("high", 3));
    }
}
