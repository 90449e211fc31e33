// A PolicyProblem worded in the current language: the rule's message with its
// figures, the field it is compared with by its label (never Rust's English).

import type { PolicyProblem } from '../../bindings';
import { t } from '../../i18n.svelte';
import { problemMessage } from '../../policyDraft';

export function problemText(p: PolicyProblem): string {
  const m = problemMessage(p);
  return t(m.key, m.otherKey ? { ...m.params, other: t(m.otherKey) } : m.params);
}
