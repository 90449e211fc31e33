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
Chart.defaults.font.family = "'Noto Sans CJK KR', 'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', sans-serif";
Chart.defaults.font.size = 13;
Chart.defaults.color = '#374151';
Chart.defaults.animation = false;

/** A palette readable in daylight and for the common color-vision deficiencies (Okabe–Ito based). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#4B5563', '#F0E442', '#1D4ED8', '#7C3AED', '#065F46'];

export { Chart };
