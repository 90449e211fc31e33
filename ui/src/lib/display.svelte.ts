// The display in force (zoom and theme), applied to the whole window: the
// theme as `data-theme` on <html> (app.css), the zoom as the webview's zoom
// (everything scales, layout included; in a plain browser, CSS zoom).

import { getCurrentWebview } from '@tauri-apps/api/webview';
import { DEFAULT_DISPLAY, parseStoredDisplay, type Display, type Theme, type Zoom } from './display';

const STORAGE_KEY = 'claimdesk.display';

function initial(): Display {
  try {
    return parseStoredDisplay(globalThis.localStorage?.getItem(STORAGE_KEY));
  } catch {
    return DEFAULT_DISPLAY;
  }
}

export const display = $state<Display>(initial());

function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** Applies `d` to the window and keeps it on this PC for the next start. */
export async function applyDisplay(d: Display): Promise<void> {
  display.zoom = d.zoom;
  display.theme = d.theme;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(d));
  } catch {
    /* no storage: this run only */
  }
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  root.dataset.theme = d.theme;
  root.dataset.zoom = String(d.zoom);
  if (inTauri()) {
    try {
      await getCurrentWebview().setZoom(d.zoom / 100);
      root.style.removeProperty('zoom');
      return;
    } catch (err) {
      // No webview zoom (the dev mock without window metadata): CSS zoom instead.
      console.warn('webview zoom unavailable, using CSS zoom', err);
    }
  }
  root.style.setProperty('zoom', String(d.zoom / 100));
}

/**
 * Applies a change of the signed-in user's display and saves what changed
 * as their settings (`save` is api.setSetting). A failure to save is thrown
 * after the window has changed (it still applies for this session).
 */
export async function changeDisplay(change: Partial<Display>, save: (key: 'zoom' | 'theme', value: string) => Promise<void>): Promise<void> {
  const before = { zoom: display.zoom, theme: display.theme };
  const next: Display = { zoom: change.zoom ?? before.zoom, theme: change.theme ?? before.theme };
  await applyDisplay(next);
  if (next.zoom !== before.zoom) await save('zoom', String(next.zoom));
  if (next.theme !== before.theme) await save('theme', next.theme);
}

export type { Display, Theme, Zoom };
