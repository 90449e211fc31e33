import { describe, expect, it } from 'vitest';
import { pickFile, pickSavePath } from '../lib/dialogs';

describe('file pickers driven by an end-to-end test', () => {
  it('take the queued paths in order, null standing for a cancelled dialog', async () => {
    (globalThis as { __claimdeskE2E?: unknown }).__claimdeskE2E = { open: ['/tmp/intake.csv', null], save: ['/tmp/payout.xlsx'] };
    expect(await pickFile('CSV', ['csv'])).toBe('/tmp/intake.csv');
    expect(await pickFile('CSV', ['csv'])).toBeNull();
    expect(await pickSavePath('payout.xlsx', 'Excel', ['xlsx'])).toBe('/tmp/payout.xlsx');
    delete (globalThis as { __claimdeskE2E?: unknown }).__claimdeskE2E;
  });
});
