import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Issue 11: screens in parts. A component that grows past this is split along
// its sections (see lib/components/queue, claim, policy, batches).
const MAX_LINES = 400;
const SRC = fileURLToPath(new URL('..', import.meta.url));

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return svelteFiles(path);
    return e.name.endsWith('.svelte') ? [path] : [];
  });
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('no .svelte file is too long', () => {
  const files = svelteFiles(SRC);

  it('finds the screens and the components', () => {
    const names = files.map((f) => relative(SRC, f).replaceAll('\\', '/'));
    expect(names).toContain('screens/Queue.svelte');
    expect(names).toContain('App.svelte');
    expect(names.some((n) => n.startsWith('lib/components/queue/'))).toBe(true);
  });

  it(`keeps every .svelte file under src at ${MAX_LINES} lines or fewer`, () => {
    const offenders = files
      .map((f) => ({ file: relative(SRC, f).replaceAll('\\', '/'), lines: lineCount(readFileSync(f, 'utf8')) }))
      .filter((x) => x.lines > MAX_LINES)
      .sort((a, b) => b.lines - a.lines)
      .map((x) => `${x.file} (${x.lines} lines)`);
    expect(offenders, `over ${MAX_LINES} lines: ${offenders.join(', ')}`).toEqual([]);
  });

  it('counts lines as wc -l does', () => {
    expect(lineCount('')).toBe(0);
    expect(lineCount('a\n')).toBe(1);
    expect(lineCount('a\nb')).toBe(2);
    expect(lineCount('a\nb\n')).toBe(2);
  });
});
