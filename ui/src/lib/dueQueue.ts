// Opening the queue on the claims of one cure clock state (the notices and
// dashboard tiles): a fresh filter with only that state, at the top.
import type { DueState } from './bindings';
import { emptyUiFilter } from './filter';
import { queueState } from './queueState.svelte';
import { navigate } from './router.svelte';

export function openQueueDue(state: DueState): void {
  queueState.ui = { ...emptyUiFilter(), due: state };
  queueState.cursor = 0;
  queueState.scrollTop = 0;
  navigate('queue');
}
