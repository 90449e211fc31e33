// The UI logic of sync, without Svelte: the chrome's status line, relative
// times ("3분 전"), what to do about a parked change, and the side-by-side
// model of a conflict. Pure functions of their inputs (tested in
// tests/syncModel.test.ts); the components only render what these return.

import { translate, codeLabel } from './i18n/index';
import { formatKstMs, formatCount, formatWon, type Locale } from './format';
import type { ConflictView, ConflictSide, SyncStatusView, ParkedView, ParkedAdvice } from './bindings';

export type Dot = 'off' | 'online' | 'offline' | 'unknown' | 'syncing' | 'error';

export interface StatusLine {
  dot: Dot;
  /** 온라인 / 오프라인 / 동기화 중 / 동기화 미설정 ... */
  state: string;
  /** "대기 3건" (null when sync is not set up). */
  waiting: string | null;
  /** "마지막 동기화 2026-11-24 17:20 (3분 전)" */
  last: string | null;
  parked: number;
  conflicts: number;
  /** The last sync's error code, when it failed. */
  error: string | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "방금", "3분 전", "2시간 전", "어제", "5일 전"; a time ahead of now counts as now. */
export function relativeTime(ms: number | null | undefined, nowMs: number, locale: Locale): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return translate(locale, 'syncx.never');
  const d = Math.max(0, nowMs - ms);
  if (d < MINUTE) return translate(locale, 'syncx.justNow');
  if (d < HOUR) return translate(locale, 'syncx.minutesAgo', { n: Math.floor(d / MINUTE) });
  if (d < DAY) return translate(locale, 'syncx.hoursAgo', { n: Math.floor(d / HOUR) });
  if (d < 2 * DAY) return translate(locale, 'syncx.yesterday');
  return translate(locale, 'syncx.daysAgo', { n: Math.floor(d / DAY) });
}

/** What the chrome shows for a status. */
export function statusLine(s: SyncStatusView | null, nowMs: number, locale: Locale): StatusLine {
  const tr = (k: string, p?: Record<string, string | number>) => translate(locale, k, p);
  if (!s || !s.configured) {
    return { dot: 'off', state: tr('sync.notConfigured'), waiting: null, last: null, parked: 0, conflicts: 0, error: null };
  }
  let dot: Dot;
  let state: string;
  if (s.running) {
    dot = 'syncing';
    state = tr('syncx.running');
  } else if (!s.signed_in) {
    dot = 'error';
    state = tr('syncx.signedOut');
  } else if (s.online === false) {
    dot = 'offline';
    state = tr('sync.offline');
  } else if (s.last_error && s.last_error.code !== 'SYNC_CANCELLED' && s.last_error.code !== 'SYNC_OFFLINE') {
    dot = 'error';
    state = tr('syncx.failed');
  } else if (s.online === true) {
    dot = 'online';
    state = tr('sync.online');
  } else {
    dot = 'unknown';
    state = tr('syncx.checking');
  }
  const last =
    s.last_sync_at_ms === null
      ? tr('sync.never')
      : `${tr('sync.lastSync', { when: formatKstMs(s.last_sync_at_ms) })} (${relativeTime(s.last_sync_at_ms, nowMs, locale)})`;
  return {
    dot,
    state,
    waiting: tr('syncx.waitingShort', { n: formatCount(s.pending) }),
    last,
    parked: Number(s.parked),
    conflicts: Number(s.conflicts),
    error: s.last_error?.code ?? null,
  };
}

/** The i18n key of each advice the Rust side gives (a new one fails svelte-check until it has a text). */
export const ADVICE_KEYS: Record<ParkedAdvice, string> = {
  clock: 'syncx.advice.clock',
  role: 'syncx.advice.role',
  superseded: 'syncx.advice.superseded',
  sign_in: 'syncx.advice.sign_in',
  fix_and_retry: 'syncx.advice.fix_and_retry',
  wait: 'syncx.advice.wait',
  refused_here: 'syncx.advice.refused_here',
  update: 'syncx.advice.update',
};

/** The i18n key of what to do about a parked change. */
export function parkedAdviceKey(p: Pick<ParkedView, 'advice'>): string {
  return ADVICE_KEYS[p.advice];
}

/** Progress of a sync run for a progress bar: push first, then pull (head known). */
export function syncPhaseLabel(phase: string, locale: Locale): string {
  const key = `syncx.phase.${phase}`;
  const text = translate(locale, key);
  return text === key ? phase : text;
}

// ------------------------------------------------------------ conflicts

/** The states a conflict can be resolved to (the core checks which are valid for the claim). */
export const RESOLUTION_TARGETS = ['triaged', 'in_review', 'needs_info', 'recommended', 'closed_denied'] as const;
export type ResolutionTarget = (typeof RESOLUTION_TARGETS)[number];

export interface SideColumn {
  opId: string;
  who: string;
  device: string;
  when: string;
  action: string;
  outcome: string;
  /** approve 300,000원 (현금) / deny: reason */
  decision: string | null;
  justification: string | null;
  holder: string | null;
  current: boolean;
  /** The state picking this side resolves to, or null when it cannot be picked as is. */
  pick: ResolutionTarget | null;
  /** Why it cannot be picked as is (i18n key). */
  pickNote: string | null;
}

export interface ConflictModel {
  externalId: string;
  columns: SideColumn[];
  /** Row labels where the sides differ: outcome, decision, holder. */
  differs: { outcome: boolean; decision: boolean; holder: boolean };
  joined: SideColumn[];
}

function decisionText(payload: unknown, locale: Locale): { text: string | null; justification: string | null } {
  const p = (payload ?? {}) as Record<string, unknown>;
  const d = p.decision as Record<string, unknown> | undefined;
  const justification = typeof p.justification === 'string' && p.justification.trim() ? p.justification : null;
  if (!d || typeof d !== 'object') return { text: null, justification };
  if (d.decision === 'approve') {
    const remedy = typeof d.remedy === 'string' ? codeLabel(locale, 'remedy', d.remedy) : '';
    const amount = d.amount === undefined || d.amount === null ? '' : formatWon(d.amount as string, locale);
    return { text: `${translate(locale, 'syncx.approve')} ${amount}${remedy ? ` (${remedy})` : ''}`.trim(), justification };
  }
  if (d.decision === 'deny') {
    const reason = typeof d.reason === 'string' ? codeLabel(locale, 'reason', d.reason) : '';
    return { text: `${translate(locale, 'syncx.deny')}${reason ? `: ${reason}` : ''}`, justification };
  }
  return { text: null, justification };
}

/** Which state picking a side resolves to. A recommendation can be kept only
 *  when it is the one the claim holds; otherwise the claim goes back to its
 *  reviewer (in review) to recommend again. */
export function pickFor(side: Pick<ConflictSide, 'kind' | 'to' | 'current'>): { pick: ResolutionTarget | null; note: string | null } {
  const to = side.to ?? '';
  if (to === 'recommended') {
    return side.current ? { pick: 'recommended', note: null } : { pick: 'in_review', note: 'syncx.pickNotCurrent' };
  }
  if (to === 'batched' || to === 'approved') return { pick: 'recommended', note: 'syncx.pickBatched' };
  if ((RESOLUTION_TARGETS as readonly string[]).includes(to)) {
    if ((to === 'in_review' || to === 'needs_info') && !side.current) return { pick: to as ResolutionTarget, note: 'syncx.pickHolder' };
    return { pick: to as ResolutionTarget, note: null };
  }
  return { pick: null, note: 'syncx.pickWrite' };
}

function column(side: ConflictSide, locale: Locale): SideColumn {
  const kind = side.kind.replace(/^claim\./, '');
  const actionKey = `action.${kind}`;
  const action = translate(locale, actionKey);
  const { text, justification } = decisionText(side.payload, locale);
  const { pick, note } = pickFor(side);
  return {
    opId: side.op_id,
    who: side.user,
    device: side.device,
    when: formatKstMs(Number(side.at_ms)),
    action: action === actionKey ? kind : action,
    outcome: side.to ? codeLabel(locale, 'status', side.to) : '–',
    decision: text,
    justification,
    holder: side.assignee ?? null,
    current: side.current,
    pick,
    pickNote: note,
  };
}

/** Two (or more) decisions side by side, with the rows where they differ. */
export function conflictModel(c: ConflictView, locale: Locale): ConflictModel {
  const columns = c.sides.map((s) => column(s, locale));
  const distinct = (f: (x: SideColumn) => string | null) => new Set(columns.map(f)).size > 1;
  return {
    externalId: c.external_id,
    columns,
    differs: { outcome: distinct((x) => x.outcome), decision: distinct((x) => x.decision), holder: distinct((x) => x.holder) },
    joined: c.joined.map((s) => column(s, locale)),
  };
}
