//! ClaimDesk's desktop shell: the Tauri app around the store. Commands are
//! thin (commands/), the state holds the open store and the signed-in user
//! (state.rs), long work runs on worker threads with progress and cancel.

pub mod commands;
pub mod data_dir;
pub mod dialogs;
pub mod dto;
pub mod error;
pub mod keychain;
pub mod state;
pub mod sync;

use std::sync::OnceLock;
use std::time::Instant;

use tauri::Manager;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

static STARTED: OnceLock<(Instant, u64)> = OnceLock::new();

/// When `run` was entered (process start as near as we can tell).
pub fn started() -> Instant {
    STARTED.get_or_init(|| (Instant::now(), exec_to_now_ms())).0
}

/// Milliseconds between the exec of this process and the first call of `started`.
pub fn exec_offset_ms() -> u64 {
    STARTED.get_or_init(|| (Instant::now(), exec_to_now_ms())).1
}

/// Time since the kernel started this process, from /proc (Linux; 0 elsewhere).
fn exec_to_now_ms() -> u64 {
    let uptime = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse::<f64>().ok());
    // Field 22 of /proc/self/stat is the start time in clock ticks since boot (USER_HZ = 100 on Linux).
    let start = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|t| t.rsplit(')').next()?.split_whitespace().nth(19)?.parse::<f64>().ok());
    match (uptime, start) {
        (Some(up), Some(ticks)) => ((up - ticks / 100.0) * 1000.0).max(0.0) as u64,
        _ => 0,
    }
}

/// VmRSS and VmHWM of this process, KiB (Linux; zeros elsewhere).
pub fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Benchmark builds only (the `bench-sign-in` feature, which
/// scripts/bench-app.sh turns on; `scripts/run.sh`, the release and the
/// Debian package are built without it, and scripts/deb.sh checks that the
/// packaged binary does not hold the variable's name), and there only with
/// CLAIMDESK_STARTUP_REPORT set: signs in the user of
/// `CLAIMDESK_SIGN_IN=user:password` at start, with the password checked as
/// at any sign-in, so the cold start can be measured to the first queue page.
#[cfg(feature = "bench-sign-in")]
fn bench_sign_in(state: &state::AppState) {
    if std::env::var_os("CLAIMDESK_STARTUP_REPORT").is_none() {
        return;
    }
    let Ok(credentials) = std::env::var("CLAIMDESK_SIGN_IN") else { return };
    let Some((user, password)) = credentials.split_once(':') else { return };
    match state.unlock(user, password, &mut |store, u, p| store.verify_password(u, p)) {
        Ok(actor) => state.set_session(Some(actor.user)),
        Err(e) => tracing::error!(error = %e, "CLAIMDESK_SIGN_IN was refused"),
    }
}

pub fn run() {
    started();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let path = state::store_path(app.path().app_data_dir().ok().as_deref());
            tracing::info!(store = %path.display(), "opening the store");
            // Locked until someone signs in (the store is encrypted: decision 0009).
            let state = state::AppState::new(path);
            // Where an admin has let this PC's keychain open it, it is open now (nobody is signed in).
            if let Some(store) = keychain::open_at_start(&state.db_path) {
                tracing::info!("the store was opened with this PC's keychain");
                state.put_store(store);
            }
            #[cfg(feature = "bench-sign-in")]
            bench_sign_in(&state);
            app.manage(state);
            app.manage(sync::SyncRuntime::default());
            app.manage(dialogs::PickedIntake::default());
            commands::sync::start_background(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::first_run_state,
            commands::session::create_first_admin,
            commands::session::sign_in,
            commands::session::sign_out,
            commands::session::current_user,
            commands::session::pending_recovery_key,
            commands::session::confirm_recovery_key,
            commands::session::recover_with_key,
            commands::session::cancel_job,
            commands::session::ui_ready,
            commands::queue::queue_page,
            commands::queue::queue_count,
            commands::queue::duplicate_group,
            commands::queue::catalog,
            commands::queue::bulk_action,
            commands::queue::saved_views,
            commands::queue::save_view,
            commands::queue::delete_view,
            commands::claim::claim,
            commands::claim::timeline,
            commands::claim::explain,
            commands::claim::allowed_actions,
            commands::claim::triage,
            commands::claim::take,
            commands::claim::release,
            commands::claim::request_info,
            commands::claim::check_document,
            commands::claim::expire,
            commands::claim::info_received,
            commands::claim::recommend,
            commands::claim::add_note,
            commands::claim::withdraw_note,
            commands::claim::annotate,
            commands::claim::reveal,
            commands::claim::reveals,
            commands::claim::add_evidence,
            commands::claim::read_evidence,
            commands::claim::resolve_conflict,
            commands::claim::set_report_type,
            commands::claim::close_no_damage,
            commands::claim::reopen,
            commands::claim::reason_catalog,
            commands::notice::notices_due,
            commands::notice::due_counts,
            commands::policy::extend_cure,
            commands::notice::notices_sent,
            commands::notice::notice_counts,
            commands::notice::export_notices,
            commands::notice::save_notice,
            commands::batch::create_batch,
            commands::batch::create_batch_of,
            commands::batch::batches,
            commands::batch::batch_review,
            commands::batch::remove_from_batch,
            commands::batch::return_to_reviewer,
            commands::batch::approve_batch,
            commands::batch::export_payout,
            commands::batch::confirm_payout,
            commands::batch::rewrite_payout_file,
            commands::batch::cancel_payout,
            commands::batch::payouts,
            commands::fulfilment::export_fulfilment,
            commands::fulfilment::confirm_fulfilment,
            commands::fulfilment::rewrite_fulfilment_file,
            commands::fulfilment::cancel_fulfilment,
            commands::fulfilment::fulfilments,
            commands::policy::policy_versions,
            commands::policy::policy_toml,
            commands::policy::validate_policy,
            commands::policy::add_policy_version,
            commands::policy::activate_policy,
            commands::policy::what_if,
            commands::policy::what_if_draft,
            commands::policy::policy_draft_of_toml,
            commands::policy::policy_draft_to_toml,
            commands::policy::example_policies,
            commands::import::choose_intake_file,
            commands::import::import_file,
            commands::import::quarantine,
            commands::import::export_quarantine,
            commands::import::store_is_empty,
            commands::import::load_demo_data,
            commands::incident::incidents,
            commands::incident::current_incident,
            commands::incident::switch_incident,
            commands::incident::create_incident,
            commands::incident::update_incident,
            commands::incident::claimant_history,
            commands::dashboard::stats,
            commands::dashboard::claims_series,
            commands::dashboard::throughput,
            commands::dashboard::recent_ops,
            commands::dashboard::verify_audit,
            commands::settings::users,
            commands::settings::create_user,
            commands::settings::update_user,
            commands::settings::set_password,
            commands::settings::keychain_status,
            commands::settings::set_keychain,
            commands::settings::settings,
            commands::settings::set_setting,
            commands::sync::sync_status,
            commands::sync::sync_settings,
            commands::sync::sync_sign_in,
            commands::sync::sync_join,
            commands::sync::sync_sign_out,
            commands::sync::sync_now,
            commands::sync::parked_ops,
            commands::sync::retry_parked,
            commands::sync::dismiss_parked,
            commands::sync::sync_conflicts,
            commands::sync::settle_conflict,
            commands::sync::take_offline,
            commands::sync::release_offline,
            commands::sync::lease_holders,
            commands::sync::leases,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("ClaimDesk could not start: {e}");
        std::process::exit(1);
    }
}
