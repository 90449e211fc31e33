import { describe, expect, it } from 'vitest';
import { grantsOf, summary, sameGrants, isSingleForm, grantText, grantsText } from '../lib/grants';
import type { Grant } from '../lib/bindings';

const cash = (amount: string): Grant => ({ kind: 'cash', amount, quantity: 0, label: '' });
const credit: Grant = { kind: 'message_credit', amount: '50000', quantity: 0, label: '카카오톡 채널 메시지 크레딧' };

describe('grants', () => {
  it('reads the single-remedy form as one grant, as the core does', () => {
    expect(grantsOf({ eligible: true, remedy: 'cash', amount: '60000', extension_days: 0 })).toEqual([cash('60000')]);
    expect(grantsOf({ eligible: true, remedy: 'voucher', amount: '0', extension_days: 0 }))
      .toEqual([{ kind: 'voucher', amount: '0', quantity: 1, label: '' }]);
    expect(grantsOf({ eligible: true, remedy: 'extension', amount: '0', extension_days: 2 })[0].quantity).toBe(2);
    expect(grantsOf({ eligible: true, remedy: 'manual_review', amount: '0', extension_days: 0 })).toEqual([]);
    expect(grantsOf({ eligible: false, remedy: 'none', amount: '0', extension_days: 0 })).toEqual([]);
    const listed = { eligible: true, remedy: 'cash', amount: '30000', extension_days: 0, grants: [cash('30000'), credit] };
    expect(grantsOf(listed)).toEqual([cash('30000'), credit]);
  });

  it('summarises a list as cash first, then the first kind', () => {
    expect(summary([credit, cash('30000')])).toEqual({ remedy: 'cash', amount: '30000', extension_days: 0 });
    expect(summary([{ kind: 'points', amount: '0', quantity: 3000, label: '' }, { kind: 'extension', amount: '0', quantity: 2, label: '' }]))
      .toEqual({ remedy: 'points', amount: '0', extension_days: 2 });
    expect(summary([]).remedy).toBe('none');
  });

  it('compares grants in any order and knows when a list is the single form', () => {
    expect(sameGrants([cash('30000'), credit], [credit, cash('30000')])).toBe(true);
    expect(sameGrants([cash('30000'), credit], [cash('30000')])).toBe(false);
    expect(sameGrants([cash('30000')], [cash('30,000')])).toBe(true);
    expect(isSingleForm([cash('30000')])).toBe(true);
    expect(isSingleForm([cash('30000'), credit])).toBe(false);
    expect(isSingleForm([{ ...cash('30000'), label: 'T 블루' }])).toBe(false);
    expect(isSingleForm([{ kind: 'points', amount: '0', quantity: 1, label: '' }])).toBe(false);
  });

  it('reads well in both languages', () => {
    expect(grantText(credit, 'ko')).toBe('메시지 크레딧 50,000원 (카카오톡 채널 메시지 크레딧)');
    expect(grantText({ kind: 'points', amount: '3000', quantity: 3000, label: '' }, 'en')).toBe('Points 3,000 points worth ₩3,000');
    expect(grantText({ kind: 'extension', amount: '0', quantity: 2, label: '' }, 'ko')).toBe('이용기간 연장 2일');
    expect(grantText(cash('0'), 'ko')).toBe('현금 보상 0원');
    expect(grantsText({ eligible: true, remedy: 'cash', amount: '30000', extension_days: 0, grants: [cash('30000'), credit] }, 'ko'))
      .toBe('현금 보상 30,000원 + 메시지 크레딧 50,000원 (카카오톡 채널 메시지 크레딧)');
  });
});
