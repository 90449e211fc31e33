// Window math for the virtualized queue: which rows to put in the DOM for a
// scroll position, and where. Browsers cap an element's height (WebKit and
// Chromium near 33 million px, Firefox near 17 million), and a million rows of
// 32 px is 32 million, so past MAX_SCROLL_PX the scroll range is compressed:
// the scrollbar maps linearly onto the rows, and the rows are drawn at their
// natural height around the viewport.

export const MAX_SCROLL_PX = 8_000_000;

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  overscan?: number;
  maxScrollPx?: number;
}

export interface RowWindow {
  /** First row index to render (inclusive). */
  start: number;
  /** One past the last row index to render. */
  end: number;
  /** Top of row `start`, in px from the top of the scroll content. */
  offsetY: number;
  /** Height of the scroll content, px. */
  scrollHeight: number;
  /** The first row whose top is at or above the viewport's top. */
  first: number;
}

export function scrollHeightFor(total: number, rowHeight: number, maxScrollPx = MAX_SCROLL_PX): number {
  return Math.min(Math.max(0, total) * rowHeight, maxScrollPx);
}

/** The position in the full (uncompressed) list that a scrollTop stands for. */
export function realTopFor(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, maxScrollPx = MAX_SCROLL_PX): number {
  const realHeight = Math.max(0, total) * rowHeight;
  const virtualHeight = scrollHeightFor(total, rowHeight, maxScrollPx);
  const maxScroll = Math.max(0, virtualHeight - viewportHeight);
  const realMax = Math.max(0, realHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  if (maxScroll === 0) return 0;
  if (virtualHeight === realHeight) return top;
  return (top * realMax) / maxScroll;
}

/** The scrollTop at which the full-list position realTop is at the viewport's top. */
export function scrollTopFor(realTop: number, viewportHeight: number, rowHeight: number, total: number, maxScrollPx = MAX_SCROLL_PX): number {
  const realHeight = Math.max(0, total) * rowHeight;
  const virtualHeight = scrollHeightFor(total, rowHeight, maxScrollPx);
  const maxScroll = Math.max(0, virtualHeight - viewportHeight);
  const realMax = Math.max(0, realHeight - viewportHeight);
  const top = Math.min(Math.max(0, realTop), realMax);
  if (realMax === 0) return 0;
  if (virtualHeight === realHeight) return top;
  return (top * maxScroll) / realMax;
}

export function computeWindow(input: WindowInput): RowWindow {
  const { viewportHeight, rowHeight, total } = input;
  const overscan = input.overscan ?? 6;
  const maxPx = input.maxScrollPx ?? MAX_SCROLL_PX;
  const scrollHeight = scrollHeightFor(total, rowHeight, maxPx);
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, offsetY: 0, scrollHeight: 0, first: 0 };
  const maxScroll = Math.max(0, scrollHeight - viewportHeight);
  const scrollTop = Math.min(Math.max(0, input.scrollTop), maxScroll);
  const realTop = realTopFor(scrollTop, viewportHeight, rowHeight, total, maxPx);
  const first = Math.min(total - 1, Math.floor(realTop / rowHeight));
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + visible + overscan);
  // Row `first` is drawn so that the viewport's top cuts it where realTop does.
  const offsetY = scrollTop - (realTop - start * rowHeight);
  return { start, end, offsetY, scrollHeight, first };
}

/**
 * The scrollTop that brings row `index` fully into view, changing as little
 * as possible (keyboard navigation): unchanged when it is already visible.
 */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number, total: number, maxScrollPx = MAX_SCROLL_PX): number {
  if (total <= 0) return 0;
  const i = Math.min(Math.max(0, index), total - 1);
  const realTop = realTopFor(scrollTop, viewportHeight, rowHeight, total, maxScrollPx);
  const rowTop = i * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < realTop) return scrollTopFor(rowTop, viewportHeight, rowHeight, total, maxScrollPx);
  if (rowBottom > realTop + viewportHeight) return scrollTopFor(rowBottom - viewportHeight, viewportHeight, rowHeight, total, maxScrollPx);
  return scrollTop;
}

/** Rows that fit in a viewport (for PageUp/PageDown). */
export function rowsPerPage(viewportHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewportHeight / rowHeight) - 1);
}
