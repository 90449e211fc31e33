// A small cache of queue pages fetched by offset. Rows are asked for by index;
// the pages that cover the visible window are fetched (at most once at a time
// each), and the least recently used pages are dropped past `maxPages`. A new
// filter or sort starts a new generation: answers to the old one are ignored.

export type PageFetcher<T> = (offset: number, limit: number) => Promise<{ rows: T[]; total: number }>;

export interface PageCacheOptions {
  pageSize?: number;
  maxPages?: number;
}

export class PageCache<T> {
  readonly pageSize: number;
  readonly maxPages: number;
  private pages = new Map<number, T[]>();
  private inflight = new Map<number, Promise<void>>();
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
  }

  /** Forget every page (new filter, sort, or a change to the data). */
  reset(fetcher?: PageFetcher<T>): void {
    if (fetcher) this.fetcher = fetcher;
    this.generation += 1;
    this.pages.clear();
    this.inflight.clear();
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

  /** Fetch the pages covering rows [start, end) that are not held or on their way. */
  ensure(start: number, end: number): Promise<void> {
    if (end <= start) return Promise.resolve();
    const first = this.pageOf(start);
    const last = this.pageOf(end - 1);
    const waits: Promise<void>[] = [];
    for (let p = first; p <= last; p++) {
      if (this.pages.has(p)) {
        const page = this.pages.get(p)!;
        this.pages.delete(p);
        this.pages.set(p, page);
        continue;
      }
      const pending = this.inflight.get(p);
      if (pending) {
        waits.push(pending);
        continue;
      }
      waits.push(this.load(p));
    }
    return Promise.all(waits).then(() => undefined);
  }

  private load(p: number): Promise<void> {
    const gen = this.generation;
    const job = this.fetcher(p * this.pageSize, this.pageSize).then(
      (res) => {
        if (gen !== this.generation) return;
        this.inflight.delete(p);
        this.pages.set(p, res.rows);
        this.total = res.total;
        this.lastError = null;
        this.evict(p);
        this.onChange();
      },
      (err) => {
        if (gen !== this.generation) return;
        this.inflight.delete(p);
        this.lastError = err;
        this.onChange();
      },
    );
    this.inflight.set(p, job);
    return job;
  }

  private evict(keep: number): void {
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number;
      if (oldest === keep) break;
      this.pages.delete(oldest);
    }
  }
}
