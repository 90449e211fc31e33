import { describe, expect, it } from 'vitest';
import { describeError, toAppError, isCancelled } from '../lib/errors';

describe('errors from the core shown to a person', () => {
  it('says the core’s message in the reader’s language with its parameters, never its English in Korean', () => {
    const err = {
      code: 'OVER_APPROVAL_LIMIT',
      message: 'The amount 500,000 won is above your approval limit of 499,999 won; …',
      explain: { key: 'error.OVER_APPROVAL_LIMIT', params: { amount: '500,000', limit: '499,999' } },
    };
    expect(describeError(err, 'ko')).toEqual({
      code: 'OVER_APPROVAL_LIMIT',
      title: '금액 500,000원이 승인 한도 499,999원을 넘습니다. 한도가 더 높은 책임자가 승인해야 합니다.',
      detail: '',
    });
    expect(describeError(err, 'en').title).toContain('above your approval limit of 499,999 won');
    const state = {
      code: 'WRONG_STATE',
      message: 'Cannot take a claim in the state “Approved”.',
      explain: { key: 'error.WRONG_STATE', labels: { action: 'on.take', status: 'status.approved' } },
    };
    expect(describeError(state, 'ko').title).toBe('‘승인’ 상태의 신고에는 할 수 없는 작업입니다: 맡기.');
  });
  it('says a message inside a message (a policy field and its rule) in the same language', () => {
    const err = {
      code: 'POLICY_INVALID',
      message: 'advertiser.cap must be > 0',
      explain: { key: 'error.POLICY_INVALID', params: { field: 'advertiser.cap' }, parts: { problem: { key: 'policy.rule.positive' } } },
    };
    expect(describeError(err, 'ko').title).toBe('정책 항목 advertiser.cap: 0보다 커야 합니다.');
    expect(describeError(err, 'en').title).toBe('Policy field advertiser.cap: Must be more than 0.');
  });
  it('shows the code’s headline without a message, and the English text as detail in English only', () => {
    const err = { code: 'MAKER_CHECKER', message: 'you recommended this claim yourself (older core)' };
    expect(describeError(err, 'ko')).toEqual({ code: 'MAKER_CHECKER', title: '본인이 제출한 의견은 다른 책임자가 승인해야 합니다(작성자·승인자 분리).', detail: '' });
    expect(describeError(err, 'en').detail).toBe('you recommended this claim yourself (older core)');
  });
  it('shows the core’s message as the headline for a code this UI does not know', () => {
    const d = describeError({ code: 'SYNC_SOMETHING_NEW', message: 'the server cannot be reached' }, 'en');
    expect(d.title).toBe('the server cannot be reached');
    expect(d.detail).toBe('');
  });
  it('turns thrown strings and Errors into { code, message }', () => {
    expect(toAppError('command queue_page not found')).toMatchObject({ code: 'UNKNOWN', message: 'command queue_page not found' });
    expect(toAppError(new Error('boom'))).toMatchObject({ code: 'UNKNOWN', message: 'boom' });
    expect(toAppError('{"code":"STALE","message":"x"}')).toEqual({ code: 'STALE', message: 'x', explain: undefined });
  });
  it('recognizes a cancelled job', () => {
    expect(isCancelled({ code: 'CANCELLED', message: 'stopped after 10 of 20' })).toBe(true);
    expect(isCancelled({ code: 'IO', message: '' })).toBe(false);
  });
});
