//! The app's state: the store behind a mutex (locked until someone signs in:
//! the store is encrypted, decision 0009), the signed-in user, the cancel
//! flags of running jobs. The actor of every change comes from here, never
//! from the UI.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use claimdesk_core::Actor;
use claimdesk_store::keys::{inspect, StoreFile};
use claimdesk_store::{Store, StoreError};
use tauri::{AppHandle, Manager};

use crate::error::{ApiError, ApiResult};

pub struct AppState {
    pub db_path: PathBuf,
    /// None while the store is locked (or not made yet); once opened it stays
    /// open until the app quits, so the next person can sign in after a sign-out.
    store: Mutex<Option<Store>>,
    pub open_error: Option<ApiError>,
    /// The signed-in user's id.
    session: Mutex<Option<String>>,
    jobs: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the data as SQLite left it
    // (transactions roll back), so the guard is still usable.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// The state at the app's start: the store stays locked (or unmade)
    /// until someone signs in or sets the first admin password.
    pub fn new(db_path: PathBuf) -> AppState {
        let open_error = match inspect(&db_path) {
            Ok(_) => None,
            Err(e) => {
                tracing::error!(path = %db_path.display(), error = %e, "the store cannot be read");
                Some(ApiError::from(e))
            }
        };
        AppState {
            db_path,
            store: Mutex::new(None),
            open_error,
            session: Mutex::new(None),
            jobs: Mutex::new(HashMap::new()),
        }
    }

    /// For tests: the state with a new encrypted store made at once when
    /// there is none (its first admin has no password yet), else locked.
    pub fn open(db_path: PathBuf) -> AppState {
        let state = AppState::new(db_path);
        if let Err(e) = state.create_store() {
            tracing::error!(error = ?e, "the store could not be made");
        }
        state
    }

    /// What is at the store's path now (and whether it is open).
    pub fn store_file(&self) -> ApiResult<StoreFile> {
        inspect(&self.db_path).map_err(ApiError::from)
    }

    pub fn is_open(&self) -> bool {
        lock(&self.store).is_some()
    }

    /// Makes the new encrypted store when there is none yet (the first
    /// admin password, or joining a team, on a fresh desktop); its recovery
    /// key waits inside it for an admin to see it once.
    pub fn create_store(&self) -> ApiResult<()> {
        let mut guard = lock(&self.store);
        if guard.is_some() || self.store_file()? != StoreFile::Missing {
            return Ok(());
        }
        let (store, _recovery) = Store::create_encrypted(&self.db_path)?;
        tracing::info!(store = %self.db_path.display(), "a new encrypted store was made");
        *guard = Some(store);
        Ok(())
    }

    /// Gives up a store made in this run that nobody has a key to yet (a
    /// join that failed): it holds nothing, and left behind it could never be opened.
    pub fn discard_new_store(&self) {
        let mut guard = lock(&self.store);
        let unkeyed = guard.as_ref().is_some_and(|s| {
            s.key_file().ok().flatten().is_some_and(|f| f.password_slots() == 0)
                && s.claim_count().unwrap_or(1) == 0
        });
        if !unkeyed {
            return;
        }
        *guard = None;
        for suffix in ["", "-wal", "-shm", "-journal", ".keys"] {
            let mut name = self.db_path.as_os_str().to_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }

    /// Puts a store opened elsewhere (the recovery) in place of a locked one.
    pub fn put_store(&self, store: Store) {
        let mut guard = lock(&self.store);
        if guard.is_none() {
            *guard = Some(store);
        }
    }

    /// Opens the locked store as `user` (their key slot, then `check`); a
    /// plain store is encrypted now. Returns the person as the rules see them.
    pub fn unlock(
        &self,
        user: &str,
        password: &str,
        check: claimdesk_store::cipher::SignInCheck<'_>,
    ) -> ApiResult<Actor> {
        let mut guard = lock(&self.store);
        if let Some(store) = guard.as_mut() {
            return Ok(check(store, user, password)?);
        }
        let opened = Store::unlock_with(&self.db_path, user, password, check)?;
        if opened.migrated {
            tracing::info!(store = %self.db_path.display(), "the plain store was encrypted");
        }
        *guard = Some(opened.store);
        Ok(opened.actor)
    }

    /// Runs `f` on the store, signed in or not.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> ApiResult<T> {
        let mut guard = lock(&self.store);
        let store = guard.as_mut().ok_or_else(|| {
            self.open_error.clone().unwrap_or_else(|| {
                ApiError::from(StoreError::Locked { path: self.db_path.display().to_string() })
            })
        })?;
        Ok(f(store)?)
    }

    /// Runs `f` as the signed-in user (their role and limit as stored now).
    pub fn as_user<T>(&self, f: impl FnOnce(&mut Store, &Actor) -> Result<T, StoreError>) -> ApiResult<T> {
        let user = self.user_id()?;
        self.with_store(|store| {
            let actor = store.actor(&user)?;
            f(store, &actor)
        })
    }

    pub fn user_id(&self) -> ApiResult<String> {
        lock(&self.session).clone().ok_or_else(ApiError::not_signed_in)
    }

    /// The signed-in user as the rules see them.
    pub fn actor(&self) -> ApiResult<Actor> {
        self.as_user(|_, actor| Ok(actor.clone()))
    }

    pub fn set_session(&self, user: Option<String>) {
        *lock(&self.session) = user;
    }

    /// A second connection for long work, so that the queue stays readable meanwhile.
    pub fn open_worker(&self) -> ApiResult<Store> {
        if let Some(e) = &self.open_error {
            return Err(e.clone());
        }
        let key = lock(&self.store).as_ref().map(|s| s.data_key().cloned());
        match key {
            None => Err(ApiError::from(StoreError::Locked { path: self.db_path.display().to_string() })),
            Some(Some(key)) => Ok(Store::open_keyed(&self.db_path, &key)?),
            Some(None) => Ok(Store::open_existing(&self.db_path)?),
        }
    }

    /// Registers a job; its flag turns true when the UI cancels it.
    pub fn start_job(&self, job_id: &str) -> ApiResult<Job<'_>> {
        let mut jobs = lock(&self.jobs);
        if job_id.trim().is_empty() || jobs.contains_key(job_id) {
            return Err(ApiError::invalid(claimdesk_core::msg!("app.job_busy", job_id = job_id)));
        }
        let flag = Arc::new(AtomicBool::new(false));
        jobs.insert(job_id.to_string(), flag.clone());
        Ok(Job { state: self, id: job_id.to_string(), cancelled: flag })
    }

    /// Asks a running job to stop; false when no such job runs.
    pub fn cancel_job(&self, job_id: &str) -> bool {
        match lock(&self.jobs).get(job_id) {
            Some(flag) => {
                flag.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }
}

/// A running job; unregisters itself when dropped.
pub struct Job<'a> {
    state: &'a AppState,
    pub id: String,
    cancelled: Arc<AtomicBool>,
}

impl Job<'_> {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        lock(&self.state.jobs).remove(&self.id);
    }
}

/// Runs `f` with the app state on a blocking thread: no command blocks the
/// UI thread or the async runtime.
pub async fn blocking<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&AppState) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>()))
        .await
        .map_err(|e| ApiError::internal(format!("the work stopped unexpectedly: {e}")))?
}

/// Where the store lives: `CLAIMDESK_DB`, else the app data dir's claimdesk.db
/// (a store in the data dir of the old identifier is moved there first:
/// data_dir.rs).
pub fn store_path(app_data_dir: Option<&Path>) -> PathBuf {
    if let Some(p) = std::env::var_os("CLAIMDESK_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let Some(dir) = app_data_dir else { return PathBuf::from(crate::data_dir::STORE_FILE) };
    let (path, adoption) = crate::data_dir::store_in(dir);
    match adoption {
        crate::data_dir::Adoption::None => {}
        crate::data_dir::Adoption::Moved { from } => {
            tracing::info!(from = %from.display(), to = %path.display(), "moved the store from the old app data dir")
        }
        crate::data_dir::Adoption::KeptInPlace { at, error } => {
            tracing::warn!(store = %at.display(), %error, "the store of the old app data dir could not be moved; using it where it is")
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimdesk_core::workflow::Decision;
    use claimdesk_core::{Remedy, Role};
    use claimdesk_store::import::ImportOptions;
    use claimdesk_store::users::UserChange;

    /// Every command acts through `as_user`: as the signed-in user, with
    /// their role and limit as stored at that moment, never as a user the UI
    /// names. The forbidden decisions of a reviewer are refused here as in the
    /// CLI, the server's push and every other desktop's merge.
    #[test]
    fn commands_act_as_the_signed_in_user_with_the_role_stored_now() {
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::open(dir.path().join("claimdesk.db"));
        assert_eq!(
            state.as_user(|s, a| s.approve_batch(a, "none")).err().map(|e| e.code),
            Some("NOT_SIGNED_IN".to_string())
        );

        let admin =
            state.with_store(|s| s.set_first_admin_password("admin-password-1")).expect("first admin");
        let file = dir.path().join("claims.csv");
        state
            .with_store(|s| {
                claimdesk_synth::write_csv_file(
                    &claimdesk_synth::SynthConfig::demo(30),
                    &s.catalog()?,
                    &file,
                )?;
                s.import_file(&admin, &file, ImportOptions::default(), &mut |_| true)?;
                s.create_user(&admin, "kim", "김민수", Role::Reviewer, None)
            })
            .expect("claims and a reviewer");
        let claim = state
            .with_store(|s| {
                Ok(s.queue_page(&Default::default(), Default::default(), 0, 1)?.rows[0].external_id.clone())
            })
            .expect("a claim");

        state.set_session(Some("kim".into()));
        let fifty_million = Decision::approve(Remedy::Cash, 50_000_000.into(), 0);
        let code = |r: ApiResult<_>| r.err().map(|e: ApiError| e.code);
        state.as_user(|s, a| s.take(a, &claim, None).map(|_| ())).expect("take");
        // Cash hidden in a list of grants beside a small amount (the amount an approval limit reads): refused.
        let hidden = Decision::Approve {
            remedy: Remedy::Cash,
            amount: 10_000.into(),
            extension_days: 0,
            grants: vec![claimdesk_core::Grant::new(Remedy::Cash, 50_000_000.into(), 0)],
        };
        let refused = state.as_user(|s, a| {
            s.recommend(a, &claim, None, hidden.clone(), Some("현장 확인".into())).map(|_| ())
        });
        assert_eq!(code(refused), Some("INVALID".into()));
        // More message credit than the policy gives, without a justification: an override, refused.
        let credit = Decision::Approve {
            remedy: Remedy::Cash,
            amount: 0.into(),
            extension_days: 0,
            grants: vec![
                claimdesk_core::Grant::new(Remedy::Cash, 0.into(), 0),
                claimdesk_core::Grant::new(Remedy::MessageCredit, 5_000_000.into(), 0),
            ],
        };
        let refused = state.as_user(|s, a| s.recommend(a, &claim, None, credit.clone(), None).map(|_| ()));
        assert_eq!(code(refused), Some("OVERRIDE_NEEDS_JUSTIFICATION".into()));
        state
            .as_user(|s, a| s.recommend(a, &claim, None, fifty_million.clone(), Some("현장 확인".into())))
            .expect("a reviewer may recommend, with a justification");
        assert_eq!(
            code(state.as_user(|s, a| s.create_batch_of(a, "1차", std::slice::from_ref(&claim)).map(|_| ()))),
            Some("ROLE_NOT_ALLOWED".into())
        );
        assert_eq!(
            code(state.as_user(|s, a| s.export_payout(a, &dir.path().join("p.csv")).map(|_| ()))),
            Some("ROLE_NOT_ALLOWED".into())
        );

        // Made a supervisor with a limit of 10,000 won: the next command sees it, and the rules still hold.
        state
            .with_store(|s| {
                s.update_user(
                    &admin,
                    "kim",
                    UserChange {
                        role: Some(Role::Supervisor),
                        approval_limit: Some(Some(10_000)),
                        ..Default::default()
                    },
                )
            })
            .expect("role change");
        let batch = state
            .as_user(|s, a| s.create_batch_of(a, "1차", std::slice::from_ref(&claim)))
            .expect("a supervisor builds a batch");
        let report = state.as_user(|s, a| s.approve_batch(a, &batch.batch_id)).expect("approval report");
        assert_eq!(report.approved, 0);
        assert_eq!(
            report.refused.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            vec!["MAKER_CHECKER"],
            "own recommendation"
        );
        let status = state.with_store(|s| Ok(s.claim(&claim)?.status)).expect("claim");
        assert_eq!(status, claimdesk_core::ClaimStatus::Batched, "nothing was approved");
    }
}
