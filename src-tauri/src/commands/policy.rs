//! Compensation policy versions: read, check, add, activate (re-evaluating
//! every claim, with progress and cancel) and compare.

use claimdesk_core::message::Explain;
use claimdesk_core::policy::{Policy, PolicyDraft, PolicyError};
use claimdesk_core::Actor;
use claimdesk_store::evaluate::EvalSummary;
use claimdesk_store::policies::PolicyVersion;
use claimdesk_store::{Store, StoreError};
use tauri::ipc::Channel;
use tauri::AppHandle;

use super::report;
use crate::dto::{DraftCheck, ExamplePolicyInfo, PolicyCheck, PolicyMessage, Progress, WhatIfReport};
use crate::error::{ApiError, ApiResult};
use crate::state::{blocking, AppState};

/// Most changed claims a what-if report carries (all are counted).
const LISTED_CHANGES: usize = 1_000;

#[tauri::command]
pub async fn policy_versions(app: AppHandle) -> ApiResult<Vec<PolicyVersion>> {
    blocking(app, |s: &AppState| s.as_user(|store, _| store.policy_versions())).await
}

/// The TOML text of one version.
#[tauri::command]
pub async fn policy_toml(app: AppHandle, version: i64) -> ApiResult<String> {
    blocking(app, move |s: &AppState| s.as_user(|store, _| Ok(store.policy(version)?.to_toml()))).await
}

/// The policies shipped with ClaimDesk (the default and the final 2022
/// programme), to start a new version from.
#[tauri::command]
pub async fn example_policies(app: AppHandle) -> ApiResult<Vec<ExamplePolicyInfo>> {
    blocking(app, |s: &AppState| {
        s.user_id()?;
        Ok(example_list())
    })
    .await
}

pub fn example_list() -> Vec<ExamplePolicyInfo> {
    claimdesk_core::policy::EXAMPLE_POLICIES
        .iter()
        .map(|e| ExamplePolicyInfo {
            code: e.code.into(),
            name_ko: e.name_ko.into(),
            name_en: e.name_en.into(),
            toml: e.toml.into(),
        })
        .collect()
}

/// A policy error as a message with its line and column when it has them
/// (TOML errors), the parser's own words as the English text and the problem
/// in the reader's language (a TOML error's without its place, which the editor shows).
fn syntax_message(e: &PolicyError) -> PolicyMessage {
    let (line, column, message, explain) = match e {
        PolicyError::Toml(t) => (t.line, t.column, t.detail.clone(), t.problem()),
        other => (None, None, other.to_string(), other.message()),
    };
    PolicyMessage { line, column, code: e.code().into(), message, explain }
}

/// The editor's TOML view read into a draft with every problem at its field
/// (the draft even when it breaks rules, so the form follows the text).
pub fn draft_of_toml(text: &str) -> DraftCheck {
    match PolicyDraft::from_toml(text) {
        Ok((draft, problems)) => DraftCheck { draft: Some(draft), toml: None, problems, syntax: None },
        Err(e) => DraftCheck { draft: None, toml: None, problems: vec![], syntax: Some(syntax_message(&e)) },
    }
}

/// The editor's form written as TOML (through Policy::to_toml), when every
/// figure and time reads, with every problem at its field.
pub fn draft_to_toml(draft: &PolicyDraft) -> DraftCheck {
    let (policy, problems) = draft.to_policy();
    DraftCheck { draft: None, toml: policy.map(|p| p.to_toml()), problems, syntax: None }
}

#[tauri::command]
pub async fn policy_draft_of_toml(app: AppHandle, toml: String) -> ApiResult<DraftCheck> {
    blocking(app, move |s: &AppState| {
        s.user_id()?;
        Ok(draft_of_toml(&toml))
    })
    .await
}

#[tauri::command]
pub async fn policy_draft_to_toml(app: AppHandle, draft: PolicyDraft) -> ApiResult<DraftCheck> {
    blocking(app, move |s: &AppState| {
        s.user_id()?;
        Ok(draft_to_toml(&draft))
    })
    .await
}

/// Checks a policy text without storing it: syntax errors with their line,
/// rule errors with the line of the field they name when it can be found.
pub fn check_policy(text: &str) -> PolicyCheck {
    match Policy::from_toml(text) {
        Ok(_) => PolicyCheck { ok: true, messages: vec![] },
        Err(e) => {
            let mut message = syntax_message(&e);
            let line = match &e {
                PolicyError::Toml(_) => message.line,
                PolicyError::Invalid { field, .. } => {
                    // "cash.flat" or "bands[2].base": look for the last key as written.
                    let key = field
                        .rsplit(['.', ']'])
                        .find(|k| !k.is_empty())
                        .unwrap_or(field)
                        .trim_start_matches('[');
                    let key = key.split('[').next().unwrap_or(key);
                    let found = text.lines().position(|l| {
                        let l = l.trim_start();
                        l.starts_with(key) && l[key.len()..].trim_start().starts_with('=')
                    });
                    found.map(|i| i as u32 + 1)
                }
                PolicyError::DuplicateService(code) => {
                    text.lines().position(|l| l.contains(&format!("\"{code}\""))).map(|i| i as u32 + 1)
                }
            };
            message.line = line;
            PolicyCheck { ok: false, messages: vec![message] }
        }
    }
}

#[tauri::command]
pub async fn validate_policy(app: AppHandle, toml: String) -> ApiResult<PolicyCheck> {
    blocking(app, move |s: &AppState| {
        s.user_id()?;
        Ok(check_policy(&toml))
    })
    .await
}

/// Supervisor: stores a new version (not active yet).
#[tauri::command]
pub async fn add_policy_version(app: AppHandle, toml: String, name: String, note: String) -> ApiResult<i64> {
    blocking(app, move |s: &AppState| {
        s.as_user(|store, actor| store.add_policy_version(actor, &toml, &name, &note))
    })
    .await
}

/// Supervisor: activates a version and re-evaluates every claim under it,
/// in one transaction; cancelled, the old version stays active.
#[tauri::command]
pub async fn activate_policy(
    app: AppHandle,
    version: i64,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<EvalSummary> {
    evaluating(app, job_id, on_progress, move |store, actor, progress| {
        store.activate_policy(actor, version, progress)
    })
    .await
}

/// A change that activates a policy version as a job: every claim re-evaluated
/// with progress on `on_progress`, cancelled by the job (the old version stays).
async fn evaluating<T: Send + 'static>(
    app: AppHandle,
    job_id: String,
    on_progress: Channel<Progress>,
    change: impl FnOnce(&mut Store, &Actor, &mut dyn FnMut(u64) -> bool) -> Result<T, StoreError> + Send + 'static,
) -> ApiResult<T> {
    blocking(app, move |s: &AppState| {
        let job = s.start_job(&job_id)?;
        let actor = s.actor()?;
        let mut store = s.open_worker()?;
        let total = store.claim_count()?;
        report(&on_progress, &job.id, "evaluate", 0, Some(total), None);
        let out = change(&mut store, &actor, &mut |done| {
            report(&on_progress, &job.id, "evaluate", done, Some(total), None);
            !job.is_cancelled()
        })?;
        report(&on_progress, &job.id, "done", total, Some(total), None);
        Ok(out)
    })
    .await
}

/// Both versions over every claim: totals, the difference per group, the changed claims.
#[tauri::command]
pub async fn what_if(app: AppHandle, before: i64, after: i64) -> ApiResult<WhatIfReport> {
    blocking(app, move |s: &AppState| {
        s.actor()?;
        let store = s.open_worker()?;
        let (a, b) = (store.policy(before)?, store.policy(after)?);
        let mut result = store.what_if(&a, &b)?;
        let changed_total = result.changed.len() as u64;
        result.changed.truncate(LISTED_CHANGES);
        Ok(WhatIfReport { before_version: before, after_version: Some(after), result, changed_total })
    })
    .await
}

/// Supervisor: the editor's unsaved draft (a policy text) against a saved
/// version, the active one when `before` is None; nothing is stored.
#[tauri::command]
pub async fn what_if_draft(app: AppHandle, before: Option<i64>, toml: String) -> ApiResult<WhatIfReport> {
    blocking(app, move |s: &AppState| {
        let actor = s.actor()?;
        let store = s.open_worker()?;
        let (before_version, mut result) = store.what_if_draft(&actor, before, &toml)?;
        let changed_total = result.changed.len() as u64;
        result.changed.truncate(LISTED_CHANGES);
        Ok(WhatIfReport { before_version, after_version: None, result, changed_total })
    })
    .await
}

impl From<PolicyError> for ApiError {
    fn from(e: PolicyError) -> ApiError {
        StoreError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_their_line() {
        let text = claimdesk_core::policy::Policy::default_2022().to_toml();
        assert!(check_policy(&text).ok);
        let broken = text.replacen('\n', "\nthis is = = not toml\n", 3);
        let check = check_policy(&broken);
        assert!(!check.ok);
        assert_eq!(check.messages[0].code, "POLICY_SYNTAX");
        assert!(check.messages[0].line.is_some(), "{:?}", check.messages);
        let line = check.messages[0].line.unwrap_or(0) as usize;
        assert!(broken.lines().nth(line - 1).unwrap_or("").contains("not toml"), "line {line}");
    }

    #[test]
    fn the_editor_reads_toml_into_a_draft_and_writes_the_form_back() {
        let text = Policy::default_2022().to_toml();
        let check = draft_of_toml(&text);
        let draft = check.draft.expect("reads");
        assert!(check.problems.is_empty() && check.syntax.is_none());
        let written = draft_to_toml(&draft);
        assert_eq!(written.toml.as_deref(), Some(text.as_str()), "form -> TOML is Policy::to_toml");

        // A rule broken: still a draft (the form follows), the problem at its field.
        let check = draft_of_toml(&text.replace("cap = 5000000", "cap = 0"));
        assert!(check.draft.is_some());
        assert_eq!(
            check.problems.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
            vec!["advertiser.cap"]
        );

        // Broken TOML: no draft, the error with its line.
        let broken = text.replacen("cap = 5000000", "cap = = 1", 1);
        let check = draft_of_toml(&broken);
        assert!(check.draft.is_none());
        let syntax = check.syntax.expect("syntax");
        assert_eq!(syntax.code, "POLICY_SYNTAX");
        let line = syntax.line.expect("line") as usize;
        assert!(broken.lines().nth(line - 1).unwrap_or("").contains("cap = = 1"), "line {line}");

        // A figure that does not read: no TOML, the field named.
        let mut d = draft;
        d.advertiser.cap = "x".into();
        let written = draft_to_toml(&d);
        assert!(written.toml.is_none());
        assert_eq!(written.problems[0].path, "advertiser.cap");
    }

    #[test]
    fn the_shipped_examples_are_offered_and_valid() {
        let list = example_list();
        assert_eq!(list.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["default-2022", "final-2022"]);
        assert!(list.iter().all(|e| check_policy(&e.toml).ok));
    }

    #[test]
    fn a_bad_segment_names_its_line() {
        let text = claimdesk_core::policy::FINAL_2022_POLICY_TOML.replace("amount = 150000", "amount = -1");
        let check = check_policy(&text);
        assert!(!check.ok);
        assert_eq!(check.messages[0].code, "POLICY_INVALID");
        assert!(
            check.messages[0].message.contains("taxi_driver.segments.segment[1].amount"),
            "{:?}",
            check.messages
        );
        let line = check.messages[0].line.expect("a line") as usize;
        assert!(text.lines().nth(line - 1).unwrap_or("").starts_with("amount"), "line {line}");
    }

    #[test]
    fn line_and_column_count_from_one() {
        use claimdesk_core::toml_text::line_col;
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn policy_problems_are_said_in_korean_with_their_field() {
        use claimdesk_core::message::Lang;
        let text = claimdesk_core::policy::FINAL_2022_POLICY_TOML.replace("amount = 150000", "amount = -1");
        let ko = check_policy(&text).messages[0].explain.render(Lang::Ko);
        assert_eq!(ko, "정책 항목 taxi_driver.segments.segment[1].amount: 0 이상이어야 합니다.");
        let missing = Policy::default_2022().to_toml().replacen("cap = 5000000\n", "", 1);
        let check = check_policy(&missing);
        assert_eq!(check.messages[0].explain.render(Lang::Ko), "필수 항목 ‘cap’이(가) 없습니다.");
        assert!(check.messages[0].line.is_some(), "{:?}", check.messages);
    }
}

/// Supervisor: extends the cure window of the current incident to `until`
/// (a new policy version, made active at once, its claims re-evaluated
/// with progress); every open request made on or before that day is due then.
#[tauri::command]
pub async fn extend_cure(
    app: AppHandle,
    until: chrono::NaiveDate,
    reason: String,
    job_id: String,
    on_progress: Channel<Progress>,
) -> ApiResult<i64> {
    evaluating(app, job_id, on_progress, move |store, actor, progress| {
        store.extend_cure(actor, None, until, &reason, progress)
    })
    .await
}
