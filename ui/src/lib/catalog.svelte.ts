// The service catalog (codes and Korean names), loaded once after sign-in.

import * as api from './api';
import { lang } from './i18n.svelte';
import { hasMessage, translate } from './i18n/index';
import { DEFAULT_SERVICES } from './labels';

export const catalogState = $state<{ services: { code: string; name: string }[]; loaded: boolean }>({
  services: DEFAULT_SERVICES.map((code) => ({ code, name: translate('ko', `service.${code}`) })),
  loaded: false,
});

export async function loadCatalog(): Promise<void> {
  if (catalogState.loaded) return;
  const c = await api.catalog();
  catalogState.services = c.service.map((s) => ({ code: s.code, name: s.name }));
  catalogState.loaded = true;
}

/** A service's name: the catalog's Korean name in Korean, the English label when this UI has one. */
export function serviceLabel(code: string | null | undefined): string {
  if (!code) return '–';
  const key = `service.${code}`;
  if (lang.current === 'en' && hasMessage(key)) return translate('en', key);
  const fromCatalog = catalogState.services.find((s) => s.code === code);
  if (fromCatalog) return fromCatalog.name;
  return hasMessage(key) ? translate(lang.current, key) : code;
}
