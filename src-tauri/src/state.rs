//! The app's state: the open store behind a mutex, the signed-in user, the
//! cancel flags of running jobs. The actor of every change comes from here,
//! never from the UI.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use claimdesk_core::Actor;
use claimdesk_store::{Store, StoreError};
use tauri::{AppHandle, Manager};

use crate::error::{ApiError, ApiResult};

pub struct AppState {
    pub db_path: PathBuf,
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
    /// Opens (or creates) the store at `db_path`; an error is kept and shown.
    pub fn open(db_path: PathBuf) -> AppState {
        let (store, open_error) = match Store::open(&db_path) {
            Ok(s) => (Some(s), None),
            Err(e) => {
                tracing::error!(path = %db_path.display(), error = %e, "the store could not be opened");
                (None, Some(ApiError::from(e)))
            }
        };
        AppState { db_path, store: Mutex::new(store), open_error, session: Mutex::new(None), jobs: Mutex::new(HashMap::new()) }
    }

    /// Runs `f` on the store, signed in or not.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> ApiResult<T> {
        let mut guard = lock(&self.store);
        let store = guard.as_mut().ok_or_else(|| self.open_error.clone().unwrap_or_else(|| ApiError::internal("the store is not open")))?;
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
        Ok(Store::open_existing(&self.db_path)?)
    }

    /// Registers a job; its flag turns true when the UI cancels it.
    pub fn start_job(&self, job_id: &str) -> ApiResult<Job<'_>> {
        let mut jobs = lock(&self.jobs);
        if job_id.trim().is_empty() || jobs.contains_key(job_id) {
            return Err(ApiError::invalid(format!("the job id '{job_id}' is empty or already running")));
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
pub async fn blocking<T: Send + 'static>(app: AppHandle, f: impl FnOnce(&AppState) -> ApiResult<T> + Send + 'static) -> ApiResult<T> {
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
