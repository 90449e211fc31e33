import type { Message } from './bindings';
import type { Locale } from './format';
import { renderMessage } from './errors';
import { hasMessage } from './i18n/index';

// A quarantined row's message, "line 812, 연락처: '010-12-5678' is not a Korean
// mobile number; 성명: empty, but a name is required", as (column, message) pairs.

export interface RowProblem {
  column: string;
  message: string;
}

export function splitQuarantineMessage(message: string): RowProblem[] {
  const body = message.replace(/^\s*line\s+\d+\s*,\s*/i, '');
  if (!body.trim()) return [];
  return body.split(/;\s+/).map((part) => {
    const i = part.indexOf(': ');
    if (i <= 0) return { column: '', message: part.trim() };
    return { column: part.slice(0, i).trim(), message: part.slice(i + 2).trim() };
  });
}

/**
 * The problems of a quarantined row in `locale`, each under its column as the
 * file named it: said from the core's message key and parameters, else (rows
 * quarantined by an older version) from its code's text or its English message.
 */
export function problemsOf(
  entry: { message: string; problems?: { column: string; code?: string; message: string; explain?: Message | null }[] | null },
  locale: Locale = 'ko',
): RowProblem[] {
  if (entry.problems && entry.problems.length) {
    return entry.problems.map((p) => ({
      column: p.column,
      message: p.explain && hasMessage(p.explain.key) ? renderMessage(p.explain, locale) : p.message,
    }));
  }
  return splitQuarantineMessage(entry.message);
}
