//! Sign-in, first run and the startup report.

use std::time::{SystemTime, UNIX_EPOCH};

use claimdesk_store::keys::StoreFile;
use claimdesk_store::{Store, StoreError, FIRST_ADMIN};
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
        let state = |needs_admin_password, store_is_empty, locked, open_error| FirstRunState {
            needs_admin_password,
            store_is_empty,
            locked,
            first_admin: FIRST_ADMIN.into(),
            store_path: path.clone(),
            open_error,
        };
        if let Some(e) = &s.open_error {
            return Ok(state(false, false, false, Some(e.clone())));
        }
        if s.is_open() {
            return s.with_store(|store| {
                // A desktop that joined a sync server signs its users in with the server's passwords.
                let needs = !store.has_passwords()? && !crate::sync::joined(store);
                Ok(state(needs, store.claim_count()? == 0, false, None))
            });
        }
        match s.store_file()? {
            // A new desktop: the store is made with the first admin password (or by joining a team).
            StoreFile::Missing => Ok(state(true, true, false, None)),
            // A plain store of ClaimDesk 0.1: encrypted at the first sign-in.
            StoreFile::Plain => {
                let plain = Store::open(&s.db_path)?;
                let needs = !plain.has_passwords()? && !crate::sync::joined(&plain);
                Ok(state(needs, plain.claim_count()? == 0, !needs, None))
            }
            StoreFile::Encrypted => Ok(state(false, false, true, None)),
        }
    })
    .await
}

/// First run only: makes the encrypted store (or takes the plain one) and
/// sets the first admin's password, which is their key to it; signs them in.
/// The recovery key then waits for them ([`pending_recovery_key`]).
#[tauri::command]
pub async fn create_first_admin(app: AppHandle, password: String) -> ApiResult<SessionUser> {
    blocking(app, move |s: &AppState| {
        claimdesk_store::auth::check_length(&password)?;
        if !s.is_open() && s.store_file()? == StoreFile::Plain {
            // A plain store nobody has a password of: the password is set there, then it is encrypted.
            Store::open(&s.db_path)?.set_first_admin_password(&password)?;
            s.unlock(FIRST_ADMIN, &password, &mut |store, u, p| store.verify_password(u, p))?;
        } else {
            s.create_store()?;
            s.with_store(|store| store.set_first_admin_password(&password).map(|_| ()))?;
        }
        let user = s.with_store(|store| session_user(store, FIRST_ADMIN))?;
        s.set_session(Some(user.id.clone()));
        Ok(user)
    })
    .await
}

/// The sign-in check of the app: the password the sync server last accepted
/// here, else the user's own.
fn check(store: &mut Store, user: &str, password: &str) -> Result<claimdesk_core::Actor, StoreError> {
    match crate::sync::offline_sign_in(store, user, password) {
        Some(actor) => Ok(actor),
        None => store.verify_password(user, password),
    }
}

/// Signs in: a locked store is opened with the user's key slot (a plain one
/// is encrypted now); on an open store a person without a slot gets one from
/// the password just checked.
#[tauri::command]
pub async fn sign_in(app: AppHandle, user: String, password: String) -> ApiResult<SessionUser> {
    blocking(app, move |s: &AppState| sign_in_on(s, &user, &password)).await
}

/// What `sign_in` does, on the state.
pub(crate) fn sign_in_on(s: &AppState, user: &str, password: &str) -> ApiResult<SessionUser> {
    let was_open = s.is_open();
    let actor = s.unlock(user, password, &mut check)?;
    let signed = s.with_store(|store| {
        if was_open && store.ensure_key_slot(&actor.user, password)? {
            tracing::info!(user = %actor.user, "a key slot was made for a person signing in here for the first time");
        }
        session_user(store, &actor.user)
    })?;
    s.set_session(Some(signed.id.clone()));
    Ok(signed)
}

/// The recovery key made with this store, for the signed-in admin, until
/// they confirm they have kept it (null otherwise).
#[tauri::command]
pub async fn pending_recovery_key(app: AppHandle) -> ApiResult<Option<String>> {
    blocking(app, |s: &AppState| {
        s.as_user(|store, actor| Ok(store.pending_recovery_key(actor)?.map(|k| k.as_str().to_string())))
    })
    .await
}

/// The signed-in admin has kept the recovery key: it is not shown again.
#[tauri::command]
pub async fn confirm_recovery_key(app: AppHandle) -> ApiResult<()> {
    blocking(app, |s: &AppState| s.as_user(|store, actor| store.confirm_recovery_key(actor))).await
}

/// Forgot the admin password: the recovery key opens the locked store and
/// sets a new password for an active admin, who is then signed in.
#[tauri::command]
pub async fn recover_with_key(
    app: AppHandle,
    recovery_key: String,
    user: String,
    password: String,
) -> ApiResult<SessionUser> {
    blocking(app, move |s: &AppState| {
        if s.is_open() {
            return Err(ApiError::invalid(claimdesk_core::msg!("app.recovery_store_open")));
        }
        let opened = Store::recover(&s.db_path, &recovery_key, &user, &password)?;
        let signed = session_user(&opened.store, &opened.actor.user)?;
        s.put_store(opened.store);
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

#[cfg(test)]
mod tests {
    use super::*;
    use claimdesk_core::Role;

    fn code<T: std::fmt::Debug>(r: ApiResult<T>) -> Option<String> {
        r.err().map(|e| e.code)
    }

    /// The app starts locked; a sign-in opens the store with the person's key
    /// slot; someone with no slot is told so; after a sign-out the store stays
    /// open and a server user signing in for the first time gets a slot from
    /// the password just checked, with which they open it at the next start.
    #[test]
    fn sign_in_opens_the_locked_store_and_gives_new_members_a_key() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("claimdesk.db");
        {
            let s = AppState::new(path.clone());
            assert!(!s.is_open());
            assert_eq!(
                s.store_file().expect("file"),
                StoreFile::Missing,
                "nothing is made before a password"
            );
            s.create_store().expect("create");
            let admin = s.with_store(|st| st.set_first_admin_password("admin password 1")).expect("admin");
            s.with_store(|st| {
                st.create_user_with_password(&admin, "kim", "김", Role::Reviewer, None, "kim password")
            })
            .expect("kim");
        }
        let s = AppState::new(path.clone());
        assert!(!s.is_open(), "locked at start");
        assert_eq!(code(s.with_store(|st| st.claim_count())), Some("STORE_LOCKED".into()));
        assert_eq!(code(s.open_worker()), Some("STORE_LOCKED".into()));
        assert_eq!(code(sign_in_on(&s, "kim", "wrong password")), Some("SIGN_IN_FAILED".into()));
        assert_eq!(code(sign_in_on(&s, "lee", "lee password")), Some("NO_KEY_HERE".into()));
        assert!(!s.is_open());
        assert_eq!(sign_in_on(&s, "kim", "kim password").expect("kim").id, "kim");
        assert!(s.is_open());
        s.open_worker().expect("a worker connection with the data key");

        // lee is a user of the sync server: the roster and the verifier of the password it accepted.
        s.with_store(|st| {
            st.apply_roster(
                "kim",
                &[claimdesk_store::sync_desk::RosterUser {
                    id: "lee".into(),
                    display_name: "이".into(),
                    role: Role::Reviewer,
                    approval_limit: None,
                    active: true,
                }],
            )?;
            let verifier = claimdesk_sync::client::password_verifier("lee password")
                .map_err(|e| claimdesk_store::StoreError::Encryption(e.to_string()))?;
            st.set_sync_setting("verifier:lee", &verifier)
        })
        .expect("roster");
        s.set_session(None);
        assert_eq!(sign_in_on(&s, "lee", "lee password").expect("lee, on the open store").id, "lee");
        drop(s);
        let s = AppState::new(path);
        assert_eq!(sign_in_on(&s, "lee", "lee password").expect("lee opens it now").id, "lee");
    }
}
