import { describe, expect, it } from 'vitest';
import { computeWindow, scrollToReveal, realTopFor, scrollTopFor, MAX_SCROLL_PX, rowsPerPage } from '../lib/virtual';

const ROW = 32;
const VIEW = 640; // 20 rows

describe('virtual list window', () => {
  it('renders only the visible rows plus a small overscan', () => {
    const w = computeWindow({ scrollTop: 0, viewportHeight: VIEW, rowHeight: ROW, total: 1_000_000, overscan: 5 });
    expect(w.start).toBe(0);
    expect(w.end).toBe(26); // 21 visible + 5 below
    expect(w.end - w.start).toBeLessThan(40);
  });

  it('renders the right rows in the middle of a small list', () => {
    const w = computeWindow({ scrollTop: 100 * ROW, viewportHeight: VIEW, rowHeight: ROW, total: 1000, overscan: 5 });
    expect(w.first).toBe(100);
    expect(w.start).toBe(95);
    expect(w.end).toBe(126);
    expect(w.offsetY).toBe(95 * ROW);
    expect(w.scrollHeight).toBe(1000 * ROW);
  });

  it('keeps the DOM small at any point of a million rows, and reaches the very last row', () => {
    const total = 1_000_000;
    const w0 = computeWindow({ scrollTop: 0, viewportHeight: VIEW, rowHeight: ROW, total });
    const maxScroll = w0.scrollHeight - VIEW;
    expect(w0.scrollHeight).toBeLessThanOrEqual(MAX_SCROLL_PX);
    for (const frac of [0.1, 0.5, 0.999]) {
      const w = computeWindow({ scrollTop: maxScroll * frac, viewportHeight: VIEW, rowHeight: ROW, total });
      expect(w.end - w.start).toBeLessThan(40);
      expect(w.first).toBeGreaterThan(total * frac - 100);
      expect(w.first).toBeLessThan(total * frac + 100);
    }
    const end = computeWindow({ scrollTop: maxScroll, viewportHeight: VIEW, rowHeight: ROW, total });
    expect(end.end).toBe(total);
    // The last row's bottom lands exactly on the viewport's bottom.
    const lastBottom = end.offsetY + (total - end.start) * ROW;
    expect(lastBottom).toBeCloseTo(maxScroll + VIEW, 3);
  });

  it('maps scroll positions and list positions both ways when compressed', () => {
    const total = 1_000_000;
    const real = 500_000 * ROW;
    const st = scrollTopFor(real, VIEW, ROW, total);
    expect(realTopFor(st, VIEW, ROW, total)).toBeCloseTo(real, 3);
  });

  it('draws nothing for an empty list and clamps a stale scroll position', () => {
    expect(computeWindow({ scrollTop: 500, viewportHeight: VIEW, rowHeight: ROW, total: 0 })).toMatchObject({ start: 0, end: 0 });
    const w = computeWindow({ scrollTop: 99999, viewportHeight: VIEW, rowHeight: ROW, total: 10 });
    expect(w.start).toBe(0);
    expect(w.end).toBe(10);
  });

  it('scrolls just enough to show the cursor row, and not at all when it is visible', () => {
    const total = 1000;
    expect(scrollToReveal(5, 0, VIEW, ROW, total)).toBe(0);
    // Row 20 is just below a 20-row viewport: scroll by one row.
    expect(scrollToReveal(20, 0, VIEW, ROW, total)).toBe(ROW);
    // Going up above the viewport puts the row at the top.
    expect(scrollToReveal(10, 50 * ROW, VIEW, ROW, total)).toBe(10 * ROW);
    expect(rowsPerPage(VIEW, ROW)).toBe(19);
  });

  it('reveals a row deep in a million-row list', () => {
    const total = 1_000_000;
    const st = scrollToReveal(765_432, 0, VIEW, ROW, total);
    const w = computeWindow({ scrollTop: st, viewportHeight: VIEW, rowHeight: ROW, total });
    expect(765_432).toBeGreaterThanOrEqual(w.start);
    expect(765_432).toBeLessThan(w.end);
  });
});
