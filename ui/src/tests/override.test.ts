import { describe, expect, it } from 'vitest';
import { checkOverride, decisionFromForm, formFromProposal, normalizeForm } from '../lib/override';

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
    expect(checkOverride({ decision: 'deny', code: 'NO_LOSS_SHOWN', reason: '증빙 부족' }, taxi)).toEqual({ isOverride: true, differences: ['eligibility'] });
    expect(checkOverride({ decision: 'deny', code: 'DUPLICATE', reason: '중복' }, duplicate).isOverride).toBe(false);
  });

  it('approving an ineligible claim is an override', () => {
    expect(checkOverride({ decision: 'approve', remedy: 'cash', amount: '10000', extension_days: 0 }, duplicate).differences).toContain('eligibility');
  });

  it('any decision without a policy result is an override', () => {
    expect(checkOverride({ decision: 'deny', code: 'DUPLICATE', reason: 'x' }, null)).toEqual({ isOverride: true, differences: ['no_policy'] });
  });

  it('an amount that is not whole won counts as different', () => {
    expect(checkOverride({ decision: 'approve', remedy: 'cash', amount: '75070.5', extension_days: 0 }, taxi).isOverride).toBe(true);
  });

  it('the form starts from the policy result', () => {
    expect(formFromProposal(taxi)).toEqual({ decision: 'approve', remedy: 'cash', amount: '75070', extension_days: 0 });
    expect(formFromProposal(duplicate)).toEqual({ decision: 'deny', code: '', reason: '' });
    expect(checkOverride(formFromProposal(taxi), taxi).isOverride).toBe(false);
  });
});

describe('the decision as sent', () => {
  it('drops extension days left over from an extension when the remedy changes', () => {
    const paid = { eligible: true, remedy: 'extension', amount: '0', extension_days: 2 };
    const switched = normalizeForm({ decision: 'approve', remedy: 'voucher', amount: '0', extension_days: 2 });
    expect(switched).toEqual({ decision: 'approve', remedy: 'voucher', amount: '0', extension_days: 0 });
    expect(checkOverride(switched, paid).differences).toEqual(['remedy', 'extension_days']);
    expect(normalizeForm({ decision: 'deny', code: 'DUPLICATE', reason: 'x' })).toEqual({ decision: 'deny', code: 'DUPLICATE', reason: 'x' });
  });
});

describe('several grants', () => {
  const cash = { kind: 'cash' as const, amount: '30000', quantity: 0, label: '' };
  const credit = { kind: 'message_credit' as const, amount: '50000', quantity: 0, label: '카카오톡 채널 메시지 크레딧' };
  const sb = { eligible: true, remedy: 'cash', amount: '30000', extension_days: 0, grants: [cash, credit] };

  it('starts from every grant of the policy and follows it', () => {
    const form = formFromProposal(sb);
    expect(form).toEqual({
      decision: 'approve', remedy: 'cash', amount: '30000', extension_days: 0, quantity: 0, label: '',
      extras: [{ kind: 'message_credit', amount: '50000', quantity: 0, label: '카카오톡 채널 메시지 크레딧' }],
    });
    expect(checkOverride(form, sb)).toEqual({ isOverride: false, differences: [] });
    expect(decisionFromForm(form)).toEqual({ decision: 'approve', remedy: 'cash', amount: '30000', extension_days: 0, grants: [cash, credit] });
  });

  it('more or less of a grant given with it is an override of the grants', () => {
    const form = formFromProposal(sb);
    if (form.decision !== 'approve') throw new Error('approve');
    const more = { ...form, extras: [{ ...form.extras![0], amount: '5,000,000' }] };
    expect(checkOverride(more, sb)).toEqual({ isOverride: true, differences: ['grants'] });
    expect(checkOverride({ ...form, extras: [] }, sb).differences).toEqual(['grants']);
    expect(checkOverride({ ...form, extras: [{ ...form.extras![0], quantity: 'x' }] }, sb).isOverride).toBe(true);
    // Dropping the credit sends the single form: cash only.
    expect(decisionFromForm({ ...form, extras: [] })).toEqual({ decision: 'approve', remedy: 'cash', amount: '30000', extension_days: 0 });
  });

  it('a result led by a non-cash grant keeps its first grant, quantity and label', () => {
    const vouchers = [
      { kind: 'voucher' as const, amount: '5000', quantity: 1, label: '쿠팡 전 상품' },
      { kind: 'voucher' as const, amount: '20000', quantity: 1, label: '쿠팡트래블' },
    ];
    const free = { eligible: true, remedy: 'voucher', amount: '0', extension_days: 0, grants: vouchers };
    const form = formFromProposal(free);
    expect(checkOverride(form, free).isOverride).toBe(false);
    expect(decisionFromForm(form)).toEqual({ decision: 'approve', remedy: 'voucher', amount: '0', extension_days: 0, grants: vouchers });
  });

  it('the single-remedy form is sent as before', () => {
    expect(decisionFromForm(formFromProposal(taxi))).toEqual({ decision: 'approve', remedy: 'cash', amount: '75070', extension_days: 0 });
    expect(decisionFromForm(formFromProposal(paid))).toEqual({ decision: 'approve', remedy: 'extension', amount: '0', extension_days: 2 });
    expect(decisionFromForm({ decision: 'deny', code: ' DUPLICATE ', reason: ' 중복 ' })).toEqual({ decision: 'deny', code: 'DUPLICATE', reason: '중복' });
    // No code chosen: sent as none, which every entry point refuses (REASON_REQUIRED).
    expect(decisionFromForm({ decision: 'deny', code: '', reason: '중복' })).toEqual({ decision: 'deny', code: null, reason: '중복' });
  });
});
