import { describe, expect, it } from 'vitest';
import { describeError, toAppError, isCancelled } from '../lib/errors';

describe('errors from the core shown to a person', () => {
  it('shows a Korean headline for a known code and keeps the core’s message as detail', () => {
    const d = describeError({ code: 'MAKER_CHECKER', message: 'you recommended this claim yourself; another supervisor must approve it (maker-checker)' }, 'ko');
    expect(d.title).toBe('본인이 제출한 의견은 다른 책임자가 승인해야 합니다.');
    expect(d.detail).toContain('maker-checker');
  });
  it('shows the core’s message as the headline for a code this UI does not know', () => {
    const d = describeError({ code: 'SYNC_SOMETHING_NEW', message: 'the server cannot be reached' }, 'en');
    expect(d.title).toBe('the server cannot be reached');
    expect(d.detail).toBe('');
  });
  it('turns thrown strings and Errors into { code, message }', () => {
    expect(toAppError('command queue_page not found')).toEqual({ code: 'UNKNOWN', message: 'command queue_page not found' });
    expect(toAppError(new Error('boom'))).toEqual({ code: 'UNKNOWN', message: 'boom' });
    expect(toAppError('{"code":"STALE","message":"x"}')).toEqual({ code: 'STALE', message: 'x' });
  });
  it('recognizes a cancelled job', () => {
    expect(isCancelled({ code: 'CANCELLED', message: 'stopped after 10 of 20' })).toBe(true);
    expect(isCancelled({ code: 'IO', message: '' })).toBe(false);
  });
});
