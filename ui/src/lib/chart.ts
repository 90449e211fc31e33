// Chart.js, registered with only what the app draws. It draws on a canvas and
// sets no inline <style> or script, so it runs under the app's strict CSP.

import type { Theme } from './display';
import {
  Chart,
  BarController,
  LineController,
  DoughnutController,
  CategoryScale,
  LinearScale,
  BarElement,
  LineElement,
  PointElement,
  ArcElement,
  Tooltip,
  Legend,
  Filler,
} from 'chart.js';

Chart.register(BarController, LineController, DoughnutController, CategoryScale, LinearScale, BarElement, LineElement, PointElement, ArcElement, Tooltip, Legend, Filler);
/** The app's bundled Korean font first (see app.css), as on the rest of the screen. */
export const CHART_FONT_FAMILY = "'Noto Sans KR Variable', 'Noto Sans CJK KR', 'Malgun Gothic', 'Apple SD Gothic Neo', sans-serif";
Chart.defaults.font.family = CHART_FONT_FAMILY;
Chart.defaults.font.size = 13;
Chart.defaults.color = '#374151';
Chart.defaults.animation = false;

/** A palette readable in daylight and for the common color-vision deficiencies (Okabe–Ito based). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#4B5563', '#F0E442', '#1D4ED8', '#7C3AED', '#065F46'];

/** For the high-contrast theme: the same hues, darker, each at least 4.5:1 against white. */
export const CONTRAST_PALETTE = ['#005A8C', '#B35C00', '#007A5E', '#A8467F', '#000000', '#9E3D00', '#5B2A86', '#8A6D00', '#1D4ED8', '#C2185B', '#4B5563'];

/** How charts are drawn in a theme. */
export interface ChartLook {
  text: string;
  grid: string;
  /** Outline of bars and slices. */
  outline: string;
  outlineWidth: number;
  fontSize: number;
  palette: string[];
  /** Whether a dataset's own colour is kept (the standard theme) or the theme's palette is used. */
  ownColours: boolean;
}

export function chartLook(theme: Theme): ChartLook {
  return theme === 'contrast'
    ? { text: '#000000', grid: '#595959', outline: '#000000', outlineWidth: 1.5, fontSize: 15, palette: CONTRAST_PALETTE, ownColours: false }
    : { text: '#374151', grid: '#e5e7eb', outline: '#ffffff', outlineWidth: 0, fontSize: 13, palette: PALETTE, ownColours: true };
}

/** WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
  return (x + 0.05) / (y + 0.05);
}

export { Chart };

/**
 * Resolves once the bundled font's slices for `text` are loaded. A canvas
 * draws with what is loaded at that moment and never redraws by itself, and
 * the font arrives in unicode-range slices loaded on demand: a chart drawn
 * before its labels' slices would keep fallback glyphs (empty boxes where no
 * system font has Hangul). Redraw when this resolves.
 */
export function fontsFor(text: string): Promise<unknown> {
  const fonts = globalThis.document?.fonts;
  if (!fonts || !text) return Promise.resolve();
  const size = `${Chart.defaults.font.size ?? 13}px`;
  return Promise.all([fonts.load(`${size} ${CHART_FONT_FAMILY}`, text), fonts.load(`bold ${size} ${CHART_FONT_FAMILY}`, text)]).catch(() => undefined);
}
