// Errors from the Rust core arrive as { code, message }: a stable code the UI
// switches on and an English message a person can act on. Anything else
// (a thrown string, an Error) is made into the same shape.

import { hasMessage, translate } from './i18n/index';
import type { Locale } from './format';

export interface AppError {
  code: string;
  message: string;
}

export function toAppError(err: unknown): AppError {
  if (err && typeof err === 'object') {
    const o = err as Record<string, unknown>;
    if (typeof o.code === 'string') return { code: o.code, message: typeof o.message === 'string' ? o.message : '' };
    if (err instanceof Error) return { code: 'UNKNOWN', message: err.message };
  }
  if (typeof err === 'string') {
    // Tauri reports a missing command or a bad argument as a plain string.
    try {
      const parsed = JSON.parse(err);
      if (parsed && typeof parsed.code === 'string') return { code: parsed.code, message: String(parsed.message ?? '') };
    } catch {
      /* plain text */
    }
    return { code: 'UNKNOWN', message: err };
  }
  return { code: 'UNKNOWN', message: String(err) };
}

/** A headline in the person's language and the core's own message as detail (when it adds something). */
export function describeError(err: unknown, locale: Locale): { code: string; title: string; detail: string } {
  const e = toAppError(err);
  const key = `error.${e.code}`;
  const title = hasMessage(key) ? translate(locale, key) : e.message || translate(locale, 'common.unknownError');
  const detail = hasMessage(key) && e.message && e.message !== title ? e.message : '';
  return { code: e.code, title, detail };
}

export function isCancelled(err: unknown): boolean {
  return toAppError(err).code === 'CANCELLED';
}
