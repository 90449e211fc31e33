// The fields of the form whose text does not read (a figure of a segment or a
// grant that is not a number): PolicyForm provides the set, each TypedField
// puts itself in while its text does not read, and the editor is blocked
// (the draft and its TOML never get that text).

import { getContext, setContext } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';

const KEY = Symbol('pf-unread');

export function provideUnread(): SvelteSet<string> {
  const fields = new SvelteSet<string>();
  setContext(KEY, fields);
  return fields;
}

export function unreadFields(): SvelteSet<string> | undefined {
  return getContext<SvelteSet<string> | undefined>(KEY);
}
