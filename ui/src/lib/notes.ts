// Notes on a claim as the merge writes them (NoteKind, generated from
// claimdesk_core::NoteKind): their kinds and which of them the author may
// withdraw. Their labels are the messages noteKind.<kind> (label('noteKind', kind)).

import type { Note, NoteKind } from './bindings';

/** Every kind of note, in the order a claim usually meets them (a new kind fails svelte-check here). */
const ORDER: Record<NoteKind, number> = { note: 0, info_request: 1, info_received: 2, return_comment: 3, closure: 4, expiry: 5 };
export const NOTE_KINDS = (Object.keys(ORDER) as NoteKind[]).sort((a, b) => ORDER[a] - ORDER[b]);

/** Whether `userId` may withdraw this note now: their own note, not yet withdrawn. */
export function canWithdraw(note: Pick<Note, 'kind' | 'author' | 'withdrawn'>, userId: string): boolean {
  return !note.withdrawn && note.author === userId && note.kind === 'note';
}

