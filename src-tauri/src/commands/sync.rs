//! Sync commands (thin, over crate::sync and the store) and the background
//! worker: a sync every minute while the server answers, one as soon as the
//! network comes back (a /health probe failing, then succeeding), one on
//! demand; never two at once. Status changes go to the UI as the
//! `sync-status` event.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use claimdesk_store::queue::QueueFilter;
use claimdesk_store::sync_desk::LeaseInfo;
use claimdesk_store::Store;
use claimdesk_sync::engine::Progress as SyncProgress;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager};

use super::report;
use crate::dto::Progress;
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState};
use crate::sync::{
    self as core, ConflictView, ParkedView, ServerAccount, SyncOutcome, SyncRuntime, SyncSettings,
    SyncStatusView,
};

/// The event the UI listens to for the sync status.
pub const STATUS_EVENT: &str = "sync-status";

fn runtime(app: &AppHandle) -> tauri::State<'_, SyncRuntime> {
    app.state::<SyncRuntime>()
}

/// Sends the current status to the UI (errors only logged: the status is advice).
pub fn emit_status(app: &AppHandle, store: &Store) {
    match core::status(store, &runtime(app)) {
        Ok(view) => {
            let _ = app.emit(STATUS_EVENT, view);
        }
        Err(e) => tracing::warn!(error = %e, "sync status"),
    }
}

fn emit_status_now(app: &AppHandle, s: &AppState) {
    let _ = s.with_store(|store| {
        emit_status(app, store);
        Ok(())
    });
}

#[tauri::command]
pub async fn sync_status(app: AppHandle) -> ApiResult<SyncStatusView> {
    let a = app.clone();
    blocking(app, move |s: &AppState| s.with_store(|store| Ok(core::status(store, &runtime(&a))))?).await
}

#[tauri::command]
pub async fn sync_settings(app: AppHandle) -> ApiResult<SyncSettings> {
    blocking(app, |s: &AppState| {
        s.user_id()?;
        s.with_store(|store| Ok(core::settings(store)))?
    })
    .await
}

/// Signs this desktop in to the sync server (on a second connection, so the
/// app stays usable while the network answers). Joining a server on a store
/// that is not fresh, or switching to another server (`confirm_change`),
/// needs the signed-in user to be an administrator of this desktop.
#[tauri::command]
pub async fn sync_sign_in(
    app: AppHandle,
    server_url: String,
    ca_file: Option<String>,
    user: String,
    password: String,
    confirm_change: Option<bool>,
) -> ApiResult<ServerAccount> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        let account = core::server_sign_in(
            &mut store,
            Some(&actor),
            &server_url,
            ca_file.as_deref(),
            &user,
            &password,
            confirm_change.unwrap_or(false),
        )?;
        // The password the server has just accepted opens the store here too (a new slot, or a changed password).
        store.set_key_slot(&account.user, &password)?;
        let rt = runtime(&a);
        rt.clear_error();
        rt.set_online(Some(true));
        rt.wake();
        emit_status(&a, &store);
        Ok(account)
    })
    .await
}

/// A new desktop joins the team from the sign-in screen: signs in to the
/// sync server (no local account needed; the server's roster comes along)
/// and starts the session as that user. Nobody is signed in here, so this
/// is only for a fresh store (no server, no claim) or the server it already
/// trusts (`Store::check_server_choice`): a server cannot make anyone an
/// administrator of a desktop that holds data. The first sync follows (`sync_now`).
#[tauri::command]
pub async fn sync_join(
    app: AppHandle,
    server_url: String,
    ca_file: Option<String>,
    user: String,
    password: String,
) -> ApiResult<crate::dto::SessionUser> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        // A fresh desktop: the encrypted store is made now, and given up again if the join fails.
        let fresh = !s.is_open() && s.store_file()? == claimdesk_store::keys::StoreFile::Missing;
        s.create_store()?;
        let joined = (|| {
            let mut store = s.open_worker()?;
            let account = core::server_sign_in(
                &mut store,
                None,
                &server_url,
                ca_file.as_deref(),
                &user,
                &password,
                false,
            )?;
            // The password the server has just accepted is this person's key to the store here.
            store.set_key_slot(&account.user, &password)?;
            Ok::<_, ApiError>((store, account))
        })();
        let (store, account) = match joined {
            Ok(j) => j,
            Err(e) => {
                if fresh {
                    s.discard_new_store();
                }
                return Err(e);
            }
        };
        let signed = s.with_store(|store| super::session::session_user(store, &account.user))?;
        s.set_session(Some(signed.id.clone()));
        let rt = runtime(&a);
        rt.clear_error();
        rt.set_online(Some(true));
        emit_status(&a, &store);
        Ok(signed)
    })
    .await
}

/// Signs this device out of the server (the token ends there when the server
/// answers) and forgets it; syncing stops until the next sign-in. Says
/// whether the server ended the token.
#[tauri::command]
pub async fn sync_sign_out(app: AppHandle) -> ApiResult<bool> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        s.user_id()?;
        s.with_store(|store| {
            let ended = core::server_sign_out(store).map_err(|e| {
                claimdesk_store::StoreError::Invalid(claimdesk_core::msg!(
                    "invalid.detail",
                    detail = e.message
                ))
            })?;
            emit_status(&a, store);
            Ok(ended)
        })
    })
    .await
}

fn send_progress(
    channel: &Channel<Progress>,
    job_id: &str,
    p: SyncProgress,
    pending: u64,
    start_cursor: i64,
) {
    match p {
        SyncProgress::Push { pushed } => {
            report(channel, job_id, "push", pushed, Some(pending.max(pushed)), None)
        }
        SyncProgress::Pull { cursor, head, pulled } => report(
            channel,
            job_id,
            "pull",
            (cursor - start_cursor).max(0) as u64,
            Some((head - start_cursor).max(0) as u64),
            Some(format!("{pulled} {cursor}/{head}")),
        ),
    }
}

/// One sync now, with progress (`push`: ops sent of those waiting; `pull`:
/// ops received of those the server holds after this desktop's cursor) and
/// cancel through `cancel_job`. Refused with SYNC_RUNNING while another runs.
#[tauri::command]
pub async fn sync_now(
    app: AppHandle,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<SyncOutcome> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        s.user_id()?;
        let job = s.start_job(&job_id)?;
        let rt = runtime(&a);
        let Some(_guard) = rt.try_begin() else {
            return Err(ApiError::new(
                "SYNC_RUNNING",
                "a sync is already running; it ends by itself in a moment",
            ));
        };
        let mut store = s.open_worker()?;
        emit_status(&a, &store);
        let start = store.sync_status()?;
        report(&on_progress, &job.id, "push", 0, Some(start.pending), None);
        let cancel = AtomicBool::new(job.is_cancelled());
        let result = core::run_sync(&mut store, &cancel, &mut |p| {
            if job.is_cancelled() {
                cancel.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            send_progress(&on_progress, &job.id, p, start.pending, start.cursor);
        });
        rt.finish(&result);
        drop(_guard);
        emit_status(&a, &store);
        if let Ok(o) = &result {
            report(&on_progress, &job.id, "done", o.pulled, Some(o.pulled), None);
        }
        result
    })
    .await
}

#[tauri::command]
pub async fn parked_ops(app: AppHandle) -> ApiResult<Vec<ParkedView>> {
    blocking(app, |s: &AppState| s.as_user(|store, actor| Ok(core::parked(store, actor)))?).await
}

/// Sends a rejected change again at the next sync (after fixing its cause).
#[tauri::command]
pub async fn retry_parked(app: AppHandle, op_id: String) -> ApiResult<()> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.retry_parked(actor, &op_id))?;
        runtime(&a).wake();
        emit_status_now(&a, s);
        Ok(())
    })
    .await
}

/// Gives up on a rejected change (kept in the log; the dismissal is audited).
#[tauri::command]
pub async fn dismiss_parked(app: AppHandle, op_id: String, note: String) -> ApiResult<()> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.dismiss_parked(actor, &op_id, &note))?;
        emit_status_now(&a, s);
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn sync_conflicts(app: AppHandle, all: bool) -> ApiResult<Vec<ConflictView>> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| Ok(core::conflicts(store, all)))?).await
}

/// Supervisor: settles a conflict (the core refuses anyone else) and tells the chrome.
#[tauri::command]
pub async fn settle_conflict(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    to: claimdesk_core::ClaimStatus,
    note: String,
) -> ApiResult<claimdesk_store::oplog::OpReceipt> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        let receipt =
            s.as_user(|store, actor| store.resolve_conflict(actor, &external_id, base, to, &note))?;
        emit_status_now(&a, s);
        Ok(receipt)
    })
    .await
}

fn lease_targets(
    store: &Store,
    ids: Option<Vec<String>>,
    filter: Option<QueueFilter>,
) -> Result<Vec<String>, claimdesk_store::StoreError> {
    match (ids, filter) {
        (Some(ids), _) if !ids.is_empty() => Ok(ids),
        (_, Some(filter)) => store.queue_ids(&filter),
        _ => Err(claimdesk_store::StoreError::Invalid(claimdesk_core::msg!("store.lease_choose"))),
    }
}

/// Takes claims offline before fieldwork (the selected ones, else every claim
/// of the filter): others see who holds them after their next sync.
#[tauri::command]
pub async fn take_offline(
    app: AppHandle,
    external_ids: Option<Vec<String>>,
    filter: Option<QueueFilter>,
) -> ApiResult<u64> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        let ids = lease_targets(&store, external_ids, filter)?;
        let n = store.lease(&actor, &ids)?;
        emit_status(&a, &store);
        Ok(n)
    })
    .await
}

/// Gives back the signed-in user's leases on these claims (or the filter's).
#[tauri::command]
pub async fn release_offline(
    app: AppHandle,
    external_ids: Option<Vec<String>>,
    filter: Option<QueueFilter>,
) -> ApiResult<u64> {
    let a = app.clone();
    blocking(app, move |s: &AppState| {
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        let ids = lease_targets(&store, external_ids, filter)?;
        let n = store.release_lease(&actor, &ids)?;
        emit_status(&a, &store);
        Ok(n)
    })
    .await
}

/// Who holds these claims (claims nobody holds are left out).
#[tauri::command]
pub async fn lease_holders(app: AppHandle, external_ids: Vec<String>) -> ApiResult<Vec<LeaseInfo>> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.lease_holders(&external_ids))).await
}

/// The leases of one holder (the signed-in user when `mine`), or all; at most 1,000.
#[tauri::command]
pub async fn leases(app: AppHandle, mine: bool) -> ApiResult<Vec<LeaseInfo>> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.leases(mine.then_some(actor.user.as_str()), 1000))
    })
    .await
}

/// Starts the background worker (once, from the app's setup).
pub fn start_background(app: AppHandle) {
    let spawned = std::thread::Builder::new().name("claimdesk-sync".into()).spawn(move || background(app));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the background sync could not start; sync on demand still works");
    }
}

fn background(app: AppHandle) {
    let mut store: Option<Store> = None;
    let mut last_probe: Option<Instant> = None;
    let mut last_sync: Option<Instant> = None;
    let mut last_sent: Option<SyncStatusView> = None;
    let mut tick: u64 = 0;
    loop {
        std::thread::sleep(Duration::from_secs(1));
        tick += 1;
        let state = app.state::<AppState>();
        if store.is_none() {
            store = state.open_worker().ok();
        }
        let Some(st) = store.as_mut() else { continue };
        let rt = runtime(&app);
        let configured = st.sync_setting("server_url").ok().flatten().is_some_and(|u| !u.is_empty());
        if configured {
            let every =
                if rt.online() == Some(true) { core::PROBE_EVERY_ONLINE } else { core::PROBE_EVERY_OFFLINE };
            if last_probe.is_none_or(|t| t.elapsed() >= every) && !rt.is_running() {
                last_probe = Some(Instant::now());
                let now = core::probe(st);
                let before = rt.set_online(now);
                if before == Some(false) && now == Some(true) {
                    tracing::info!("the sync server answers again; syncing");
                    rt.wake();
                }
            }
            let signed_in = st.sync_setting("token").ok().flatten().is_some_and(|t| !t.is_empty());
            let due = last_sync.is_none_or(|t| t.elapsed() >= core::SYNC_EVERY);
            let woken = rt.take_wake();
            if signed_in && rt.online() != Some(false) && (due || woken) {
                if let Some(guard) = rt.try_begin() {
                    last_sync = Some(Instant::now());
                    let _ = app.emit(STATUS_EVENT, core::status(st, &rt).ok());
                    let result = core::run_sync(st, &AtomicBool::new(false), &mut |_| {});
                    if let Err(e) = &result {
                        tracing::info!(code = %e.code, "background sync stopped: {}", e.message);
                    }
                    rt.finish(&result);
                    drop(guard);
                } else if woken {
                    rt.wake();
                }
            }
        } else if rt.online().is_some() {
            rt.set_online(None);
        }
        // The chrome's figures (pending changes) move with every edit: send them when they change.
        if tick.is_multiple_of(2) || last_sent.is_none() {
            if let Ok(view) = core::status(st, &rt) {
                if last_sent.as_ref() != Some(&view) {
                    let _ = app.emit(STATUS_EVENT, &view);
                    last_sent = Some(view);
                }
            }
        }
    }
}
