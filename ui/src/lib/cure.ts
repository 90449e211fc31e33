// The cure clock in words: a request for information's due date, how many
// days are left (or how many it is overdue), and the documents checklist's
// count. The clock itself (the due date, its state, days left) is Rust's
// (ClaimDetail.cure, QueueRow.due_on); this file only says it.

import type { DocumentDef, DueState } from './bindings';
import { translate } from './i18n/index';
import type { Locale } from './format';
import { DUE_STATES } from './labels';

const KST_OFFSET_MS = 9 * 3600_000;

/** Whether a text is a state of the cure clock. */
export function isDueState(v: unknown): v is DueState {
  return typeof v === 'string' && (DUE_STATES as string[]).includes(v);
}

/** Today's date in Korea (YYYY-MM-DD), the day due dates are counted in. */
export function kstToday(nowMs: number = Date.now()): string {
  return new Date(nowMs + KST_OFFSET_MS).toISOString().slice(0, 10);
}

/** A YYYY-MM-DD date `n` days later (earlier when negative). */
export function addDays(date: string, n: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) return date;
  return new Date(ms + n * 86_400_000).toISOString().slice(0, 10);
}

/** What days left reads as: "5일 남음" / "5 days left", "오늘 마감" / "Due today", "3일 경과" / "3 days overdue". */
export function daysLeftText(daysLeft: number, locale: Locale): string {
  const n = Math.trunc(daysLeft);
  if (n === 1) return translate(locale, 'cure.oneDayLeft');
  if (n > 1) return translate(locale, 'cure.daysLeft', { n });
  if (n === 0) return translate(locale, 'cure.dueToday');
  if (n === -1) return translate(locale, 'cure.oneDayOverdue');
  return translate(locale, 'cure.daysOverdue', { n: -n });
}

/** The badge class of a cure clock state (app.css has no state colours; the component styles these). */
export function dueTone(state: DueState): 'ok' | 'warn' | 'late' {
  return state === 'overdue' ? 'late' : state === 'reminder_due' ? 'warn' : 'ok';
}

export interface Checklist {
  /** Documents of the list ticked as received. */
  received: number;
  /** Documents the claim's category must send. */
  total: number;
  /** Every document received (and at least one asked for). */
  complete: boolean;
}

/** How many of the documents the claim must send are ticked (a tick of a code no longer listed does not count). */
export function checklist(documents: readonly Pick<DocumentDef, 'code'>[], received: readonly string[]): Checklist {
  const ticked = new Set(received);
  const n = documents.filter((d) => ticked.has(d.code)).length;
  return { received: n, total: documents.length, complete: documents.length > 0 && n === documents.length };
}

/** The checklist's count in words: "1 / 3 접수" / "1 of 3 received". */
export function checklistText(c: Checklist, locale: Locale): string {
  return translate(locale, 'claim.documentsReceived', { n: c.received, m: c.total });
}
