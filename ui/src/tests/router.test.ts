import { describe, expect, it } from 'vitest';
import { parseHash, hrefFor } from '../lib/router.svelte';

describe('hash routes', () => {
  it('reads the screen, its parameter and the query', () => {
    expect(parseHash('#/claim/D22-0000042')).toMatchObject({ screen: 'claim', param: 'D22-0000042' });
    const r = parseHash('#/batches?from=queue');
    expect(r.screen).toBe('batches');
    expect(r.param).toBeNull();
    expect(r.query.get('from')).toBe('queue');
  });
  it('falls back to the queue for an empty or unknown route', () => {
    expect(parseHash('').screen).toBe('queue');
    expect(parseHash('#/nowhere').screen).toBe('queue');
  });
  it('round-trips claim ids that need escaping', () => {
    const h = hrefFor('claim', 'C 12/3?');
    expect(parseHash(h)).toMatchObject({ screen: 'claim', param: 'C 12/3?' });
  });
});
