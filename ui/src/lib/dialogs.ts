// File pickers. The native dialogs come from @tauri-apps/plugin-dialog; an
// end-to-end test (WebDriver cannot drive a GTK dialog) may queue answers
// beforehand with
//   window.__claimdeskE2E = { open: ['/tmp/intake.csv'], save: ['/tmp/payout.xlsx'] }
// and each picker then takes the next queued path instead of opening a dialog.
import { open, save } from '@tauri-apps/plugin-dialog';

interface E2EAnswers {
  open?: (string | null)[];
  save?: (string | null)[];
}

function queued(kind: 'open' | 'save'): { hit: boolean; value: string | null } {
  const answers = (globalThis as { __claimdeskE2E?: E2EAnswers }).__claimdeskE2E;
  const list = answers?.[kind];
  if (list && list.length) return { hit: true, value: list.shift() ?? null };
  return { hit: false, value: null };
}

/** One file to read, or null when the person cancels. */
export async function pickFile(filterName: string, extensions: string[]): Promise<string | null> {
  const q = queued('open');
  if (q.hit) return q.value;
  const p = await open({ multiple: false, directory: false, filters: [{ name: filterName, extensions }] });
  return typeof p === 'string' ? p : null;
}

/** Where to write a file, or null when the person cancels. */
export async function pickSavePath(defaultPath: string, filterName: string, extensions: string[]): Promise<string | null> {
  const q = queued('save');
  if (q.hit) return q.value;
  return (await save({ defaultPath, filters: [{ name: filterName, extensions }] })) ?? null;
}
