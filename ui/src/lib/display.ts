// How the window looks for the person signed in: the zoom (text and
// everything else, as a browser's zoom) and the theme (standard or high
// contrast). Both are per-user settings in the store (`zoom`, `theme`:
// crates/store prefs.rs); the last ones used are kept on this PC so the
// sign-in screen opens as the person left it.

/** Zoom levels offered, in percent (the store accepts exactly these). */
export const ZOOM_LEVELS = [80, 90, 100, 110, 125, 150, 175, 200] as const;
export type Zoom = (typeof ZOOM_LEVELS)[number];
export const DEFAULT_ZOOM: Zoom = 100;

/** Themes offered (the store accepts exactly these). */
export const THEMES = ['standard', 'contrast'] as const;
export type Theme = (typeof THEMES)[number];
export const DEFAULT_THEME: Theme = 'standard';

export interface Display {
  zoom: Zoom;
  theme: Theme;
}

export const DEFAULT_DISPLAY: Display = { zoom: DEFAULT_ZOOM, theme: DEFAULT_THEME };

/** A stored zoom ("125"), or the default for anything else. */
export function parseZoom(value: string | null | undefined): Zoom {
  const n = Number(value);
  return (ZOOM_LEVELS as readonly number[]).includes(n) ? (n as Zoom) : DEFAULT_ZOOM;
}

/** A stored theme, or the default for anything else (also values of older versions). */
export function parseTheme(value: string | null | undefined): Theme {
  return (THEMES as readonly string[]).includes(value ?? '') ? (value as Theme) : DEFAULT_THEME;
}

/** The display of a user's settings (missing or unknown values: the defaults). */
export function displayFromSettings(settings: Record<string, string> | null | undefined): Display {
  return { zoom: parseZoom(settings?.zoom), theme: parseTheme(settings?.theme) };
}

/** The next zoom level up (+1) or down (-1), staying within the levels. */
export function stepZoom(zoom: Zoom, direction: 1 | -1): Zoom {
  const i = ZOOM_LEVELS.indexOf(zoom);
  const next = Math.min(ZOOM_LEVELS.length - 1, Math.max(0, (i < 0 ? ZOOM_LEVELS.indexOf(DEFAULT_ZOOM) : i) + direction));
  return ZOOM_LEVELS[next];
}

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** What a key press does to the zoom: Ctrl and +/=/- or 0 (as in browsers), else null. */
export function zoomKey(e: KeyLike): 'in' | 'out' | 'reset' | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  if (e.key === '+' || e.key === '=') return 'in';
  if (e.key === '-' || e.key === '_') return 'out';
  if (e.key === '0') return 'reset';
  return null;
}

/** The zoom after a zoom key. */
export function zoomAfterKey(zoom: Zoom, key: 'in' | 'out' | 'reset'): Zoom {
  return key === 'reset' ? DEFAULT_ZOOM : stepZoom(zoom, key === 'in' ? 1 : -1);
}

/** The display as kept on this PC (localStorage) between runs, or the defaults. */
export function parseStoredDisplay(text: string | null | undefined): Display {
  try {
    const v = JSON.parse(text ?? '');
    return { zoom: parseZoom(String(v?.zoom)), theme: parseTheme(v?.theme) };
  } catch {
    return DEFAULT_DISPLAY;
  }
}
