//! The dashboard: counts and amounts, claims per day, work per person, recent audit entries.

use claimdesk_store::dashboard::{SeriesKey, SeriesPoint, Throughput};
use claimdesk_store::oplog::ChainReport;
use claimdesk_store::stats::{OpLine, Stats};
use tauri::AppHandle;

use crate::error::ApiResult;
use crate::state::{blocking, AppState};

#[tauri::command]
pub async fn stats(app: AppHandle) -> ApiResult<Stats> {
    blocking(app, |s: &AppState| s.as_user(|store, _| store.stats())).await
}

/// Claims per received day (Korea time), split by status, category or service.
#[tauri::command]
pub async fn claims_series(app: AppHandle, key: SeriesKey) -> ApiResult<Vec<SeriesPoint>> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.claims_series(key))).await
}

/// Each person's recommendations, approvals and actions per day over the last `days` days.
#[tauri::command]
pub async fn throughput(app: AppHandle, days: u32) -> ApiResult<Vec<Throughput>> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.throughput(days))).await
}

#[tauri::command]
pub async fn recent_ops(app: AppHandle, limit: u32) -> ApiResult<Vec<OpLine>> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.recent_ops(actor, i64::from(limit.min(1_000))))
    })
    .await
}

/// Walks the whole audit chain; AUDIT_BROKEN names the first bad entry.
#[tauri::command]
pub async fn verify_audit(app: AppHandle) -> ApiResult<ChainReport> {
    blocking(app, |s: &AppState| s.as_user(|store, _| store.verify_audit())).await
}
