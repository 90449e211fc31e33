// Messages in Korean (default) and English. `ko` defines the UI's keys; `en`
// must have every one of them (the type says so, and i18n.test.ts checks it and
// every t('...') used in the source). The messages of the Rust core (errors,
// refusals, quarantine reasons: `error.*`, `problem.*`, ...) come from the
// core's own catalogs, which the CLI renders too: one text per message.

import { ko } from './ko';
import { en } from './en';
import coreKo from '../../../../crates/core/messages/ko.json';
import coreEn from '../../../../crates/core/messages/en.json';
import type { Locale } from '../format';

export type MessageKey = keyof typeof ko;
export const dictionaries: Record<Locale, Record<MessageKey, string>> = { ko, en };
/** The core's messages, by key. */
export const coreDictionaries: Record<Locale, Record<string, string>> = { ko: coreKo, en: coreEn };

export type Params = Record<string, string | number>;

/** The message for `key` in `locale` with {name} placeholders filled. Unknown keys come back as the key itself. */
export function translate(locale: Locale, key: string, params?: Params): string {
  const dict = dictionaries[locale] as Record<string, string>;
  let text = dict[key] ?? coreDictionaries[locale][key] ?? (dictionaries.ko as Record<string, string>)[key] ?? key;
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  }
  return text;
}

/** Whether a message exists (for labels of codes that may be new to this UI, e.g. a service added to the catalog). */
export function hasMessage(key: string): boolean {
  return key in dictionaries.ko || key in coreDictionaries.ko;
}

/** The label of a code (status, category, remedy, ...), or the code itself when this UI does not know it. */
export function codeLabel(locale: Locale, kind: string, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '–';
  const key = `${kind}.${code}`;
  return hasMessage(key) ? translate(locale, key) : code;
}
