// Notes on a claim as the store writes them (crates/store: insert_note):
// their kinds and which of them the author may withdraw. Their labels are
// the messages noteKind.<kind> (label('noteKind', kind)).

import type { Note } from './bindings';

/** The kinds of note the store writes, in the order a claim usually meets them. */
export const NOTE_KINDS = ['note', 'info_request', 'info_received', 'return_comment'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

/** Whether `userId` may withdraw this note now: their own note, not yet withdrawn. */
export function canWithdraw(note: Pick<Note, 'kind' | 'author' | 'withdrawn'>, userId: string): boolean {
  return !note.withdrawn && note.author === userId && note.kind === 'note';
}

