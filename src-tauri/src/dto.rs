//! Types that exist only between the app and its UI (the store's own types
//! cross as they are). Every one is exported to TypeScript.

use std::collections::BTreeMap;

use claimdesk_core::policy::{PolicyDraft, PolicyProblem, WhatIf};
use claimdesk_core::workflow::Priority;
use claimdesk_core::{Category, Role};
use claimdesk_store::batches::ClaimRefusal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Progress of a long job, sent through a `Channel<Progress>`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Progress {
    pub job_id: String,
    /// What the job is doing now: "write_demo_file", "import", "evaluate", "bulk", "export", "done".
    pub phase: String,
    pub done: u64,
    /// None when the total is not known yet.
    pub total: Option<u64>,
    pub message: Option<String>,
}

/// The signed-in user.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionUser {
    pub id: String,
    pub display_name: String,
    pub role: Role,
    /// Won; None = no limit.
    pub approval_limit: Option<i64>,
    /// The user's settings, e.g. `language` = `ko` | `en`.
    pub settings: BTreeMap<String, String>,
}

/// Whether this PC's keychain may open the store (decision 0009).
#[derive(Debug, Clone, Serialize, TS)]
pub struct KeychainStatus {
    /// A keychain answers on this PC.
    pub available: bool,
    /// The store has a keychain slot: it opens at the app's start.
    pub enabled: bool,
    /// Why there is no keychain, as the platform said it.
    pub detail: Option<String>,
}

/// What the first screen needs to know.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FirstRunState {
    /// No user has a password yet: offer "create the admin password".
    pub needs_admin_password: bool,
    /// The store holds no claims: offer the demo data.
    pub store_is_empty: bool,
    /// The store is encrypted and not open yet: signing in opens it.
    pub locked: bool,
    /// The user id of the first admin (to show on the first-run screen).
    pub first_admin: String,
    pub store_path: String,
    /// Set when the store could not be opened (too new, unreadable): nothing else works.
    pub open_error: Option<crate::error::ApiError>,
}

/// One action over every claim of a filter.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkAction {
    /// Take every claim (assign to oneself).
    Take,
    /// Triage: new/triaged → triaged, with priority and category when given
    /// (tags are added with `AddTags`, never replaced in bulk).
    Triage { priority: Option<Priority>, category: Option<Category> },
    /// Change the priority without changing status.
    SetPriority { priority: Priority },
    /// Add tags to each claim; the tags it has stay (as on selected rows in the queue).
    AddTags { tags: Vec<String> },
    /// Supervisor: a new batch of the filter's recommended claims.
    AddToBatch { name: String },
    /// Set the report type of each claim (triage).
    SetReportType { report_type: claimdesk_core::ReportType },
    /// Close each non-damage report with the standard reply `reply` (a closure
    /// code of the catalog); damage claims and decided claims are refused and reported.
    CloseNoDamage { reply: String, note: String },
    /// Supervisor: close each claim whose request for information is overdue
    /// as not cured (NOT_CURED); a claim not yet due is refused and reported.
    Expire { note: String },
}

/// What a bulk action did.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct BulkReport {
    /// Claims the filter matched.
    pub matched: u64,
    pub applied: u64,
    /// Claims refused, with why (the first 200; `refused_total` counts all).
    pub refused: Vec<ClaimRefusal>,
    pub refused_total: u64,
    /// Set for add_to_batch.
    pub batch_id: Option<String>,
}

/// What an export of the due decision notices did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NoticeExport {
    /// The folder the PDFs and send.csv were written into.
    pub folder: String,
    /// Notices recorded as sent (one PDF each).
    pub recorded: u64,
    /// Lines of send.csv (claims with a phone number).
    pub sms_lines: u64,
    /// Notices the rules refused when recording (sent meanwhile elsewhere, changed since).
    pub refused: Vec<ClaimRefusal>,
    pub cancelled: bool,
    /// One line for people.
    pub summary: claimdesk_core::message::Message,
}

/// One problem of a policy text, with its place when known.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PolicyMessage {
    /// 1-based.
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub code: String,
    /// English (the parser's own words for a syntax error).
    pub message: String,
    /// The problem in the reader's language.
    pub explain: claimdesk_core::message::Message,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PolicyCheck {
    pub ok: bool,
    pub messages: Vec<PolicyMessage>,
}

/// The policy editor's draft, checked: the draft read from a TOML text, or
/// the TOML written from a draft whose figures all read; every problem at
/// its field; a text that does not read as a policy, with its line.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DraftCheck {
    pub draft: Option<PolicyDraft>,
    pub toml: Option<String>,
    pub problems: Vec<PolicyProblem>,
    pub syntax: Option<PolicyMessage>,
}

/// A what-if comparison; `changed` holds at most the first 1,000 changed claims.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WhatIfReport {
    pub before_version: i64,
    /// None: the editor's unsaved draft.
    pub after_version: Option<i64>,
    pub result: WhatIf,
    pub changed_total: u64,
}

/// A policy shipped with ClaimDesk, offered when a supervisor starts a new version.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExamplePolicyInfo {
    /// Stable code (`default-2022`, `final-2022`).
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    pub toml: String,
}

/// An evidence file's bytes, base64, with its media type.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EvidenceData {
    pub sha256: String,
    pub mime: String,
    pub base64: String,
}

/// A change to a user (admin).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// Set to change the limit; `clear_limit` removes it.
    pub approval_limit: Option<i64>,
    pub clear_limit: bool,
    pub active: Option<bool>,
}

/// The cold-start figure the UI's first rendered queue page closes.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StartupReport {
    /// From process start to the UI's report, ms.
    pub ready_ms: u64,
    /// Resident memory now and at its peak, KiB (Linux; 0 elsewhere).
    pub vm_rss_kib: u64,
    pub vm_hwm_kib: u64,
    pub claims: u64,
}
