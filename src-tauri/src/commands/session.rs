//! Sign-in, first run and the startup report.

use std::time::{SystemTime, UNIX_EPOCH};

use claimdesk_store::{Store, FIRST_ADMIN};
use tauri::AppHandle;

use crate::dto::{FirstRunState, SessionUser, StartupReport};
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState};

pub(crate) fn session_user(store: &Store, user: &str) -> Result<SessionUser, claimdesk_store::StoreError> {
    let actor = store.actor(user)?;
    let u = store
        .users()?
        .into_iter()
        .find(|u| u.id == user)
        .ok_or_else(|| claimdesk_store::StoreError::NotFound(format!("user '{user}'")))?;
    Ok(SessionUser {
        id: u.id,
        display_name: u.display_name,
        role: u.role,
        approval_limit: u.approval_limit,
        settings: store.settings(&actor)?,
    })
}

#[tauri::command]
pub async fn first_run_state(app: AppHandle) -> ApiResult<FirstRunState> {
    blocking(app, |s: &AppState| {
        let path = s.db_path.display().to_string();
        if let Some(e) = &s.open_error {
            return Ok(FirstRunState {
                needs_admin_password: false,
                store_is_empty: false,
                first_admin: FIRST_ADMIN.into(),
                store_path: path,
                open_error: Some(e.clone()),
            });
        }
        s.with_store(|store| {
            Ok(FirstRunState {
                // A desktop that joined a sync server signs its users in with the server's passwords.
                needs_admin_password: !store.has_passwords()? && !crate::sync::joined(store),
                store_is_empty: store.claim_count()? == 0,
                first_admin: FIRST_ADMIN.into(),
                store_path: path,
                open_error: None,
            })
        })
    })
    .await
}

/// First run only: sets the first admin's password and signs them in.
#[tauri::command]
pub async fn create_first_admin(app: AppHandle, password: String) -> ApiResult<SessionUser> {
    blocking(app, move |s: &AppState| {
        let user = s.with_store(|store| {
            let actor = store.set_first_admin_password(&password)?;
            session_user(store, &actor.user)
        })?;
        s.set_session(Some(user.id.clone()));
        Ok(user)
    })
    .await
}

#[tauri::command]
pub async fn sign_in(app: AppHandle, user: String, password: String) -> ApiResult<SessionUser> {
    blocking(app, move |s: &AppState| {
        let signed = s.with_store(|store| {
            // A user of the sync server signs in with the password it last verified here (also offline).
            let actor = match crate::sync::offline_sign_in(store, &user, &password) {
                Some(actor) => actor,
                None => store.verify_password(&user, &password)?,
            };
            session_user(store, &actor.user)
        })?;
        s.set_session(Some(signed.id.clone()));
        Ok(signed)
    })
    .await
}

#[tauri::command]
pub async fn sign_out(app: AppHandle) -> ApiResult<()> {
    blocking(app, |s: &AppState| {
        s.set_session(None);
        Ok(())
    })
    .await
}

/// The signed-in user, or null.
#[tauri::command]
pub async fn current_user(app: AppHandle) -> ApiResult<Option<SessionUser>> {
    blocking(app, |s: &AppState| match s.user_id() {
        Ok(id) => s.with_store(|store| session_user(store, &id)).map(Some),
        Err(_) => Ok(None),
    })
    .await
}

#[tauri::command]
pub async fn cancel_job(app: AppHandle, job_id: String) -> ApiResult<bool> {
    blocking(app, move |s: &AppState| Ok(s.cancel_job(&job_id))).await
}

/// Called by the UI once its first queue page is on screen. With
/// `CLAIMDESK_STARTUP_REPORT=path` set, writes the time since the process
/// started and the resident memory there as JSON (scripts/bench-app.sh).
#[tauri::command]
pub async fn ui_ready(app: AppHandle) -> ApiResult<Option<StartupReport>> {
    let ready_ms = crate::started().elapsed().as_millis() as u64 + crate::exec_offset_ms();
    blocking(app, move |s: &AppState| {
        let Some(path) = std::env::var_os("CLAIMDESK_STARTUP_REPORT") else { return Ok(None) };
        let (vm_rss_kib, vm_hwm_kib) = crate::memory_kib();
        let claims = s.with_store(|store| store.claim_count()).unwrap_or(0);
        let report = StartupReport { ready_ms, vm_rss_kib, vm_hwm_kib, claims };
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let mut json = serde_json::to_value(&report).map_err(|e| ApiError::internal(e.to_string()))?;
        json["ready_at_unix_ms"] = now_ms.into();
        std::fs::write(&path, json.to_string())
            .map_err(|e| ApiError::new("IO", format!("could not write the startup report: {e}")))?;
        tracing::info!(ready_ms, vm_rss_kib, vm_hwm_kib, "ui ready");
        Ok(Some(report))
    })
    .await
}
