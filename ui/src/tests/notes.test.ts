import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOTE_KINDS, canWithdraw } from '../lib/notes';
import { codeLabel } from '../lib/i18n/index';

const bindings = join(fileURLToPath(new URL('.', import.meta.url)), '../lib/bindings');

/** The kinds of the generated NoteKind type (from claimdesk_core::NoteKind). */
function kindsTheStoreWrites(): Set<string> {
  const text = readFileSync(join(bindings, 'NoteKind.ts'), 'utf8');
  return new Set([...text.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
}

describe('notes', () => {
  it('knows exactly the kinds the store writes', () => {
    const written = kindsTheStoreWrites();
    expect(written.size).toBeGreaterThanOrEqual(3);
    expect([...written].sort()).toEqual([...NOTE_KINDS].sort());
  });

  it('offers the author to withdraw their own note as the store writes it', () => {
    expect(canWithdraw({ kind: 'note', author: 'kim', withdrawn: false }, 'kim')).toBe(true);
    expect(canWithdraw({ kind: 'note', author: 'kim', withdrawn: true }, 'kim')).toBe(false);
    expect(canWithdraw({ kind: 'note', author: 'kim', withdrawn: false }, 'lee')).toBe(false);
    // Requests, answers and return comments are part of the workflow, not notes to take back.
    for (const kind of ['info_request', 'info_received', 'return_comment'] as const) {
      expect(canWithdraw({ kind, author: 'kim', withdrawn: false }, 'kim')).toBe(false);
    }
  });

  it('labels every note kind in Korean and English, never with its code', () => {
    for (const kind of NOTE_KINDS) {
      for (const locale of ['ko', 'en'] as const) {
        const text = codeLabel(locale, 'noteKind', kind);
        expect(text, `${locale} noteKind.${kind}`).not.toBe(kind);
        expect(text.trim()).not.toBe('');
      }
    }
    expect(codeLabel('ko', 'noteKind', 'info_request')).toBe('보완 요청');
    expect(codeLabel('en', 'noteKind', 'return_comment')).toBe('Returned to the reviewer');
  });
});
