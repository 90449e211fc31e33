// A PolicyProblem in the current language: every problem comes from the
// core worded by its message catalogs (the field it names is shown beside it).

import type { PolicyProblem } from '../../bindings';
import { renderMessage } from '../../errors';
import { lang } from '../../i18n.svelte';

export function problemText(p: PolicyProblem): string {
  return renderMessage(p.explain, lang.current);
}
