// Typed wrappers for every ClaimDesk command (src-tauri/src/commands).
// Types come from ./bindings, generated from the Rust types (scripts/bindings.sh).
// Every call rejects with an ApiError `{ code, message }`: switch on `code`,
// show `message` (it is written for a person).
//
// Long jobs (import, demo data, policy activation, bulk actions, payout
// export) take a `Job`: progress arrives through a Channel<Progress>, and
// `cancelJob(job.id)` asks the job to stop (it then rejects with CANCELLED).
import { Channel, invoke } from '@tauri-apps/api/core';
import type {
  KeychainStatus,
  NoticeCounts,
  NoticeExport,
  NoticeRow,
  ApiError,
  ApprovalReport,
  BatchBuild,
  BatchInfo,
  BatchReview,
  BulkAction,
  BulkReport,
  Catalog,
  ChainReport,
  ClaimDetail,
  ClaimStatus,
  Decision,
  DueCounts,
  EvalSummary,
  EvidenceData,
  Explanation,
  FirstRunState,
  FulfilmentConfirm,
  FulfilmentExport,
  DeliveryRow,
  HistoryRow,
  ImportSummary,
  Incident,
  IncidentInfo,
  OpLine,
  OpReceipt,
  PayoutConfirm,
  PayoutExport,
  PersonalField,
  PolicyCheck,
  DraftCheck,
  PolicyDraft,
  ExamplePolicyInfo,
  PolicyVersion,
  Priority,
  Progress,
  QuarantineEntry,
  QueueFilter,
  QueuePage,
  QueueRow,
  ReasonCatalog,
  ReportType,
  RevealEntry,
  Role,
  SavedView,
  SeriesKey,
  SeriesPoint,
  Service,
  SessionUser,
  Sort,
  StartupReport,
  Stats,
  Throughput,
  TimelineEntry,
  TriageChange,
  User,
  UserUpdate,
  WhatIfReport,
} from './bindings';

export type * from './bindings';

/** True for the `{ code, message }` errors every command rejects with. */
export function isApiError(e: unknown): e is ApiError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

/** Any rejection as an ApiError (a non-API failure becomes code UNKNOWN). */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'UNKNOWN', message, explain: { key: 'error.UNKNOWN', params: { detail: message } } };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

// ---------------------------------------------------------------- jobs

/** A long job: its id (for cancelJob) and the progress callback. */
export interface Job {
  id: string;
  onProgress?: (p: Progress) => void;
}

/** A new job with a fresh id. */
export function newJob(onProgress?: (p: Progress) => void): Job {
  const id = globalThis.crypto?.randomUUID?.() ?? `job-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return { id, onProgress };
}

function channel(job: Job): Channel<Progress> {
  const c = new Channel<Progress>();
  c.onmessage = (p) => job.onProgress?.(p);
  return c;
}

function jobArgs(job: Job): Record<string, unknown> {
  return { jobId: job.id, onProgress: channel(job) };
}

/** Asks a running job to stop; false when no such job runs. */
export const cancelJob = (jobId: string) => call<boolean>('cancel_job', { jobId });

// ---------------------------------------------------------------- session and first run

export const firstRunState = () => call<FirstRunState>('first_run_state');
/** First run only: sets the first admin's password (8+ characters) and signs in. */
export const createFirstAdmin = (password: string) => call<SessionUser>('create_first_admin', { password });
/** Wrong user or password rejects with SIGN_IN_FAILED (one message for both). */
export const signIn = (user: string, password: string) => call<SessionUser>('sign_in', { user, password });
/** Admin only: the recovery key made with the store, until they confirm keeping it (decision 0009). */
export const pendingRecoveryKey = () => call<string | null>('pending_recovery_key');
export const confirmRecoveryKey = () => call<void>('confirm_recovery_key');
/** Forgot the admin password: the recovery key opens the locked store and sets a new password. */
/** Whether this PC's keychain can open the store (decision 0009); admins turn it on or off. */
export const keychainStatus = () => call<KeychainStatus>('keychain_status');
export const setKeychain = (enabled: boolean) => call<KeychainStatus>('set_keychain', { enabled });
export const recoverWithKey = (recoveryKey: string, user: string, password: string) =>
  call<SessionUser>('recover_with_key', { recoveryKey, user, password });
export const signOut = () => call<void>('sign_out');
export const currentUser = () => call<SessionUser | null>('current_user');
export const storeIsEmpty = () => call<boolean>('store_is_empty');
/** Admin, empty store: ~20,000 synthetic claims of the 2022 outage and the demo team (password DEMO_PASSWORD). */
export const loadDemoData = (job: Job, count?: number) =>
  call<ImportSummary>('load_demo_data', { count: count ?? null, ...jobArgs(job) });
/** The demo team's password (demo data only). */
export const DEMO_PASSWORD = 'demo-2022';
/** Tell the app the first queue page is on screen (cold-start benchmark). */
export const uiReady = () => call<StartupReport | null>('ui_ready');

// ---------------------------------------------------------------- queue

export const queuePage = (filter: QueueFilter, sort: Sort, offset: number, limit: number) =>
  call<QueuePage>('queue_page', { filter, sort, offset, limit });
export const queueCount = (filter: QueueFilter) => call<number>('queue_count', { filter });
/** One action over EVERY claim the filter matches (not only the page shown). */
export const bulkAction = (filter: QueueFilter, action: BulkAction, job: Job) =>
  call<BulkReport>('bulk_action', { filter, action, ...jobArgs(job) });
export const duplicateGroup = (externalId: string) => call<QueueRow[]>('duplicate_group', { externalId });
export const catalog = () => call<Catalog>('catalog');
export const savedViews = () => call<SavedView[]>('saved_views');
export const saveView = (name: string, filter: QueueFilter, sort: Sort) => call<SavedView>('save_view', { name, filter, sort });
export const deleteView = (name: string) => call<void>('delete_view', { name });

/** A filter that matches every claim. */
export function emptyFilter(): QueueFilter {
  return {
    statuses: [],
    categories: [],
    services: [],
    assignee: null,
    amount_min: null,
    amount_max: null,
    eligible: null,
    remedies: [],
    reasons: [],
    report_types: [],
    reason_codes: [],
    overrides_only: false,
    duplicates_only: false,
    tags: [],
    priority: null,
    batch_id: null,
    text: null,
    incident: null,
    due: null,
  };
}

// ---------------------------------------------------------------- one claim
// `base` is the claim's `version` as shown; a change made meanwhile rejects with STALE.

export const claim = (externalId: string) => call<ClaimDetail>('claim', { externalId });
export const timeline = (externalId: string) => call<TimelineEntry[]>('timeline', { externalId });
export const explain = (externalId: string) => call<Explanation>('explain', { externalId });
/** What the signed-in user may do to the claim now: 'triage', 'take', 'recommend', 'approve', ... */
export const allowedActions = (externalId: string) => call<string[]>('allowed_actions', { externalId });
export const triage = (externalId: string, base: number | null, change: TriageChange) =>
  call<OpReceipt>('triage', { externalId, base, change });
export const take = (externalId: string, base: number | null) => call<OpReceipt>('take', { externalId, base });
export const release = (externalId: string, base: number | null) => call<OpReceipt>('release', { externalId, base });
/**
 * Asks the claimant for information, citing a deficiency code of the policy's catalog (`code`); the message goes beside it.
 * `dueOn` (YYYY-MM-DD): the due date the notice states; null: the policy's cure window (days + mail days from today).
 * `another`: a further request after the claim's first (supervisors; without it a second one is refused with SECOND_REQUEST).
 */
export const requestInfo = (
  externalId: string,
  base: number | null,
  code: string | null,
  message: string,
  dueOn: string | null = null,
  another: boolean | null = null,
) => call<OpReceipt>('request_info', { externalId, base, code, message, dueOn, another });
/** Ticks (or unticks) one document of the claim's checklist (a code of `detail.documents`) as received. */
export const checkDocument = (externalId: string, base: number | null, document: string, received: boolean) =>
  call<OpReceipt>('check_document', { externalId, base, document, received });
/** Supervisor: closes an overdue claim as not cured (denied, reason NOT_CURED); before its due date NOT_DUE. */
export const expire = (externalId: string, base: number | null, note: string) =>
  call<OpReceipt>('expire', { externalId, base, note });
export const infoReceived = (externalId: string, base: number | null, note: string) =>
  call<OpReceipt>('info_received', { externalId, base, note });
/** An override (differs from the policy) needs a justification: else OVERRIDE_NEEDS_JUSTIFICATION. */
export const recommend = (externalId: string, base: number | null, decision: Decision, justification: string | null) =>
  call<OpReceipt>('recommend', { externalId, base, decision, justification });
export const addNote = (externalId: string, body: string) => call<OpReceipt>('add_note', { externalId, body });
export const withdrawNote = (externalId: string, noteOp: string) => call<OpReceipt>('withdraw_note', { externalId, noteOp });
export const annotate = (externalId: string, base: number | null, priority: Priority | null, tags: string[] | null) =>
  call<OpReceipt>('annotate', { externalId, base, priority, tags });
/** Unmasks one personal field; the reveal is audited. */
export const reveal = (externalId: string, field: PersonalField) => call<string | null>('reveal', { externalId, field });
/** Supervisor: who revealed which personal field, on which desktop, newest first; of one claim or (null) all. */
export const reveals = (externalId: string | null, limit: number) => call<RevealEntry[]>('reveals', { externalId, limit });
/** The app asks for the file in its own open dialog (the UI names no path); null when the person cancelled. */
export const addEvidence = (externalId: string) => call<OpReceipt | null>('add_evidence', { externalId });
/** The file as base64 with its media type: `data:${mime};base64,${base64}`. */
export const readEvidence = (externalId: string, sha256: string) => call<EvidenceData>('read_evidence', { externalId, sha256 });
/** Sets what the report is, while it is open. */
export const setReportType = (externalId: string, base: number | null, reportType: ReportType) =>
  call<OpReceipt>('set_report_type', { externalId, base, reportType });
/** Closes a non-damage report with a standard reply (a closure code of the catalog). */
export const closeNoDamage = (externalId: string, base: number | null, reply: string, note: string) =>
  call<OpReceipt>('close_no_damage', { externalId, base, reply, note });
/** Supervisor: a closed non-damage report is a damage claim after all (back to triaged). */
export const reopen = (externalId: string, base: number | null) => call<OpReceipt>('reopen', { externalId, base });
/** The reason catalog and documents per category of the current incident's active policy. */
export const reasonCatalog = () => call<ReasonCatalog>('reason_catalog');
export const resolveConflict = (externalId: string, base: number | null, to: ClaimStatus, note: string) =>
  call<OpReceipt>('resolve_conflict', { externalId, base, to, note });

// ---------------------------------------------------------------- incidents (src-tauri/src/commands/incident.rs)
// The queue, dashboard, batches and policy screens show the store's current incident.

export const incidents = () => call<IncidentInfo[]>('incidents');
export const currentIncident = () => call<IncidentInfo>('current_incident');
/** Anyone signed in: this desktop works in `id` from now on (audited, never synced); UNKNOWN_INCIDENT if not here. */
export const switchIncident = (id: string) => call<IncidentInfo>('switch_incident', { id });
/**
 * Supervisor or admin (else ROLE_NOT_ALLOWED): starts an incident and switches to it; returns its first (active) policy version.
 * `copyOf`: the incident whose active policy (and, when `services` is null, services) are copied. A taken or bad id: BAD_INCIDENT.
 */
export const createIncident = (incident: Incident, services: Service[] | null, copyOf: string | null) =>
  call<number>('create_incident', { incident, services, copyOf });
/** Supervisor or admin: an incident's name and dates (its services stay). */
export const updateIncident = (incident: Incident) => call<void>('update_incident', { incident });
/** The claimant's other claims (same phone or BRN) in every incident, identifiers masked. */
export const claimantHistory = (externalId: string) => call<HistoryRow[]>('claimant_history', { externalId });

// ---------------------------------------------------------------- batches and payout

/** Supervisor: a batch of the filter's recommended claims. */
export const createBatch = (name: string, filter: QueueFilter) => call<BatchBuild>('create_batch', { name, filter });
export const createBatchOf = (name: string, externalIds: string[]) => call<BatchBuild>('create_batch_of', { name, externalIds });
export const batches = () => call<BatchInfo[]>('batches');
export const batchReview = (batchId: string) => call<BatchReview>('batch_review', { batchId });
export const removeFromBatch = (externalId: string) => call<void>('remove_from_batch', { externalId });
export const returnToReviewer = (externalId: string, comment: string) => call<void>('return_to_reviewer', { externalId, comment });
/** Per-claim report: approved, closed_denied, and each refusal (e.g. MAKER_CHECKER) with its message. */
export const approveBatch = (batchId: string) => call<ApprovalReport>('approve_batch', { batchId });
/**
 * Admin: the app asks where in its own save dialog (the UI names no path); `format` adds .csv/.xlsx when missing.
 * null when the person cancelled the dialog. Claims are paid only on confirm.
 */
export const exportPayout = (format: 'csv' | 'xlsx' | null, job: Job) =>
  call<PayoutExport | null>('export_payout', { format, ...jobArgs(job) });
export const confirmPayout = (payoutId: number) => call<PayoutConfirm>('confirm_payout', { payoutId });
/** Admin: the file of an exported payout written again with the claims still reserved for it. */
export const rewritePayoutFile = (payoutId: number, format: 'csv' | 'xlsx' | null) =>
  call<PayoutExport | null>('rewrite_payout_file', { payoutId, format });
export const cancelPayout = (payoutId: number) => call<void>('cancel_payout', { payoutId });
/** Admin: every payout of this desktop, newest first (an exported one waits for its confirmation, also after a restart). */
export const payouts = () => call<DeliveryRow[]>('payouts');

// ---------------------------------------------------------------- fulfilment of non-cash grants

/**
 * Admin: the claims waiting for vouchers, extensions, points, credits or fee waivers (approved
 * with no cash, or paid) written one line per grant to a file the app asks for; fulfilled only on confirm.
 */
export const exportFulfilment = (format: 'csv' | 'xlsx' | null, job: Job) =>
  call<FulfilmentExport | null>('export_fulfilment', { format, ...jobArgs(job) });
export const confirmFulfilment = (fulfilmentId: number) =>
  call<FulfilmentConfirm>('confirm_fulfilment', { fulfilmentId });
/** Admin: the file of an exported fulfilment written again with the claims still reserved for it. */
export const rewriteFulfilmentFile = (fulfilmentId: number, format: 'csv' | 'xlsx' | null) =>
  call<FulfilmentExport | null>('rewrite_fulfilment_file', { fulfilmentId, format });
export const cancelFulfilment = (fulfilmentId: number) => call<void>('cancel_fulfilment', { fulfilmentId });
/** Admin: every fulfilment of this desktop, newest first (exported ones wait for confirmation). */
export const fulfilments = () => call<DeliveryRow[]>('fulfilments');

// ---------------------------------------------------------------- notices

/** Supervisors: claims whose claimant still has to hear of the decision. */
export const noticesDue = (limit: number) => call<NoticeRow[]>('notices_due', { limit });
/** Supervisors: the notices sent, newest first. */
export const noticesSent = (limit: number) => call<NoticeRow[]>('notices_sent', { limit });
export const noticeCounts = () => call<NoticeCounts>('notice_counts');
/** Requests for information of the current incident by where their due date stands (open, reminder due, overdue). */
export const dueCounts = () => call<DueCounts>('due_counts');
/** Asks for a folder (the app's own dialog), writes every due notice there (PDFs, send.csv) and records each; null: cancelled. */
export const exportNotices = (job: Job) => call<NoticeExport | null>('export_notices', { ...jobArgs(job) });
/** Saves one claim's letter as a PDF (save dialog) and records the notice; null: cancelled. */
export const saveNotice = (externalId: string, base: number, resend: boolean) =>
  call<OpReceipt | null>('save_notice', { externalId, base, resend });

// ---------------------------------------------------------------- policy

export const policyVersions = () => call<PolicyVersion[]>('policy_versions');
export const policyToml = (version: number) => call<string>('policy_toml', { version });
/** Checks a policy text; messages carry 1-based line (and column) when known. */
export const validatePolicy = (toml: string) => call<PolicyCheck>('validate_policy', { toml });
export const addPolicyVersion = (toml: string, name: string, note: string) =>
  call<number>('add_policy_version', { toml, name, note });
/** Supervisor: activates and re-evaluates every claim; cancelled, the old version stays active. */
export const activatePolicy = (version: number, job: Job) => call<EvalSummary>('activate_policy', { version, ...jobArgs(job) });
/**
 * Supervisor: extends the cure window to `until` (YYYY-MM-DD), moving every open due date: a new active policy
 * version (its `[cure] extended_until`), every claim re-evaluated with progress. Returns the new version.
 */
export const extendCure = (until: string, reason: string, job: Job) =>
  call<number>('extend_cure', { until, reason, ...jobArgs(job) });
export const whatIf = (before: number, after: number) => call<WhatIfReport>('what_if', { before, after });
/** The editor's TOML view read into a form draft, every problem at its field; a syntax error with its line. */
export const policyDraftOfToml = (toml: string) => call<DraftCheck>('policy_draft_of_toml', { toml });
/** The editor's form written as TOML through Rust (Policy::to_toml), every problem at its field. */
export const policyDraftToToml = (draft: PolicyDraft) => call<DraftCheck>('policy_draft_to_toml', { draft });
/** Supervisor: the unsaved draft against a saved version (the active one when null); nothing is stored. */
export const whatIfDraft = (before: number | null, toml: string) => call<WhatIfReport>('what_if_draft', { before, toml });
/** The policies shipped with ClaimDesk (the default and the final 2022 programme), to start a version from. */
export const examplePolicies = () => call<ExamplePolicyInfo[]>('example_policies');

// ---------------------------------------------------------------- import

/**
 * Admin: imports a CSV/XLSX intake file; bad rows go to the quarantine. Re-import a fixed quarantine export the same way.
 * `update`: apply rows whose claim is already stored with other content (audited) instead of listing them as conflicts.
 */
export const importFile = (job: Job, update = false) => call<ImportSummary>('import_file', { update, ...jobArgs(job) });
/** Admin: the app asks for the intake file in its own open dialog; its name to show, or null when cancelled. */
export const chooseIntakeFile = () => call<string | null>('choose_intake_file');
/** Admin: the quarantined rows, whole. */
export const quarantine = (openOnly: boolean) => call<QuarantineEntry[]>('quarantine', { openOnly });
/**
 * Admin: the app asks where in its own save dialog, then writes the open quarantined rows (CSV) to fix and re-import
 * (audited); the row count, or null when the person cancelled the dialog.
 */
export const exportQuarantine = () => call<number | null>('export_quarantine');

// ---------------------------------------------------------------- dashboard

export const stats = () => call<Stats>('stats');
export const claimsSeries = (key: SeriesKey) => call<SeriesPoint[]>('claims_series', { key });
export const throughput = (days: number) => call<Throughput[]>('throughput', { days });
export const recentOps = (limit: number) => call<OpLine[]>('recent_ops', { limit });
export const verifyAudit = () => call<ChainReport>('verify_audit');

// ---------------------------------------------------------------- users and settings

export const users = () => call<User[]>('users');
export const createUser = (id: string, displayName: string, role: Role, approvalLimit: number | null, password: string | null) =>
  call<User>('create_user', { id, displayName, role, approvalLimit, password });
export const updateUser = (id: string, update: Partial<UserUpdate>) =>
  call<void>('update_user', { id, update: { clear_limit: false, ...update } });
/** Admin for anyone, anyone for themselves; 8+ characters. */
export const setPassword = (user: string, password: string) => call<void>('set_password', { user, password });
export const settings = () => call<Record<string, string>>('settings');
/** `language`: 'ko' | 'en'; `theme`: 'standard' | 'contrast'; `zoom`: '80' … '200' (lib/display.ts). */
export const setSetting = (key: 'language' | 'theme' | 'zoom', value: string) => call<void>('set_setting', { key, value });

// ---------------------------------------------------------------- sync (src-tauri/src/commands/sync.rs)

import type {
  ConflictView,
  LeaseInfo,
  ParkedView,
  ServerAccount,
  SyncOutcome,
  SyncSettings,
  SyncStatusView,
} from './bindings';

/** The event the app sends whenever the sync status changes (payload: SyncStatusView). */
export const SYNC_STATUS_EVENT = 'sync-status';
export const syncStatus = () => call<SyncStatusView>('sync_status');
export const syncSettings = () => call<SyncSettings>('sync_settings');
/** Signs this desktop in to the sync server; the device token is kept in the store. */
/** SERVER_CHANGED when the address or the server's identity differs from the one this desktop trusts: an administrator resends with `confirmChange`. */
export const syncSignIn = (serverUrl: string, caFile: string | null, user: string, password: string, confirmChange = false) =>
  call<ServerAccount>('sync_sign_in', { serverUrl, caFile, user, password, confirmChange });
/** True when the server ended the token (it answered); false: forgotten here, it ends at its expiry. */
export const syncSignOut = () => call<boolean>('sync_sign_out');
/** One sync now: progress phases `push` then `pull` (done/total of the ops after the cursor); SYNC_RUNNING while another runs. */
export const syncNow = (job: Job) => call<SyncOutcome>('sync_now', { ...jobArgs(job) });
export const parkedOps = () => call<ParkedView[]>('parked_ops');
export const retryParked = (opId: string) => call<void>('retry_parked', { opId });
/** The change stays in the log; the dismissal is audited with the note. */
export const dismissParked = (opId: string, note: string) => call<void>('dismiss_parked', { opId, note });
export const syncConflicts = (all: boolean) => call<ConflictView[]>('sync_conflicts', { all });
/** Supervisor: the claim leaves the conflict in state `to` (refused for anyone else). */
export const settleConflict = (externalId: string, base: number | null, to: ClaimStatus, note: string) =>
  call<OpReceipt>('settle_conflict', { externalId, base, to, note });
/** Takes the given claims (or every claim of the filter) offline: a lease others see. */
export const takeOffline = (externalIds: string[] | null, filter: QueueFilter | null) =>
  call<number>('take_offline', { externalIds, filter });
export const releaseOffline = (externalIds: string[] | null, filter: QueueFilter | null) =>
  call<number>('release_offline', { externalIds, filter });
export const leaseHolders = (externalIds: string[]) => call<LeaseInfo[]>('lease_holders', { externalIds });
export const leases = (mine: boolean) => call<LeaseInfo[]>('leases', { mine });
/** A new desktop joins the team from the sign-in screen: server sign-in, then the session starts as that user. */
export const syncJoin = (serverUrl: string, caFile: string | null, user: string, password: string) =>
  call<SessionUser>('sync_join', { serverUrl, caFile, user, password });
