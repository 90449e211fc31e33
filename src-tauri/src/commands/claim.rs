//! One claim: what it is, its history, the policy's explanation, and every
//! action on it. `base` is the version the person was looking at (a change
//! made meanwhile is refused as STALE).

use base64::Engine as _;
use claimdesk_core::policy::Explanation;
use claimdesk_core::workflow::{Decision, Priority};
use claimdesk_core::ClaimAction;
use claimdesk_core::ClaimStatus;
use claimdesk_core::ReportType;
use claimdesk_store::claims::{ClaimDetail, InfoRequest, PersonalField, TimelineEntry, TriageChange};
use claimdesk_store::oplog::OpReceipt;
use claimdesk_store::policies::ReasonCatalog;
use tauri::AppHandle;

use crate::dto::EvidenceData;
use crate::error::ApiResult;
use crate::state::{blocking, AppState};

#[tauri::command]
pub async fn claim(app: AppHandle, external_id: String) -> ApiResult<ClaimDetail> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.claim(&external_id))).await
}

#[tauri::command]
pub async fn timeline(app: AppHandle, external_id: String) -> ApiResult<Vec<TimelineEntry>> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.timeline(&external_id))).await
}

#[tauri::command]
pub async fn explain(app: AppHandle, external_id: String) -> ApiResult<Explanation> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| store.explain(&external_id))).await
}

/// The actions (`take`, `recommend`, `approve`, ...) the signed-in user could take on the claim now.
#[tauri::command]
pub async fn allowed_actions(app: AppHandle, external_id: String) -> ApiResult<Vec<ClaimAction>> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.allowed_actions(actor, &external_id)))
        .await
}

#[tauri::command]
pub async fn triage(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    change: TriageChange,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.triage(actor, &external_id, base, change))
    })
    .await
}

#[tauri::command]
pub async fn take(app: AppHandle, external_id: String, base: Option<i64>) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.take(actor, &external_id, base))).await
}

#[tauri::command]
pub async fn release(app: AppHandle, external_id: String, base: Option<i64>) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.release(actor, &external_id, base)))
        .await
}

/// Asks for information citing a deficiency code of the policy in force (REASON_REQUIRED without one,
/// UNKNOWN_REASON for a code it lacks); the message goes beside the code. `due_on` (YYYY-MM-DD)
/// replaces the policy's window; `another` is a supervisor's further request (SECOND_REQUEST without).
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn request_info(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    code: Option<String>,
    message: String,
    due_on: Option<chrono::NaiveDate>,
    another: Option<bool>,
) -> ApiResult<OpReceipt> {
    let request = InfoRequest { due_on, another: another.unwrap_or(false) };
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| {
            store.request_info(actor, &external_id, base, code.as_deref(), &message, request)
        })
    })
    .await
}

/// Ticks a document of the policy's checklist as received (or takes the tick back).
#[tauri::command]
pub async fn check_document(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    document: String,
    received: bool,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.check_document(actor, &external_id, base, &document, received))
    })
    .await
}

/// Supervisor: closes an overdue claim as not cured (NOT_DUE before its due date has passed).
#[tauri::command]
pub async fn expire(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    note: String,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.expire(actor, &external_id, base, &note))
    })
    .await
}

/// Sets the report type (triage) while the report is open.
#[tauri::command]
pub async fn set_report_type(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    report_type: ReportType,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.set_report_type(actor, &external_id, base, report_type))
    })
    .await
}

/// Closes a non-damage report with a standard reply (a closure code of the catalog); DAMAGE_CLAIM for a damage claim.
#[tauri::command]
pub async fn close_no_damage(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    reply: String,
    note: String,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.close_no_damage(actor, &external_id, base, &reply, &note))
    })
    .await
}

/// Supervisor: reopens a closed non-damage report as a damage claim.
#[tauri::command]
pub async fn reopen(app: AppHandle, external_id: String, base: Option<i64>) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.reopen(actor, &external_id, base))).await
}

/// The reason catalog and the documents per category of the current incident's active policy.
#[tauri::command]
pub async fn reason_catalog(app: AppHandle) -> ApiResult<ReasonCatalog> {
    blocking(app, |s: &AppState| s.as_user(|store, _| store.reason_catalog(None))).await
}

#[tauri::command]
pub async fn info_received(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    note: String,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.info_received(actor, &external_id, base, &note))
    })
    .await
}

/// Records a recommendation; one that differs from the policy needs a justification (OVERRIDE_NEEDS_JUSTIFICATION).
#[tauri::command]
pub async fn recommend(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    decision: Decision,
    justification: Option<String>,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.recommend(actor, &external_id, base, decision, justification))
    })
    .await
}

#[tauri::command]
pub async fn add_note(app: AppHandle, external_id: String, body: String) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.add_note(actor, &external_id, &body)))
        .await
}

#[tauri::command]
pub async fn withdraw_note(app: AppHandle, external_id: String, note_op: String) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.withdraw_note(actor, &external_id, &note_op))
    })
    .await
}

#[tauri::command]
pub async fn annotate(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    priority: Option<Priority>,
    tags: Option<Vec<String>>,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.annotate(actor, &external_id, base, priority, tags))
    })
    .await
}

/// Shows one personal field unmasked; the reveal is written to the audit log.
#[tauri::command]
pub async fn reveal(app: AppHandle, external_id: String, field: PersonalField) -> ApiResult<Option<String>> {
    blocking(app, move |s: &AppState| s.as_user(|store, actor| store.reveal(actor, &external_id, field)))
        .await
}

/// Supervisor: who revealed which personal field, on which desktop, newest
/// first (at most `limit`): of one claim, or of all with `external_id` None.
/// Reveals sync, so this lists every desktop's once they are pulled.
#[tauri::command]
pub async fn reveals(
    app: AppHandle,
    external_id: Option<String>,
    limit: Option<u32>,
) -> ApiResult<Vec<claimdesk_store::reveals::RevealEntry>> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.reveals(actor, external_id.as_deref(), limit.unwrap_or(200)))
    })
    .await
}

/// Asks for a file (the open dialog, opened here: the webview names no
/// path) and attaches it to the claim; None when the person cancelled.
#[tauri::command]
pub async fn add_evidence(app: AppHandle, external_id: String) -> ApiResult<Option<OpReceipt>> {
    let handle = app.clone();
    blocking(app, move |s: &AppState| {
        let Some(path) = crate::dialogs::open_path(&handle, "Evidence", EVIDENCE_EXTENSIONS)? else {
            return Ok(None);
        };
        s.as_user(|store, actor| store.add_evidence(actor, &external_id, &path)).map(Some)
    })
    .await
}

/// What the evidence dialog offers (photos and PDFs, as the claim screen shows them).
const EVIDENCE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp", "pdf", "heic"];

#[tauri::command]
pub async fn read_evidence(app: AppHandle, external_id: String, sha256: String) -> ApiResult<EvidenceData> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, _| {
            let claim = store.claim(&external_id)?;
            let file = claim.evidence.iter().find(|e| e.sha256 == sha256).ok_or_else(|| {
                claimdesk_store::StoreError::NotFound(format!("evidence {sha256} of claim {external_id}"))
            })?;
            let bytes = store.read_evidence(&sha256)?;
            Ok(EvidenceData {
                sha256,
                mime: file.mime.clone(),
                base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            })
        })
    })
    .await
}

#[tauri::command]
pub async fn resolve_conflict(
    app: AppHandle,
    external_id: String,
    base: Option<i64>,
    to: ClaimStatus,
    note: String,
) -> ApiResult<OpReceipt> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.resolve_conflict(actor, &external_id, base, to, &note))
    })
    .await
}
