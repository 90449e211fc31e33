import { describe, expect, it, vi } from 'vitest';

vi.mock('../lib/session.svelte', () => ({ session: { user: null, expired: false } }));

import { notify, notifyError, toasts, dismiss } from '../lib/toast.svelte';

describe('toasts a reviewer sees while working', () => {
  it('repeating the same confirmation keeps one toast, not a pile over the form', () => {
    toasts.list = [];
    for (let i = 0; i < 5; i++) notify('처리했습니다.');
    expect(toasts.list.filter((t) => t.title === '처리했습니다.')).toHaveLength(1);
  });
  it('keeps errors until dismissed and shows at most four toasts', () => {
    toasts.list = [];
    const err = notifyError({ code: 'MAKER_CHECKER', message: 'maker-checker' });
    for (let i = 0; i < 6; i++) notify(`saved ${i}`);
    expect(toasts.list).toHaveLength(4);
    expect(toasts.list.at(-1)?.title).toBe('saved 5');
    expect(toasts.list.filter((t) => t.kind === 'error').map((t) => t.id)).toEqual([err]);
    dismiss(err);
    expect(toasts.list.some((t) => t.id === err)).toBe(false);
  });
  it('a job the person cancelled is a notice that goes away, not an error that stays', () => {
    toasts.list = [];
    notifyError({ code: 'CANCELLED', message: 'stopped after 10 of 20' });
    expect(toasts.list).toHaveLength(1);
    expect(toasts.list[0].kind).toBe('info');
    expect(toasts.list[0].code).toBeUndefined();
  });
});
