import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  THEMES,
  ZOOM_LEVELS,
  displayFromSettings,
  parseStoredDisplay,
  parseTheme,
  parseZoom,
  stepZoom,
  zoomAfterKey,
  zoomKey,
} from '../lib/display';
import { dictionaries } from '../lib/i18n/index';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('display settings', () => {
  it('reads stored values and falls back to 100 % and the standard theme', () => {
    expect(displayFromSettings({ zoom: '150', theme: 'contrast' })).toEqual({ zoom: 150, theme: 'contrast' });
    expect(displayFromSettings({})).toEqual({ zoom: 100, theme: 'standard' });
    expect(displayFromSettings(undefined)).toEqual({ zoom: 100, theme: 'standard' });
    expect(parseZoom('133')).toBe(100);
    expect(parseZoom('')).toBe(100);
    // Values an older version allowed but never drew.
    expect(parseTheme('dark')).toBe('standard');
    expect(parseTheme('system')).toBe('standard');
  });

  it('steps through the zoom levels and stops at the ends', () => {
    expect(stepZoom(100, 1)).toBe(110);
    expect(stepZoom(110, 1)).toBe(125);
    expect(stepZoom(100, -1)).toBe(90);
    expect(stepZoom(200, 1)).toBe(200);
    expect(stepZoom(80, -1)).toBe(80);
  });

  it('maps Ctrl +, Ctrl -, Ctrl 0 to zoom in, out and reset', () => {
    expect(zoomKey({ key: '=', ctrlKey: true })).toBe('in');
    expect(zoomKey({ key: '+', ctrlKey: true })).toBe('in');
    expect(zoomKey({ key: '-', ctrlKey: true })).toBe('out');
    expect(zoomKey({ key: '0', ctrlKey: true })).toBe('reset');
    expect(zoomKey({ key: '0' })).toBeNull();
    expect(zoomKey({ key: '=', ctrlKey: true, altKey: true })).toBeNull();
    expect(zoomAfterKey(125, 'in')).toBe(150);
    expect(zoomAfterKey(125, 'reset')).toBe(100);
  });

  it('keeps the last display on this PC and survives garbage there', () => {
    expect(parseStoredDisplay(JSON.stringify({ zoom: 175, theme: 'contrast' }))).toEqual({ zoom: 175, theme: 'contrast' });
    expect(parseStoredDisplay('not json')).toEqual({ zoom: 100, theme: 'standard' });
    expect(parseStoredDisplay(null)).toEqual({ zoom: 100, theme: 'standard' });
  });

  it('offers exactly the values the store accepts', () => {
    const prefs = readFileSync(join(here, '../../../crates/store/src/prefs.rs'), 'utf8');
    const values = (key: string) => {
      const m = prefs.match(new RegExp(`\\("${key}", Some\\(&\\[([^\\]]*)\\]\\)\\)`));
      expect(m, `prefs.rs lists the values of ${key}`).not.toBeNull();
      return [...m![1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
    };
    expect(values('zoom')).toEqual(ZOOM_LEVELS.map(String));
    expect(values('theme')).toEqual([...THEMES]);
  });

  it('labels every theme in both languages', () => {
    for (const theme of THEMES) {
      expect((dictionaries.ko as Record<string, string>)[`theme.${theme}`]).toBeTruthy();
      expect((dictionaries.en as Record<string, string>)[`theme.${theme}`]).toBeTruthy();
    }
  });

  it('gives the high-contrast theme its own colours in app.css', () => {
    const css = readFileSync(join(here, '../app.css'), 'utf8');
    expect(css).toMatch(/:root\[data-theme='contrast'\]\s*\{[^}]*--text:\s*#000/);
  });
});

describe('charts in the high-contrast theme', () => {
  it('draw in colours that stand out on white, with black text and outlines', async () => {
    const { chartLook, contrastRatio, CONTRAST_PALETTE } = await import('../lib/chart');
    const look = chartLook('contrast');
    expect(look.palette).toBe(CONTRAST_PALETTE);
    expect(new Set(look.palette).size).toBe(look.palette.length);
    for (const c of look.palette) expect(contrastRatio(c, '#ffffff'), c).toBeGreaterThanOrEqual(4.5);
    expect(look.text).toBe('#000000');
    expect(look.outlineWidth).toBeGreaterThan(0);
    expect(look.ownColours).toBe(false);
    expect(chartLook('standard').ownColours).toBe(true);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
  });
});
