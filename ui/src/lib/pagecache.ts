// A small cache of queue pages fetched by offset. Rows are asked for by index;
// the pages that cover the visible window are fetched (at most once at a time
// each), and the least recently used pages are dropped past `maxPages`. A new
// filter or sort starts a new generation: answers to the old one are ignored.
//
// Only `maxConcurrent` fetches run at once. When the person drags the
// scrollbar across a million rows, the pages of the windows passed on the way
// wait in line, and those no longer on screen when their turn comes are never
// fetched: the rows where the scrolling stops arrive first.

export type PageFetcher<T> = (offset: number, limit: number) => Promise<{ rows: T[]; total: number }>;

export interface PageCacheOptions {
  pageSize?: number;
  maxPages?: number;
  maxConcurrent?: number;
}

interface Waiting {
  promise: Promise<void>;
  resolve: () => void;
}

export class PageCache<T> {
  readonly pageSize: number;
  readonly maxPages: number;
  readonly maxConcurrent: number;
  private pages = new Map<number, T[]>();
  private inflight = new Set<number>();
  private queued: number[] = [];
  private waiting = new Map<number, Waiting>();
  private wanted = new Set<number>();
  private generation = 0;
  total: number | null = null;
  lastError: unknown = null;
  /** Called after a page arrives (or fails), so the view can redraw. */
  onChange: () => void = () => {};

  constructor(
    private fetcher: PageFetcher<T>,
    options: PageCacheOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
    this.maxPages = options.maxPages ?? 20;
    this.maxConcurrent = options.maxConcurrent ?? 2;
  }

  /** Forget every page (new filter, sort, or a change to the data). */
  reset(fetcher?: PageFetcher<T>): void {
    if (fetcher) this.fetcher = fetcher;
    this.generation += 1;
    this.pages.clear();
    this.inflight.clear();
    this.queued = [];
    for (const w of this.waiting.values()) w.resolve();
    this.waiting.clear();
    this.wanted.clear();
    this.total = null;
    this.lastError = null;
  }

  pageOf(index: number): number {
    return Math.floor(index / this.pageSize);
  }

  /** The row at `index`, or undefined while its page is not loaded. */
  get(index: number): T | undefined {
    const p = this.pageOf(index);
    const page = this.pages.get(p);
    if (!page) return undefined;
    // Mark as recently used.
    this.pages.delete(p);
    this.pages.set(p, page);
    return page[index - p * this.pageSize];
  }

  has(index: number): boolean {
    return this.pages.has(this.pageOf(index));
  }

  /** Page numbers currently held (oldest first). */
  cachedPages(): number[] {
    return [...this.pages.keys()];
  }

  /**
   * Fetch the pages covering rows [start, end) that are not held or on their
   * way; these become the wanted pages (pages wanted before and not started
   * are dropped). Resolves when each of them has arrived, failed or been dropped.
   */
  ensure(start: number, end: number): Promise<void> {
    this.wanted.clear();
    if (end <= start) {
      this.pump();
      return Promise.resolve();
    }
    const first = this.pageOf(start);
    const last = this.pageOf(end - 1);
    const waits: Promise<void>[] = [];
    for (let p = first; p <= last; p++) {
      this.wanted.add(p);
      const page = this.pages.get(p);
      if (page) {
        this.pages.delete(p);
        this.pages.set(p, page);
        continue;
      }
      waits.push(this.waitFor(p));
      if (!this.inflight.has(p) && !this.queued.includes(p)) this.queued.push(p);
    }
    this.pump();
    return Promise.all(waits).then(() => undefined);
  }

  private waitFor(p: number): Promise<void> {
    let w = this.waiting.get(p);
    if (!w) {
      let resolve: () => void = () => {};
      const promise = new Promise<void>((r) => (resolve = r));
      w = { promise, resolve };
      this.waiting.set(p, w);
    }
    return w.promise;
  }

  private settle(p: number): void {
    const w = this.waiting.get(p);
    if (w) {
      this.waiting.delete(p);
      w.resolve();
    }
  }

  private pump(): void {
    // Drop what scrolled out of view before its turn.
    const keep: number[] = [];
    for (const p of this.queued) {
      if (this.wanted.has(p)) keep.push(p);
      else this.settle(p);
    }
    this.queued = keep;
    while (this.inflight.size < this.maxConcurrent && this.queued.length) {
      const p = this.queued.shift()!;
      this.load(p);
    }
  }

  private load(p: number): void {
    const gen = this.generation;
    this.inflight.add(p);
    this.fetcher(p * this.pageSize, this.pageSize).then(
      (res) => {
        if (gen !== this.generation) return;
        this.inflight.delete(p);
        this.pages.set(p, res.rows);
        this.total = res.total;
        this.lastError = null;
        this.evict(p);
        this.settle(p);
        this.onChange();
        this.pump();
      },
      (err) => {
        if (gen !== this.generation) return;
        this.inflight.delete(p);
        this.lastError = err;
        this.settle(p);
        this.onChange();
        this.pump();
      },
    );
  }

  private evict(keep: number): void {
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number;
      if (oldest === keep) break;
      this.pages.delete(oldest);
    }
  }
}
