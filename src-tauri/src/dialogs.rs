//! The file dialogs, opened from Rust. A command that writes a file (the
//! payout file, the quarantine export) or reads one (an intake file, an
//! evidence file) asks the person here, in the native dialog, and uses the
//! path the dialog answers: the webview never names a path, so a script
//! running in it (a hostile claim's text that escaped the UI, say) cannot
//! make the app write over a file or read one the person did not pick. The
//! UI has no dialog permission at all (capabilities/default.json), and the
//! dialog plugin's JavaScript is not in the UI.
//!
//! End-to-end tests cannot drive a GTK dialog: an app built with the
//! `e2e-dialogs` feature (only scripts/test.sh and scripts/screenshots.sh
//! build it, for tests/e2e) takes its answers from the JSON file that
//! `CLAIMDESK_E2E_DIALOGS` names (`{"open": [...], "save": [...], "folder": [...]}`, each
//! answer a path or null for a cancel), written by the test harness
//! (`Desktop::answer_dialogs`); a release build holds none of this.

use std::path::PathBuf;
use std::sync::Mutex;

use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

use crate::error::{ApiError, ApiResult};

/// Asks where to write a file: None when the person cancels.
pub fn save_path(
    app: &AppHandle,
    file_name: &str,
    filter: &str,
    extensions: &[&str],
) -> ApiResult<Option<PathBuf>> {
    #[cfg(feature = "e2e-dialogs")]
    if let Some(answer) = e2e::next("save") {
        return Ok(answer);
    }
    let picked =
        app.dialog().file().set_file_name(file_name).add_filter(filter, extensions).blocking_save_file();
    picked.map(into_path).transpose()
}

/// Asks for a file to read: None when the person cancels.
pub fn open_path(app: &AppHandle, filter: &str, extensions: &[&str]) -> ApiResult<Option<PathBuf>> {
    #[cfg(feature = "e2e-dialogs")]
    if let Some(answer) = e2e::next("open") {
        return Ok(answer);
    }
    let mut dialog = app.dialog().file();
    if !extensions.is_empty() {
        dialog = dialog.add_filter(filter, extensions);
    }
    dialog.blocking_pick_file().map(into_path).transpose()
}

/// Asks for a folder to write into: None when the person cancels.
pub fn pick_folder(app: &AppHandle) -> ApiResult<Option<PathBuf>> {
    #[cfg(feature = "e2e-dialogs")]
    if let Some(answer) = e2e::next("folder") {
        return Ok(answer);
    }
    app.dialog().file().blocking_pick_folder().map(into_path).transpose()
}

/// The intake file an admin picked in the open dialog
/// (`choose_intake_file`), kept here until `import_file` imports it: the
/// webview only ever sees its name.
#[derive(Default)]
pub struct PickedIntake(Mutex<Option<PathBuf>>);

impl PickedIntake {
    pub fn set(&self, path: Option<PathBuf>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = path;
    }

    pub fn get(&self) -> Option<PathBuf> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn into_path(p: tauri_plugin_dialog::FilePath) -> ApiResult<PathBuf> {
    p.into_path().map_err(|e| ApiError::internal(format!("the dialog answered no file path: {e}")))
}

/// The test harness's answers (feature `e2e-dialogs` only).
#[cfg(feature = "e2e-dialogs")]
mod e2e {
    use std::path::PathBuf;

    /// The next queued answer of `kind` ("open", "save" or "folder"): Some(None) is a
    /// cancel; None when nothing is queued (the real dialog opens).
    pub fn next(kind: &str) -> Option<Option<PathBuf>> {
        let file = std::env::var_os("CLAIMDESK_E2E_DIALOGS")?;
        let text = std::fs::read_to_string(&file).ok()?;
        let mut answers: serde_json::Value = serde_json::from_str(&text).ok()?;
        let list = answers.get_mut(kind)?.as_array_mut()?;
        if list.is_empty() {
            return None;
        }
        let answer = list.remove(0);
        std::fs::write(&file, answers.to_string()).ok()?;
        Some(answer.as_str().map(PathBuf::from))
    }
}
