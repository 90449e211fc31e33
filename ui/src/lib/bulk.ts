// What a bulk action of the queue sends when it runs over every claim the
// filter matches (the app applies it claim by claim: src-tauri queue.rs).

import type { BulkAction, Priority, ReportType } from './bindings';
import { splitTags } from './filter';

export type BulkKind = 'take' | 'triage' | 'tag' | 'priority' | 'batch' | 'report_type' | 'close' | 'expire';

export interface BulkInput {
  priority: string;
  /** Tags as typed: "택시, 전화확인". */
  tags: string;
  batchName: string;
  reportType?: string;
  /** A closure code of the reason catalog, and the note beside it (the note of an expiry too). */
  reply?: string;
  note?: string;
}

/** The action for the whole filter. Tags are added to each claim's own, as on selected rows. */
export function bulkActionFor(kind: BulkKind, input: BulkInput): BulkAction {
  switch (kind) {
    case 'take':
      return { kind: 'take' };
    case 'triage':
      return { kind: 'triage', priority: input.priority as Priority, category: null };
    case 'tag':
      return { kind: 'add_tags', tags: splitTags(input.tags) };
    case 'priority':
      return { kind: 'set_priority', priority: input.priority as Priority };
    case 'batch':
      return { kind: 'add_to_batch', name: input.batchName.trim() };
    case 'report_type':
      return { kind: 'set_report_type', report_type: (input.reportType ?? 'damage_claim') as ReportType };
    case 'close':
      return { kind: 'close_no_damage', reply: (input.reply ?? '').trim(), note: (input.note ?? '').trim() };
    case 'expire':
      return { kind: 'expire', note: (input.note ?? '').trim() };
  }
}
