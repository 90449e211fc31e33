// The sync status the whole UI shares: kept current by the app's
// `sync-status` event (with a slow poll as a fallback), the one on-demand
// sync run with its progress, and who holds leases (for queue badges).

import { listen } from '@tauri-apps/api/event';
import * as api from './api';
import type { SyncStatusView, SyncOutcome } from './api';
import { notify, notifyError } from './toast.svelte';
import { t } from './i18n.svelte';

export const syncState = $state<{
  status: SyncStatusView | null;
  /** The on-demand run: phase, done, total. */
  run: { phase: string; done: number; total: number | null; jobId: string } | null;
  cancelling: boolean;
  lastOutcome: SyncOutcome | null;
  /** external id → lease holder. */
  leases: Map<string, string>;
  now: number;
}>({ status: null, run: null, cancelling: false, lastOutcome: null, leases: new Map(), now: Date.now() });

let started = false;
let lastCursor: number | null = null;

async function refreshLeases() {
  try {
    const list = await api.leases(false);
    syncState.leases = new Map(list.map((l) => [l.external_id, l.holder]));
  } catch {
    /* not signed in yet */
  }
}

function apply(s: SyncStatusView) {
  syncState.status = s;
  // New ops pulled: leases may have changed.
  if (lastCursor !== null && Number(s.cursor) !== lastCursor) void refreshLeases();
  lastCursor = Number(s.cursor);
}

export async function refreshStatus(): Promise<void> {
  try {
    apply(await api.syncStatus());
  } catch {
    /* the chrome keeps the last status */
  }
}

/** Starts listening (once, after sign-in). */
export async function startSyncStatus(): Promise<void> {
  if (started) return;
  started = true;
  await refreshStatus();
  await refreshLeases();
  try {
    await listen<SyncStatusView>(api.SYNC_STATUS_EVENT, (e) => apply(e.payload));
  } catch {
    /* outside Tauri (tests, mock): the poll below is enough */
  }
  setInterval(() => {
    syncState.now = Date.now();
    void refreshStatus();
  }, 30_000);
}

/** Syncs now (button or Ctrl+Shift+S); a second press while one runs does nothing. */
export async function syncNow(): Promise<SyncOutcome | null> {
  if (syncState.run) return null;
  const job = api.newJob((p) => {
    if (syncState.run) syncState.run = { ...syncState.run, phase: p.phase, done: Number(p.done), total: p.total === null ? null : Number(p.total) };
  });
  syncState.run = { phase: 'push', done: 0, total: null, jobId: job.id };
  syncState.cancelling = false;
  try {
    const outcome = await api.syncNow(job);
    syncState.lastOutcome = outcome;
    notify(t('syncx.done', { pushed: Number(outcome.pushed), pulled: Number(outcome.pulled) }));
    await refreshLeases();
    return outcome;
  } catch (err) {
    notifyError(err);
    return null;
  } finally {
    syncState.run = null;
    syncState.cancelling = false;
    await refreshStatus();
  }
}

export async function cancelSync(): Promise<void> {
  if (!syncState.run) return;
  syncState.cancelling = true;
  try {
    await api.cancelJob(syncState.run.jobId);
  } catch (err) {
    notifyError(err);
  }
}

export { refreshLeases };

/** Ctrl+Shift+S (⌘⇧S) anywhere: sync now. */
export function isSyncShortcut(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): boolean {
  return (e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === 's';
}
