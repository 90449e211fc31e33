//! Users (admin), passwords, and the signed-in user's own settings.

use std::collections::BTreeMap;

use claimdesk_core::{Actor, Role};
use claimdesk_store::users::{User, UserChange};
use claimdesk_store::{Store, StoreError};
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
            add_user(store, actor, &id, &display_name, role, approval_limit, password.as_deref())
        })
    })
    .await
}

/// Adds the user (with the password when one is given) and returns them as listed.
fn add_user(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    display_name: &str,
    role: Role,
    approval_limit: Option<i64>,
    password: Option<&str>,
) -> Result<User, StoreError> {
    match password.filter(|p| !p.is_empty()) {
        Some(p) => store.create_user_with_password(actor, id, display_name, role, approval_limit, p)?,
        None => store.create_user(actor, id, display_name, role, approval_limit)?,
    }
    let id = id.trim();
    store
        .users()?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| StoreError::NotFound(format!("user '{id}'")))
}

/// Admin: changes name, role, approval limit or whether the user may sign in.
#[tauri::command]
pub async fn update_user(app: AppHandle, id: String, update: UserUpdate) -> ApiResult<()> {
    if update.clear_limit && update.approval_limit.is_some() {
        return Err(ApiError::invalid(claimdesk_core::msg!("app.limit_or_clear")));
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
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.set_password(actor, &user, &password)))
        .await
}

/// The signed-in user's settings (e.g. `language`).
#[tauri::command]
pub async fn settings(app: AppHandle) -> ApiResult<BTreeMap<String, String>> {
    blocking(app, |s: &AppState| s.as_user(|store, actor| store.settings(actor))).await
}

/// Stores one of the signed-in user's settings: `language` = `ko` | `en`,
/// `theme` = `standard` | `contrast`, `zoom` = `80` … `200` (percent).
#[tauri::command]
pub async fn set_setting(app: AppHandle, key: String, value: String) -> ApiResult<()> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.set_setting(actor, &key, &value))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A password the store refuses leaves no user behind (the user and
    /// their password are one change).
    #[test]
    fn a_refused_password_creates_no_user() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("s.db")).expect("open");
        let admin = store.set_first_admin_password("admin password").expect("admin");
        let ops = |store: &Store| -> i64 {
            store.conn().query_row("SELECT count(*) FROM ops", [], |r| r.get(0)).expect("ops")
        };
        let before = ops(&store);
        // Four characters (eight UTF-16 units, which is what the form counts).
        let refused = add_user(&mut store, &admin, "kim", "김지은", Role::Reviewer, None, Some("🔑🔑🔑🔑"))
            .expect_err("too short");
        assert_eq!(refused.code(), "INVALID");
        assert!(
            store.users().expect("users").iter().all(|u| u.id != "kim"),
            "kim was created without a password"
        );
        assert_eq!(ops(&store), before, "nothing was written");
        // The same id works once the password is long enough.
        let kim = add_user(&mut store, &admin, " kim ", "김지은", Role::Reviewer, None, Some("kim password"))
            .expect("created");
        assert_eq!(kim.id, "kim");
        assert_eq!(store.verify_password("kim", "kim password").expect("sign in").user, "kim");
        // Without a password: the user exists and cannot sign in yet.
        add_user(&mut store, &admin, "lee", "이", Role::Reviewer, None, None).expect("created");
        assert!(store.verify_password("lee", "").is_err());
        store.verify_audit().expect("chain");
    }
}

/// Whether this PC's keychain can open the store, and whether it does.
#[tauri::command]
pub async fn keychain_status(app: AppHandle) -> ApiResult<crate::dto::KeychainStatus> {
    blocking(app, |s: &AppState| s.as_user(|store, _| Ok(keychain_status_of(store)))).await
}

pub(crate) fn keychain_status_of(store: &Store) -> crate::dto::KeychainStatus {
    let available = crate::keychain::available();
    crate::dto::KeychainStatus {
        available: available.is_ok(),
        enabled: store.key_file().ok().flatten().is_some_and(|f| f.has_keychain()),
        detail: available.err(),
    }
}

/// Admin: lets this PC's keychain open the store at start, or stops it.
#[tauri::command]
pub async fn set_keychain(app: AppHandle, enabled: bool) -> ApiResult<crate::dto::KeychainStatus> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| set_keychain_on(store, actor, enabled))).await
}

pub(crate) fn set_keychain_on(
    store: &mut Store,
    actor: &Actor,
    enabled: bool,
) -> Result<crate::dto::KeychainStatus, StoreError> {
    let store_id = store
        .key_file()?
        .map(|f| f.store_id().to_string())
        .ok_or_else(|| StoreError::Invalid(claimdesk_core::msg!("store.not_encrypted")))?;
    if enabled {
        if !Store::may_manage_users(actor) {
            // Refused (and audited) by the store before anything reaches the keychain.
            store.set_keychain_slot(actor, None)?;
        }
        let secret = crate::keychain::new_secret(&store_id).map_err(|detail| {
            StoreError::Invalid(claimdesk_core::msg!("app.keychain_unavailable", detail = detail))
        })?;
        store.set_keychain_slot(actor, Some(&secret))?;
    } else {
        store.set_keychain_slot(actor, None)?;
        crate::keychain::forget(&store_id);
    }
    Ok(keychain_status_of(store))
}

#[cfg(test)]
mod keychain_tests {
    use super::*;

    /// Under Xvfb (the tests, CI) there is no Secret Service: the option
    /// says so, turning it on is refused with that reason, nothing is added
    /// to the key file, and the store still opens with the password.
    #[test]
    fn without_a_keychain_the_option_is_refused_and_passwords_still_open_the_store() {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() && crate::keychain::available().is_ok() {
            eprintln!("a keychain answers here; this test is about its absence");
            return;
        }
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("claimdesk.db");
        let (mut store, _) = Store::create_encrypted(&path).expect("create");
        let admin = store.set_first_admin_password("admin password 1").expect("admin");
        let status = keychain_status_of(&store);
        assert!(!status.available && !status.enabled, "{status:?}");
        assert!(status.detail.is_some());
        let refused = set_keychain_on(&mut store, &admin, true).expect_err("no keychain");
        assert_eq!(refused.code(), "INVALID");
        assert!(!store.key_file().expect("f").expect("f").has_keychain());
        drop(store);
        assert!(crate::keychain::open_at_start(&path).is_none());
        Store::unlock(&path, "admin", "admin password 1").expect("the password opens it");
    }
}
