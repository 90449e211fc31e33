import { describe, expect, it } from 'vitest';
import { checkOverride, formFromProposal, normalizeForm } from '../lib/override';

const taxi = { eligible: true, remedy: 'cash', amount: '75070', extension_days: 0 };
const paid = { eligible: true, remedy: 'extension', amount: '0', extension_days: 2 };
const duplicate = { eligible: false, remedy: 'none', amount: '0', extension_days: 0 };

describe('override shown before submit', () => {
  it('approving exactly what the policy proposes is not an override', () => {
    expect(checkOverride({ decision: 'approve', remedy: 'cash', amount: '75,070', extension_days: 0 }, taxi)).toEqual({
      isOverride: false,
      differences: [],
    });
    expect(checkOverride({ decision: 'approve', remedy: 'extension', amount: '0', extension_days: '2' }, paid).isOverride).toBe(false);
  });

  it('a different amount is an override and says so', () => {
    const r = checkOverride({ decision: 'approve', remedy: 'cash', amount: '80000', extension_days: 0 }, taxi);
    expect(r.isOverride).toBe(true);
    expect(r.differences).toEqual(['amount']);
  });

  it('treats 75070 and "75070.00" from the core as the same amount', () => {
    expect(checkOverride({ decision: 'approve', remedy: 'cash', amount: '75070', extension_days: 0 }, { ...taxi, amount: '75070.00' }).isOverride).toBe(false);
  });

  it('a different remedy or extension is an override', () => {
    expect(checkOverride({ decision: 'approve', remedy: 'voucher', amount: '0', extension_days: 2 }, paid).differences).toEqual(['remedy']);
    expect(checkOverride({ decision: 'approve', remedy: 'extension', amount: '0', extension_days: 3 }, paid).differences).toEqual(['extension_days']);
  });

  it('denying an eligible claim is an override; denying an ineligible one follows the policy', () => {
    expect(checkOverride({ decision: 'deny', reason: '증빙 부족' }, taxi)).toEqual({ isOverride: true, differences: ['eligibility'] });
    expect(checkOverride({ decision: 'deny', reason: '중복' }, duplicate).isOverride).toBe(false);
  });

  it('approving an ineligible claim is an override', () => {
    expect(checkOverride({ decision: 'approve', remedy: 'cash', amount: '10000', extension_days: 0 }, duplicate).differences).toContain('eligibility');
  });

  it('any decision without a policy result is an override', () => {
    expect(checkOverride({ decision: 'deny', reason: 'x' }, null)).toEqual({ isOverride: true, differences: ['no_policy'] });
  });

  it('an amount that is not whole won counts as different', () => {
    expect(checkOverride({ decision: 'approve', remedy: 'cash', amount: '75070.5', extension_days: 0 }, taxi).isOverride).toBe(true);
  });

  it('the form starts from the policy result', () => {
    expect(formFromProposal(taxi)).toEqual({ decision: 'approve', remedy: 'cash', amount: '75070', extension_days: 0 });
    expect(formFromProposal(duplicate)).toEqual({ decision: 'deny', reason: '' });
    expect(checkOverride(formFromProposal(taxi), taxi).isOverride).toBe(false);
  });
});

describe('the decision as sent', () => {
  it('drops extension days left over from an extension when the remedy changes', () => {
    const paid = { eligible: true, remedy: 'extension', amount: '0', extension_days: 2 };
    const switched = normalizeForm({ decision: 'approve', remedy: 'voucher', amount: '0', extension_days: 2 });
    expect(switched).toEqual({ decision: 'approve', remedy: 'voucher', amount: '0', extension_days: 0 });
    expect(checkOverride(switched, paid).differences).toEqual(['remedy', 'extension_days']);
    expect(normalizeForm({ decision: 'deny', reason: 'x' })).toEqual({ decision: 'deny', reason: 'x' });
  });
});
