// Errors from the Rust core arrive as { code, message, explain }: a stable
// code the UI switches on, the English text (logs) and the message as a key
// and parameters, said here in the reader's language. Anything else (a thrown
// string, an Error) is made into the same shape.

import { hasMessage, translate } from './i18n/index';
import type { Locale } from './format';
import type { Message } from './bindings';

export interface AppError {
  code: string;
  message: string;
  explain?: Message;
}

function asMessage(v: unknown): Message | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  return typeof o.key === 'string' ? (o as unknown as Message) : undefined;
}

/** A core message in `locale`: its text with its parameters, labels and parts said in the same language. */
export function renderMessage(m: Message, locale: Locale): string {
  const params: Record<string, string> = { ...(m.params ?? {}) };
  for (const [name, key] of Object.entries(m.labels ?? {})) params[name] = hasMessage(key) ? translate(locale, key) : key;
  for (const [name, part] of Object.entries(m.parts ?? {})) if (part) params[name] = renderMessage(part, locale);
  if (!hasMessage(m.key)) {
    const shown = Object.entries(params).map(([k, v]) => `${k}=${v}`);
    return shown.length ? `${m.key} (${shown.join(', ')})` : m.key;
  }
  return translate(locale, m.key, params);
}

export function toAppError(err: unknown): AppError {
  if (err && typeof err === 'object') {
    const o = err as Record<string, unknown>;
    if (typeof o.code === 'string') {
      return { code: o.code, message: typeof o.message === 'string' ? o.message : '', explain: asMessage(o.explain) };
    }
    if (err instanceof Error) return { code: 'UNKNOWN', message: err.message };
  }
  if (typeof err === 'string') {
    // Tauri reports a missing command or a bad argument as a plain string.
    try {
      const parsed = JSON.parse(err);
      if (parsed && typeof parsed.code === 'string') {
        return { code: parsed.code, message: String(parsed.message ?? ''), explain: asMessage(parsed.explain) };
      }
    } catch {
      /* plain text */
    }
    return { code: 'UNKNOWN', message: err };
  }
  return { code: 'UNKNOWN', message: String(err) };
}

/**
 * What went wrong in the person's language: the core's message when it sent
 * one (with its parameters), else the code's headline. The English text is
 * a detail in English only, where it can add what the headline leaves out.
 */
export function describeError(err: unknown, locale: Locale): { code: string; title: string; detail: string } {
  const e = toAppError(err);
  const key = `error.${e.code}`;
  if (e.explain && hasMessage(e.explain.key)) return { code: e.code, title: renderMessage(e.explain, locale), detail: '' };
  if (!hasMessage(key)) return { code: e.code, title: e.message || translate(locale, 'common.unknownError'), detail: '' };
  // Without its parameters (a record older than messages), a code's text keeps its sentence and shows … for what it lacks.
  const title = translate(locale, key).replace(/\{\w+\}/g, '…');
  const detail = locale === 'en' && e.message && e.message !== title ? e.message : '';
  return { code: e.code, title, detail };
}

export function isCancelled(err: unknown): boolean {
  return toAppError(err).code === 'CANCELLED';
}
