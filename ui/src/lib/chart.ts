// Chart.js, registered with only what the app draws. It draws on a canvas and
// sets no inline <style> or script, so it runs under the app's strict CSP.

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
