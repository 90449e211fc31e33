// Focus for the form's row buttons: after a row is added or moved, the focus
// goes to the new row's first field or follows the moved row's button.

import { tick } from 'svelte';

export async function focusSoon(id: string): Promise<void> {
  await tick();
  document.getElementById(id)?.focus();
}
