import { describe, expect, it } from 'vitest';
import { PageCache } from '../lib/pagecache';

function fakeStore(total: number) {
  const calls: Array<[number, number]> = [];
  const fetcher = async (offset: number, limit: number) => {
    calls.push([offset, limit]);
    const rows = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(`row-${i}`);
    return { rows, total };
  };
  return { calls, fetcher };
}

describe('queue page cache', () => {
  it('fetches pages of 100 by offset, once each', async () => {
    const s = fakeStore(1_000_000);
    const cache = new PageCache(s.fetcher, { pageSize: 100 });
    await cache.ensure(150, 230);
    expect(s.calls).toEqual([
      [100, 100],
      [200, 100],
    ]);
    expect(cache.get(150)).toBe('row-150');
    expect(cache.get(229)).toBe('row-229');
    expect(cache.get(99)).toBeUndefined();
    await cache.ensure(120, 180);
    expect(s.calls.length).toBe(2);
    expect(cache.total).toBe(1_000_000);
  });

  it('does not ask twice for a page that is on its way', async () => {
    const s = fakeStore(1000);
    const cache = new PageCache(s.fetcher);
    const a = cache.ensure(0, 50);
    const b = cache.ensure(10, 60);
    await Promise.all([a, b]);
    expect(s.calls).toEqual([[0, 100]]);
  });

  it('keeps only a small number of pages, dropping the least recently used', async () => {
    const s = fakeStore(1_000_000);
    const cache = new PageCache(s.fetcher, { maxPages: 3 });
    await cache.ensure(0, 10); // page 0
    await cache.ensure(100, 110); // page 1
    await cache.ensure(200, 210); // page 2
    cache.get(5); // page 0 used again
    await cache.ensure(300, 310); // page 3 evicts page 1
    expect(cache.cachedPages().sort()).toEqual([0, 2, 3]);
    expect(cache.has(150)).toBe(false);
  });

  it('ignores answers that arrive after the filter changed', async () => {
    let release: (v: { rows: string[]; total: number }) => void = () => {};
    const slow = () => new Promise<{ rows: string[]; total: number }>((r) => (release = r));
    const cache = new PageCache<string>(slow);
    const pending = cache.ensure(0, 10);
    const fresh = fakeStore(5);
    cache.reset(fresh.fetcher);
    release({ rows: ['stale'], total: 1 });
    await pending;
    expect(cache.get(0)).toBeUndefined();
    await cache.ensure(0, 5);
    expect(cache.get(0)).toBe('row-0');
    expect(cache.total).toBe(5);
  });

  it('keeps the error of a failed page and tries again next time', async () => {
    let fail = true;
    const cache = new PageCache<string>(async (offset) => {
      if (fail) throw { code: 'DATABASE', message: 'disk I/O error' };
      return { rows: [`row-${offset}`], total: 1 };
    });
    let changes = 0;
    cache.onChange = () => changes++;
    await cache.ensure(0, 1);
    expect(cache.lastError).toMatchObject({ code: 'DATABASE' });
    expect(changes).toBe(1);
    fail = false;
    await cache.ensure(0, 1);
    expect(cache.get(0)).toBe('row-0');
    expect(cache.lastError).toBeNull();
  });
});

describe('queue page cache while scrolling fast', () => {
  it('fetches at most two pages at once and skips the pages scrolled past', async () => {
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const cache = new PageCache<string>((offset, limit) => {
      started.push(offset);
      return new Promise((resolve) => releases.push(() => resolve({ rows: Array.from({ length: limit }, (_, i) => `row-${offset + i}`), total: 1_000_000 })));
    });
    const a = cache.ensure(0, 150); // pages 0 and 1 start
    cache.ensure(50_000, 50_030); // page 500 waits
    cache.ensure(99_000, 99_030); // page 990 waits; page 500 is no longer on screen
    expect(started).toEqual([0, 100]);
    releases.shift()!();
    releases.shift()!();
    await a;
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 100, 99_000]);
    releases.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.get(99_010)).toBe('row-99010');
    expect(cache.has(50_000)).toBe(false);
  });
});
