// The queue's filter, sort, cursor and scroll position, kept while the person
// opens a claim and comes back, and read by the batch screen ("from the
// queue's current filter").

import { emptyUiFilter, type UiFilter } from './filter';

/** Whether the first queue page of this app run has been reported to the core (ui_ready). */
export const startup = { reported: false };

export type SortKeyCode = 'received_at' | 'amount' | 'claimed_amount';

export const queueState = $state<{
  ui: UiFilter;
  sortKey: SortKeyCode;
  descending: boolean;
  cursor: number;
  scrollTop: number;
}>({
  ui: emptyUiFilter(),
  sortKey: 'received_at',
  descending: true,
  cursor: 0,
  scrollTop: 0,
});
