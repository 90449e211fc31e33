//! Users (admin), passwords, and the signed-in user's own settings.

use std::collections::BTreeMap;

use claimdesk_core::Role;
use claimdesk_store::users::{User, UserChange};
use tauri::AppHandle;

use crate::dto::UserUpdate;
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState};

#[tauri::command]
pub async fn users(app: AppHandle) -> ApiResult<Vec<User>> {
    blocking(app, |s: &AppState| s.as_user(|store, _| store.users())).await
}

/// Admin: adds a user, with a first password when given.
#[tauri::command]
pub async fn create_user(
    app: AppHandle,
    id: String,
    display_name: String,
    role: Role,
    approval_limit: Option<i64>,
    password: Option<String>,
) -> ApiResult<User> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| {
            store.create_user(actor, &id, &display_name, role, approval_limit)?;
            if let Some(p) = password.filter(|p| !p.is_empty()) {
                store.set_password(actor, id.trim(), &p)?;
            }
            let id = id.trim();
            store.users()?.into_iter().find(|u| u.id == id).ok_or_else(|| claimdesk_store::StoreError::NotFound(format!("user '{id}'")))
        })
    })
    .await
}

/// Admin: changes name, role, approval limit or whether the user may sign in.
#[tauri::command]
pub async fn update_user(app: AppHandle, id: String, update: UserUpdate) -> ApiResult<()> {
    if update.clear_limit && update.approval_limit.is_some() {
        return Err(ApiError::invalid("give an approval limit or clear it, not both"));
    }
    let change = UserChange {
        display_name: update.display_name,
        role: update.role,
        approval_limit: if update.clear_limit { Some(None) } else { update.approval_limit.map(Some) },
        active: update.active,
    };
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.update_user(actor, &id, change))).await
}

/// An admin sets anyone's password; anyone sets their own.
#[tauri::command]
pub async fn set_password(app: AppHandle, user: String, password: String) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.set_password(actor, &user, &password))).await
}

/// The signed-in user's settings (e.g. `language`).
#[tauri::command]
pub async fn settings(app: AppHandle) -> ApiResult<BTreeMap<String, String>> {
    blocking(app, |s: &AppState| s.as_user(|store, actor| store.settings(actor))).await
}

/// Stores one of the signed-in user's settings: `language` = `ko` | `en`, `theme` = `dark` | `light` | `system`.
#[tauri::command]
pub async fn set_setting(app: AppHandle, key: String, value: String) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.set_setting(actor, &key, &value))).await
}
