// A PolicyProblem worded in the current language: the core's own message when
// it sent one (segments, grants, reasons, documents), else the rule's message
// with its figures, the field it is compared with by its label (never Rust's English).

import type { PolicyProblem } from '../../bindings';
import { renderMessage } from '../../errors';
import { lang, t } from '../../i18n.svelte';
import { hasMessage } from '../../i18n/index';
import { problemMessage } from '../../policyDraft';

export function problemText(p: PolicyProblem): string {
  if (p.explain && hasMessage(p.explain.key)) return renderMessage(p.explain, lang.current);
  const m = problemMessage(p);
  return t(m.key, m.otherKey ? { ...m.params, other: t(m.otherKey) } : m.params);
}
