//! Sync in the desktop, without Tauri: signing in to the team server, one
//! sync run, the status the chrome shows, parked ops with what to do about
//! them, conflicts side by side, and the offline sign-in with the last
//! credentials the server verified. The commands (commands/sync.rs) and the
//! background worker are thin layers over these functions, and the test
//! tests/sync_server.rs drives them against the real server.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use claimdesk_core::{Actor, ClaimStatus, Role};
use claimdesk_store::sync_desk::RosterUser;
use claimdesk_store::Store;
use claimdesk_sync::client::{password_verifier, verify_offline, ClientConfig, SyncClient};
use claimdesk_sync::engine::{Progress as SyncProgress, SyncError};
use claimdesk_sync::protocol::LoginRequest;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{ApiError, ApiResult};

/// How often the background worker syncs while a server is set up and reachable.
pub const SYNC_EVERY: Duration = Duration::from_secs(60);
/// How often it asks the server's /health whether the network is there.
pub const PROBE_EVERY_ONLINE: Duration = Duration::from_secs(20);
pub const PROBE_EVERY_OFFLINE: Duration = Duration::from_secs(5);
const PROBE_TIMEOUT: Duration = Duration::from_secs(4);

/// Sync settings keys in the store's sync_state.
const KEY_SERVER: &str = "server_url";
const KEY_USER: &str = "user";
const KEY_TOKEN: &str = "token";
const KEY_CA: &str = "ca_file";
const KEY_DEVICE_NAME: &str = "device_name";
const KEY_TOKEN_ISSUED: &str = "token_issued_ms";
const KEY_TOKEN_EXPIRES: &str = "token_expires_ms";

/// What the chrome and the Sync screen show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct SyncStatusView {
    /// A server address is set.
    pub configured: bool,
    /// This desktop holds a device token of that server.
    pub signed_in: bool,
    pub server_url: Option<String>,
    /// The server user this desktop syncs as.
    pub server_user: Option<String>,
    /// None: not known yet (no server, or not probed yet).
    pub online: Option<bool>,
    /// A sync is running now.
    pub running: bool,
    /// Changes waiting to be pushed.
    pub pending: u64,
    pub parked: u64,
    /// Claims in an open conflict.
    pub conflicts: u64,
    pub last_sync_at_ms: Option<i64>,
    pub cursor: i64,
    /// Why the last sync stopped (cleared by the next complete one).
    pub last_error: Option<ApiError>,
    pub last_outcome: Option<SyncOutcome>,
}

/// What one complete sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct SyncOutcome {
    pub pushed: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub pulled: u64,
    pub applied: u64,
    /// Pulled ops refused here (parked).
    pub parked: u64,
    /// Claims in conflict among those the pull touched.
    pub conflicts: Vec<String>,
    pub cursor: i64,
    pub head: i64,
    pub finished_at_ms: i64,
}

/// The server and the account this desktop syncs with.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncSettings {
    /// The server this desktop trusts (`Store::trusted_server`).
    pub server_url: Option<String>,
    /// Its identity, remembered at the join.
    pub server_id: Option<String>,
    pub server_user: Option<String>,
    pub ca_file: Option<String>,
    pub device_id: String,
    pub device_name: String,
    pub signed_in: bool,
}

/// The answer to a sign-in at the server.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ServerAccount {
    pub server_url: String,
    pub user: String,
    pub display_name: String,
    pub role: Role,
    /// Users added or changed here from the server's roster.
    pub roster_changed: u64,
    /// The identity the server answered, which this desktop now trusts.
    pub server_id: String,
    /// "This desktop now trusts the sync server … (server id …)", in the reader's language.
    pub trusted: claimdesk_core::message::Message,
}

/// What a person can do about a parked op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ParkedAdvice {
    /// Correct this computer's clock, then send again.
    Clock,
    /// A role or limit problem: an admin fixes it on the server, or the change is dismissed.
    Role,
    /// The claim changed meanwhile: look again, act anew, dismiss this one.
    Superseded,
    /// Sign in as the user who made it.
    SignIn,
    FixAndRetry,
    /// Tried again by itself at the next sync.
    Wait,
    /// Another person's change the rules refused here (kept, changed nothing).
    RefusedHere,
    /// Made by a newer ClaimDesk: update.
    Update,
}

/// A parked op with what a person can do about it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ParkedView {
    pub op_id: String,
    /// `local`: the server rejected this desktop's change; `remote`: this desktop refused a pulled one.
    pub origin: String,
    pub entity: String,
    /// The claim's external id when the op is about a claim.
    pub claim: Option<String>,
    pub kind: String,
    pub user: String,
    pub code: String,
    /// English.
    pub reason: String,
    /// The reason in the reader's language (ops parked before it existed have none).
    pub explain: Option<claimdesk_core::message::Message>,
    pub at_ms: i64,
    /// What to do, as a code the UI words.
    pub advice: ParkedAdvice,
    /// Whether the signed-in user may retry or dismiss it.
    pub can_act: bool,
}

/// One decision of a conflict.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConflictSide {
    pub op_id: String,
    pub user: String,
    pub device: String,
    /// `claim.recommend`, `claim.take`, ...
    pub kind: String,
    pub at_ms: i64,
    /// The status this decision leads to.
    pub to: Option<String>,
    pub assignee: Option<String>,
    pub payload: serde_json::Value,
    /// This decision's outcome is the one the claim holds now (picking it keeps it as is).
    pub current: bool,
}

/// A claim in conflict with its decisions side by side.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConflictView {
    pub external_id: String,
    /// The decision count the colliding decisions were made on.
    pub base: i64,
    pub sides: Vec<ConflictSide>,
    /// Decisions that arrived while the claim was in conflict.
    pub joined: Vec<ConflictSide>,
    pub resolved_by: Option<String>,
    /// The claim now (for the resolution's staleness check).
    pub status: ClaimStatus,
    pub version: i64,
    pub assignee: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The sync state that lives only while the app runs: whether the server
/// answers, whether a sync is running (never two at once), how the last ended.
#[derive(Default)]
pub struct SyncRuntime {
    running: AtomicBool,
    inner: Mutex<RuntimeInner>,
}

#[derive(Default)]
struct RuntimeInner {
    online: Option<bool>,
    last_error: Option<ApiError>,
    last_outcome: Option<SyncOutcome>,
    wake: bool,
}

/// Held while a sync runs; the next one may start when it is dropped.
pub struct RunGuard<'a>(&'a SyncRuntime);

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::SeqCst);
    }
}

impl SyncRuntime {
    /// Starts a sync unless one runs.
    pub fn try_begin(&self) -> Option<RunGuard<'_>> {
        self.running
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .ok()
            .map(|_| RunGuard(self))
    }

    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    pub fn online(&self) -> Option<bool> {
        lock(&self.inner).online
    }

    /// Records a probe; returns the previous value.
    pub fn set_online(&self, online: Option<bool>) -> Option<bool> {
        std::mem::replace(&mut lock(&self.inner).online, online)
    }

    /// Records how a sync ended: an unreachable server also means offline.
    pub fn finish(&self, result: &ApiResult<SyncOutcome>) {
        let mut inner = lock(&self.inner);
        match result {
            Ok(outcome) => {
                inner.online = Some(true);
                inner.last_error = None;
                inner.last_outcome = Some(outcome.clone());
            }
            Err(e) => {
                if e.code == "SYNC_OFFLINE" {
                    inner.online = Some(false);
                } else if e.code != "SYNC_CANCELLED" && e.code != "SYNC_LOCAL" && e.code != "SYNC_CONFIG" {
                    inner.online = Some(true);
                }
                inner.last_error = Some(e.clone());
            }
        }
    }

    /// Asks the background worker to sync at its next tick.
    pub fn wake(&self) {
        lock(&self.inner).wake = true;
    }

    pub fn take_wake(&self) -> bool {
        std::mem::take(&mut lock(&self.inner).wake)
    }

    pub fn clear_error(&self) {
        lock(&self.inner).last_error = None;
    }
}

/// A sync error as the UI's `{ code, message }`.
pub fn sync_error(e: SyncError) -> ApiError {
    ApiError::of(e.code(), &e, e.to_string())
}

fn setting(store: &Store, key: &str) -> ApiResult<Option<String>> {
    Ok(store.sync_setting(key)?.filter(|v| !v.trim().is_empty()))
}

fn schema() -> u32 {
    claimdesk_store::schema::SCHEMA_VERSION as u32
}

fn config(url: &str, ca_file: Option<&str>, timeout: Duration) -> ClientConfig {
    let mut c = ClientConfig::new(url.trim(), schema());
    c.ca_file = ca_file.filter(|f| !f.trim().is_empty()).map(std::path::PathBuf::from);
    c.timeout = timeout;
    c
}

/// How this desktop is named on the server: the name given at sign-in, else the host's.
pub fn device_name(store: &Store) -> String {
    if let Ok(Some(name)) = setting(store, KEY_DEVICE_NAME) {
        return name;
    }
    let host = std::env::var("HOSTNAME")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| store.device().chars().take(8).collect());
    format!("ClaimDesk {host}")
}

pub fn settings(store: &Store) -> ApiResult<SyncSettings> {
    Ok(SyncSettings {
        server_url: setting(store, KEY_SERVER)?,
        server_id: setting(store, claimdesk_store::server_trust::KEY_SERVER_ID)?,
        server_user: setting(store, KEY_USER)?,
        ca_file: setting(store, KEY_CA)?,
        device_id: store.device().to_string(),
        device_name: device_name(store),
        signed_in: setting(store, KEY_TOKEN)?.is_some(),
    })
}

/// Signs in to the server: keeps its address, its identity, the device
/// token and an offline verifier of the password, and takes the server's
/// user roster in. Who may choose the server is the store's decision
/// (`Store::check_server_choice`: a fresh store, or an administrator of this
/// desktop, `actor`; another server than the trusted one only with
/// `confirm_change`), made on the server's /health answer before the
/// password is sent to it.
pub fn server_sign_in(
    store: &mut Store,
    actor: Option<&Actor>,
    server_url: &str,
    ca_file: Option<&str>,
    user: &str,
    password: &str,
    confirm_change: bool,
) -> ApiResult<ServerAccount> {
    let user = user.trim();
    if server_url.trim().is_empty() || user.is_empty() || password.is_empty() {
        return Err(ApiError::invalid(claimdesk_core::msg!("app.sync_sign_in_fields")));
    }
    let url = claimdesk_sync::client::server_base(server_url).map_err(sync_error)?;
    let mut client = SyncClient::new(&config(&url, ca_file, Duration::from_secs(30))).map_err(sync_error)?;
    let health = client.health().map_err(sync_error)?;
    store.check_server_choice(actor, &url, &health.server_id, confirm_change)?;
    let login = client
        .login(&LoginRequest {
            user: user.to_string(),
            password: password.to_string(),
            device_id: store.device().to_string(),
            device_name: device_name(store),
            device_secret: store.device_secret()?,
        })
        .map_err(sync_error)?;
    if login.server_id != health.server_id {
        // Another server answered the sign-in than the /health just before it.
        store.check_server_choice(actor, &url, &login.server_id, confirm_change)?;
    }
    let roster: Vec<RosterUser> =
        client.users().map_err(sync_error)?.iter().filter_map(RosterUser::from_wire).collect();
    let roster_changed = store.apply_roster(&login.user.id, &roster)?;
    store.roster_refreshed(login.server_time_ms.max(now_ms()))?;
    store.trust_server(&url, &login.server_id)?;
    store.set_sync_setting(KEY_USER, &login.user.id)?;
    keep_token(store, &login.token, login.token_expires_ms)?;
    store.set_sync_setting(KEY_CA, ca_file.unwrap_or("").trim())?;
    store.set_sync_setting(
        &format!("verifier:{}", login.user.id),
        &password_verifier(password).map_err(sync_error)?,
    )?;
    tracing::info!(server = %url, server_id = %login.server_id, user = %login.user.id, "this desktop trusts the sync server");
    Ok(ServerAccount {
        trusted: claimdesk_core::msg!("store.server_trusted", url = &url, server_id = &login.server_id),
        server_url: url,
        user: login.user.id,
        display_name: login.user.display_name,
        role: Role::parse(&login.user.role).unwrap_or(Role::Reviewer),
        roster_changed,
        server_id: login.server_id,
    })
}

/// Whether this desktop has joined a sync server (its users sign in with the server's passwords).
pub fn joined(store: &Store) -> bool {
    setting(store, KEY_SERVER).ok().flatten().is_some()
}

/// Keeps a device token with when it was issued and when it ends.
fn keep_token(store: &mut Store, token: &str, expires_ms: i64) -> ApiResult<()> {
    store.set_sync_setting(KEY_TOKEN, token)?;
    store.set_sync_setting(KEY_TOKEN_ISSUED, &now_ms().to_string())?;
    store.set_sync_setting(KEY_TOKEN_EXPIRES, &expires_ms.to_string())?;
    Ok(())
}

/// Whether the token is past half its lifetime (then a sync renews it).
fn token_due(store: &Store) -> bool {
    let get = |k| setting(store, k).ok().flatten().and_then(|v| v.parse::<i64>().ok());
    match (get(KEY_TOKEN_ISSUED), get(KEY_TOKEN_EXPIRES)) {
        (Some(issued), Some(expires)) if expires > 0 => now_ms() >= issued + (expires - issued) / 2,
        // A token from before lifetimes (or from an older server): renew it.
        _ => true,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Signs this device out: the token is ended on the server (when it
/// answers; otherwise it ends by itself at its expiry) and forgotten here.
/// The server address and the offline verifier stay. Says whether the
/// server ended it.
pub fn server_sign_out(store: &mut Store) -> ApiResult<bool> {
    let ended = match client(store, PROBE_TIMEOUT) {
        Ok(mut c) => c.logout().is_ok(),
        Err(_) => false,
    };
    store.set_sync_setting(KEY_TOKEN, "")?;
    Ok(ended)
}

/// Signs `user` in with the password the sync server last accepted on this
/// desktop, for a person the server knows but this store has no password of.
pub fn offline_sign_in(store: &Store, user: &str, password: &str) -> Option<Actor> {
    let verifier = store.sync_setting(&format!("verifier:{}", user.trim())).ok().flatten()?;
    // The team as the server last said it, no older than the bound: a person
    // deactivated on the server loses offline sign-in once this desktop
    // syncs, and at the latest when its roster is older than the bound.
    if !store.may_sign_in_offline(user.trim(), now_ms()).unwrap_or(false) {
        return None;
    }
    if !verify_offline(&verifier, password) {
        return None;
    }
    store
        .actor(user.trim())
        .ok()
        .filter(|a| store.users().is_ok_and(|us| us.iter().any(|u| u.id == a.user && u.active)))
}

/// The client of the configured server, with this desktop's token.
pub fn client(store: &Store, timeout: Duration) -> ApiResult<SyncClient> {
    let url = setting(store, KEY_SERVER)?
        .ok_or_else(|| ApiError::new("SYNC_NOT_CONFIGURED", "set the sync server's address first"))?;
    let token = setting(store, KEY_TOKEN)?.ok_or_else(|| {
        ApiError::new("SYNC_UNAUTHORIZED", "sign in to the sync server first (Sync screen)")
    })?;
    let ca = setting(store, KEY_CA)?;
    Ok(SyncClient::new(&config(&url, ca.as_deref(), timeout)).map_err(sync_error)?.with_token(Some(token)))
}

/// Asks the server's /health: None when no server is set up.
pub fn probe(store: &Store) -> Option<bool> {
    let url = setting(store, KEY_SERVER).ok().flatten()?;
    let ca = setting(store, KEY_CA).ok().flatten();
    let client = SyncClient::new(&config(&url, ca.as_deref(), PROBE_TIMEOUT)).ok()?;
    Some(client.health().is_ok())
}

/// One complete sync of `store` with the configured server.
pub fn run_sync(
    store: &mut Store,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(SyncProgress),
) -> ApiResult<SyncOutcome> {
    let mut client = client(store, Duration::from_secs(60))?;
    // The server answering is the one this desktop trusts (its identity), or nothing is sent.
    let health = client.health().map_err(sync_error)?;
    store.check_server_identity(&health.server_id)?;
    // A token in use is renewed before it ends; the team (roles, who is
    // active) is taken in at every sync, which keeps offline sign-in current.
    if token_due(store) {
        let fresh = client.refresh().map_err(sync_error)?;
        keep_token(store, &fresh.token, fresh.token_expires_ms)?;
    }
    let user = setting(store, KEY_USER)?.unwrap_or_default();
    let roster: Vec<RosterUser> =
        client.users().map_err(sync_error)?.iter().filter_map(RosterUser::from_wire).collect();
    store.apply_roster(&user, &roster)?;
    store.roster_refreshed(now_ms())?;
    let report = client.sync(store, progress, cancel).map_err(sync_error)?;
    Ok(SyncOutcome {
        pushed: report.pushed,
        accepted: report.accepted + report.push_duplicates,
        rejected: report.rejected.len() as u64,
        pulled: report.pulled,
        applied: report.applied,
        parked: report.parked.len() as u64,
        conflicts: report.in_conflict,
        cursor: report.cursor,
        head: report.head,
        finished_at_ms: store.sync_setting("last_sync_at")?.and_then(|v| v.parse().ok()).unwrap_or(0),
    })
}

/// The status as the chrome shows it.
pub fn status(store: &Store, runtime: &SyncRuntime) -> ApiResult<SyncStatusView> {
    let s = store.sync_status()?;
    let inner = lock(&runtime.inner);
    Ok(SyncStatusView {
        configured: s.server_url.as_deref().is_some_and(|u| !u.is_empty()),
        signed_in: setting(store, KEY_TOKEN)?.is_some(),
        server_url: s.server_url.filter(|u| !u.is_empty()),
        server_user: s.user,
        online: inner.online,
        running: runtime.is_running(),
        pending: s.pending,
        parked: s.parked,
        conflicts: s.conflicts,
        last_sync_at_ms: s.last_sync_at_ms,
        cursor: s.cursor,
        last_error: inner.last_error.clone(),
        last_outcome: inner.last_outcome.clone(),
    })
}

/// What to do about a parked op, from its reason code (the core's refusal
/// codes and the sync checks' `RejectCode`s).
pub fn advice(origin: &str, code: &str) -> ParkedAdvice {
    use claimdesk_sync::protocol::RejectCode as R;
    use ParkedAdvice as A;
    if origin == "remote" {
        // Another person's change this desktop refused or cannot read yet.
        return match code {
            R::CLOCK_AHEAD | R::UNKNOWN_KIND => A::Wait,
            _ => A::RefusedHere,
        };
    }
    match code {
        R::CLOCK_AHEAD => A::Clock,
        "ROLE_NOT_ALLOWED" | "MAKER_CHECKER" | "OVER_APPROVAL_LIMIT" | R::USERS_MANAGED_ON_SERVER => A::Role,
        "RECOMMENDATION_SUPERSEDED"
        | "STALE"
        | "WRONG_STATE"
        | "HELD_BY_OTHER"
        | "PAYOUT_RESERVED"
        | "NOT_RESERVED"
        | R::ALREADY_SETTLED
        | R::RESERVE_ONLINE => A::Superseded,
        R::WRONG_AUTHOR | R::WRONG_DEVICE => A::SignIn,
        R::UNKNOWN_KIND => A::Update,
        _ => A::FixAndRetry,
    }
}

/// Parked ops, newest first, with advice.
pub fn parked(store: &Store, actor: &Actor) -> ApiResult<Vec<ParkedView>> {
    Ok(store
        .parked_ops()?
        .into_iter()
        .map(|p| ParkedView {
            advice: advice(&p.origin, &p.code),
            can_act: p.origin == "local"
                && (p.user == actor.user || matches!(actor.role, Role::Supervisor | Role::Admin)),
            claim: p.entity.strip_prefix("claim:").map(str::to_string),
            op_id: p.op_id,
            origin: p.origin,
            entity: p.entity,
            kind: p.kind,
            user: p.user,
            code: p.code,
            reason: p.reason,
            explain: p.explain,
            at_ms: p.at_ms,
        })
        .collect())
}

/// Conflicts with their decisions side by side (open ones unless `all`).
pub fn conflicts(store: &Store, all: bool) -> ApiResult<Vec<ConflictView>> {
    let mut out = Vec::new();
    for c in store.conflicts(all)? {
        let state = store.folded_state(&c.external_id)?;
        let detail = store.claim(&c.external_id)?;
        let current_rec = state.recommendation.as_ref().map(|r| r.op_id.clone());
        let side = |o: claimdesk_store::sync_views::ConflictOp| {
            let current = match o.kind.as_str() {
                "claim.recommend" => current_rec.as_deref() == Some(o.op_id.as_str()),
                _ => o.assignee.is_some() && o.assignee == state.assignee && current_rec.is_none(),
            };
            ConflictSide {
                op_id: o.op_id,
                user: o.user,
                device: o.device,
                kind: o.kind,
                at_ms: o.at_ms,
                to: o.to,
                assignee: o.assignee,
                payload: o.payload,
                current,
            }
        };
        out.push(ConflictView {
            external_id: c.external_id,
            base: c.base,
            sides: c.ops.into_iter().map(side).collect(),
            joined: c.joined.into_iter().map(side).collect(),
            resolved_by: c.resolved_by,
            status: detail.status,
            version: detail.version,
            assignee: state.assignee.clone(),
        });
    }
    Ok(out)
}
