//! Fulfilment of non-cash grants: the file for the systems that give
//! vouchers, extensions, points, credits and fee waivers, then its
//! confirmation (the store's rules: crates/store/src/fulfilment.rs).

use claimdesk_core::workflow::AdminAction;
use claimdesk_store::delivery::DeliveryRow;
use claimdesk_store::fulfilment::{FulfilmentConfirm, FulfilmentExport};
use claimdesk_store::Store;
use tauri::ipc::Channel;
use tauri::AppHandle;

use super::batch::{ask_file_path, export_with_progress, ExportSteps};
use crate::dto::Progress;
use crate::error::ApiResult;
use crate::state::{blocking, AppState};

const ASK: (AdminAction, &str) = (AdminAction::ExportFulfilment, "fulfilment");

/// Admin: asks where to write the fulfilment file (save dialog), then
/// reserves the claims waiting for their non-cash grants and writes one line
/// per grant; they are fulfilled only once it is confirmed. None when the
/// dialog was cancelled. Cancelled while it runs, the export is undone.
#[tauri::command]
pub async fn export_fulfilment(
    app: AppHandle,
    format: Option<String>,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<Option<FulfilmentExport>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        let steps = ExportSteps {
            ask: ASK,
            export: Store::export_fulfilment,
            cancel: Store::cancel_fulfilment,
            counts: |e: &FulfilmentExport| (e.fulfilment_id, e.claims),
            cancelled: "the fulfilment export was cancelled; no claim was marked fulfilled",
        };
        export_with_progress(s, &handle, &job_id, format.as_deref(), &on_progress, steps)
    })
    .await
}

#[tauri::command]
pub async fn confirm_fulfilment(app: AppHandle, fulfilment_id: i64) -> ApiResult<FulfilmentConfirm> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.confirm_fulfilment(actor, fulfilment_id))
    })
    .await
}

/// Admin: asks where (save dialog), then writes an exported fulfilment's
/// file again with exactly the claims still reserved for it. None when the
/// dialog was cancelled.
#[tauri::command]
pub async fn rewrite_fulfilment_file(
    app: AppHandle,
    fulfilment_id: i64,
    format: Option<String>,
) -> ApiResult<Option<FulfilmentExport>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        let name = format!("fulfilment-{fulfilment_id}-again");
        let Some(path) = ask_file_path(s, ASK, &name, format.as_deref(), |file, filter, ext| {
            crate::dialogs::save_path(&handle, file, filter, ext)
        })?
        else {
            return Ok(None);
        };
        s.as_user(|store, actor| store.rewrite_fulfilment_file(actor, fulfilment_id, &path)).map(Some)
    })
    .await
}

#[tauri::command]
pub async fn cancel_fulfilment(app: AppHandle, fulfilment_id: i64) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.cancel_fulfilment(actor, fulfilment_id)))
        .await
}

/// Admin: every fulfilment of this desktop, newest first (pending ones after a restart too).
#[tauri::command]
pub async fn fulfilments(app: AppHandle) -> ApiResult<Vec<DeliveryRow>> {
    blocking(app, |s: &AppState| s.as_user(|store, actor| store.fulfilments(actor))).await
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn the_fulfilment_dialog_opens_only_for_an_admin() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("s.db");
        let mut store = claimdesk_store::Store::open(&db).expect("store");
        let admin = store.actor("admin").expect("admin");
        store.create_user(&admin, "park", "박서연", claimdesk_core::Role::Supervisor, None).expect("park");
        let state = AppState::new(db);
        state.put_store(store);
        state.set_session(Some("park".into()));
        let refused = ask_file_path(&state, ASK, "fulfilment-1", None, |_, _, _| panic!("the dialog opened"));
        assert_eq!(refused.map_err(|e| e.code).err().as_deref(), Some("ROLE_NOT_ALLOWED"));
        let audited: i64 = state
            .with_store(|s| {
                Ok(s.conn().query_row(
                    "SELECT count(*) FROM ops WHERE outcome = 'refused' AND kind = 'admin.export_fulfilment'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .expect("count");
        assert_eq!(audited, 1);
        state.set_session(Some("admin".into()));
        let asked = ask_file_path(&state, ASK, "fulfilment-1", Some("xlsx"), |file, filter, ext| {
            assert_eq!((file, filter, ext), ("fulfilment-1.xlsx", "Excel", &["xlsx"][..]));
            Ok(Some(PathBuf::from("/tmp/chosen")))
        });
        assert_eq!(asked.expect("asked"), Some(PathBuf::from("/tmp/chosen.xlsx")));
    }
}
