// The current language, kept across restarts in localStorage, and t() that
// reads it so templates update when it changes.

import { translate, codeLabel, type Params } from './i18n/index';
import type { Locale } from './format';

const STORAGE_KEY = 'claimdesk.locale';

function initial(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'ko') return saved;
  } catch {
    /* no storage: Korean */
  }
  return 'ko';
}

export const lang = $state<{ current: Locale }>({ current: initial() });

export function setLocale(locale: Locale): void {
  lang.current = locale;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    /* ignore */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

export function t(key: string, params?: Params): string {
  return translate(lang.current, key, params);
}

/** Label of a code: label('status', 'in_review') → 심사 중. */
export function label(kind: string, code: string | null | undefined): string {
  return codeLabel(lang.current, kind, code);
}
