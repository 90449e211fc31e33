//! The app's commands: each takes the state, calls the store as the signed-in
//! user, and maps the error. Every command runs off the UI thread.

pub mod batch;
pub mod claim;
pub mod dashboard;
pub mod fulfilment;
pub mod import;
pub mod incident;
pub mod notice;
pub mod policy;
pub mod queue;
pub mod session;
pub mod settings;
pub mod sync;

use tauri::ipc::Channel;

use crate::dto::Progress;

/// Sends one progress message; a closed channel (window gone) is not an error.
pub(crate) fn report(
    channel: &Channel<Progress>,
    job_id: &str,
    phase: &str,
    done: u64,
    total: Option<u64>,
    message: Option<String>,
) {
    let _ =
        channel.send(Progress { job_id: job_id.to_string(), phase: phase.to_string(), done, total, message });
}
