// Toasts: short messages at the corner; errors stay until dismissed.

import { describeError, isCancelled } from './errors';
import { lang, t } from './i18n.svelte';
import { session } from './session.svelte';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  title: string;
  detail?: string;
  code?: string;
}

export const toasts = $state<{ list: Toast[] }>({ list: [] });
let nextId = 1;

export function dismiss(id: number): void {
  toasts.list = toasts.list.filter((t) => t.id !== id);
}

/** The newest `n` toasts, errors first to be kept (they stay until dismissed). */
function lastFew(list: Toast[], n: number): Toast[] {
  const errors = list.filter((o) => o.kind === 'error').slice(-n);
  const others = list.filter((o) => o.kind !== 'error');
  const room = Math.max(0, n - errors.length);
  const keep = new Set([...errors, ...others.slice(others.length - room)]);
  return list.filter((o) => keep.has(o));
}

function push(t: Omit<Toast, 'id'>, ttlMs: number | null): number {
  const id = nextId++;
  // A repeated confirmation replaces the previous one instead of stacking
  // over the form the person is working in; errors always stay.
  const kept = t.kind === 'error' ? toasts.list : toasts.list.filter((o) => o.kind === 'error' || o.title !== t.title);
  toasts.list = [...lastFew(kept, 3), { ...t, id }];
  if (ttlMs !== null) setTimeout(() => dismiss(id), ttlMs);
  return id;
}

export function notify(title: string, kind: 'info' | 'success' = 'success'): number {
  return push({ kind, title }, 3000);
}

/** Reports a failed action; a job the person cancelled is a notice, not an error. */
export function notifyError(err: unknown): number {
  if (isCancelled(err)) return notify(t('progress.cancelled'), 'info');
  const d = describeError(err, lang.current);
  // The core no longer knows who is signed in (restarted, signed out elsewhere): back to sign-in.
  if (d.code === 'NOT_SIGNED_IN' && session.user) session.expired = true;
  return push({ kind: 'error', title: d.title, detail: d.detail, code: d.code }, null);
}

/**
 * Runs an action with a pending flag, reporting a failure as an error toast.
 * The flag is always cleared, so no button stays disabled after an error.
 */
export async function run<T>(setPending: (p: boolean) => void, action: () => Promise<T>): Promise<T | undefined> {
  setPending(true);
  try {
    return await action();
  } catch (err) {
    notifyError(err);
    return undefined;
  } finally {
    setPending(false);
  }
}
