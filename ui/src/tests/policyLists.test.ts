import { describe, expect, it } from 'vitest';
import type { PolicyDraft, PolicyProblem, Segments } from '../lib/bindings';
import { dictionaries } from '../lib/i18n/index';
import { fieldKey, formPaths, problemsByPath, unplaced } from '../lib/policyDraft';
import { problemText } from '../lib/components/policy/problemText';
import {
  GRANT_RULES, SEGMENT_RULES, addRow, idOf, joinList, listProblems, listsOf, newDocument, newGrant, newReason, newSegment,
  newSegments, patchRow, readCount, readWon, splitList, unreadableProblem, withoutSegment,
} from '../lib/policyLists';

/** A policy with every list the form edits: taxi segments (with a segment's grant), grants, reasons, documents. */
function draft(): PolicyDraft {
  const segments: Segments = {
    column: ['멤버십 등급', 'membership_tier'],
    otherwise: 'manual_review',
    segment: [
      { label: 'T 블루', values: ['T 블루', 't-blue'], amount: 50000 },
      { label: 'T 블랙', values: ['T 블랙'], amount: 230000, grants: [{ kind: 'points', quantity: 3000 }] },
    ],
  };
  return {
    name: 'final',
    filing_window: { start: '2022-10-19T00:00:00+09:00', end: '2022-11-06T23:59:59+09:00' },
    free_user: { voucher: true, grants: [] },
    paid_subscriber: { extension_multiplier: '3', grants: [] },
    taxi_driver: { flat: '25000', cap: '300000', segments, grants: [] },
    designated_driver: { flat: '25000', cap: '200000', segments: null, grants: [] },
    small_business: {
      cap: '1000000',
      bands: [{ up_to: '300000', base: '30000' }],
      documented: { min: '50000', base: '50000', threshold: '500000', rate: '0.1' },
      segments: null,
      grants: [{ kind: 'message_credit', amount: 50000, label: '톡채널 메시지' }],
    },
    advertiser: { cap: '5000000', segments: null, grants: [] },
    services: [{ code: 'kakaotalk', name: '카카오톡', outage_start: '2022-10-15T15:30:00+09:00', outage_end: '2022-10-16T01:31:00+09:00' }],
    reasons: [
      { code: 'NO_LOSS_SHOWN', kind: 'denial', ko: '손해가 확인되지 않음', en: 'No loss shown', appealable: true },
      { code: 'NEED_ID', kind: 'deficiency', ko: '신분증 사본', en: 'A copy of an ID' },
      { code: 'bad code', kind: 'closure', ko: '문의 답변', en: 'Inquiry answered' },
    ],
    documents: [{ code: 'BANK_ACCOUNT_COPY', ko: '통장 사본', en: 'Bank account copy', categories: ['taxi_driver', 'small_business'] }],
    cure: { days: 30, mail_days: 3, reminder_days: 7, extended_until: null },
  };
}

const problem = (path: string, rule = 'other', params: Record<string, string> = { problem: 'must not be empty' }): PolicyProblem => ({
  path, rule, params, code: 'POLICY_INVALID', message: `${path} (English from Rust)`, explain: { key: `policy.rule.${rule}`, params },
});

/** Every value of the draft by the path Rust's problems use (a document's categories are one field). */
function leaves(v: unknown, path = ''): string[] {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [path.replace(/(\.categories)\[\d+\]$/, '$1')];
  if (v === null || typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, `${path}[${i}]`));
  const top: Record<string, string> = { services: 'service', reasons: 'reason', documents: 'document' };
  return Object.entries(v as object).flatMap(([k, x]) => leaves(x, path ? `${path}.${k}` : (top[k] ?? k)));
}

describe('the lists of the policy form', () => {
  it('has a field for every value of every list (only the free users are the TOML view’s)', () => {
    const d = draft();
    const paths = formPaths(d);
    const missing = leaves(d).filter((p) => !paths.has(p) && !p.startsWith('free_user'));
    expect(missing).toEqual([]);
    expect(leaves(d)).toContain('taxi_driver.segments.segment[1].grants[0].quantity');
    expect(leaves(d)).toContain('document[0].categories');
  });

  it('places each problem of segments, grants, reasons and documents at its field, not on top', () => {
    const d = draft();
    const ps = [
      problem('reason[2].code'),
      problem('document[0].categories'),
      problem('taxi_driver.segments.segment[1].amount'),
      problem('small_business.grants[0].quantity'),
      problem('taxi_driver.segments.segment[1].grants[0].label'),
      problem('taxi_driver.segments.column[1]'),
      problem('taxi_driver.segments.segment[0].values[1]'),
      problem('taxi_driver.segments.segment'),
      problem('paid_subscriber.grants'),
      problem('reason'),
    ];
    expect(unplaced(ps, d)).toEqual([]);
    const by = problemsByPath(ps);
    expect(listProblems(by, 'taxi_driver.segments.segment[0].values').map((p) => p.path)).toEqual(['taxi_driver.segments.segment[0].values[1]']);
    expect(listProblems(by, 'taxi_driver.segments.column').map((p) => p.path)).toEqual(['taxi_driver.segments.column[1]']);
    // Not a prefix of another field: segment[1] is not under segment[1]0.
    expect(listProblems(by, 'taxi_driver.segments.segment')).toEqual([problem('taxi_driver.segments.segment')]);
    // Rows that are gone: their problems have no field any more, so they show on top.
    d.reasons.pop();
    d.taxi_driver.segments = null;
    expect(unplaced(ps, d).map((p) => p.path)).toEqual([
      'reason[2].code', 'taxi_driver.segments.segment[1].amount', 'taxi_driver.segments.segment[1].grants[0].label',
      'taxi_driver.segments.column[1]', 'taxi_driver.segments.segment[0].values[1]', 'taxi_driver.segments.segment',
    ]);
  });

  it('labels every field of the lists in both languages, alike in every rule', () => {
    const ko = dictionaries.ko as Record<string, string>;
    const en = dictionaries.en as Record<string, string>;
    for (const p of formPaths(draft())) {
      expect(ko[fieldKey(p)], fieldKey(p)).toBeTruthy();
      expect(en[fieldKey(p)], fieldKey(p)).toBeTruthy();
    }
    expect(fieldKey('taxi_driver.segments.segment[1].grants[0].amount')).toBe('policyForm.f.grants.amount');
    expect(fieldKey('advertiser.grants[2].kind')).toBe('policyForm.f.grants.kind');
    expect(fieldKey('small_business.segments.segment[3].values[0]')).toBe('policyForm.f.segments.segment.values');
    expect(fieldKey('document[4].categories')).toBe('policyForm.f.document.categories');
  });

  it('names inputs by their path', () => {
    expect(idOf('reason[2].code')).toBe('pf-reason-2-code');
    expect(idOf('taxi_driver.segments.segment[1].grants[0].amount')).toBe('pf-taxi_driver-segments-segment-1-grants-0-amount');
    expect(idOf('small_business.grants')).toBe('pf-small_business-grants');
  });

  it('adds rows after the last, changes only the row edited, and leaves out what is cleared', () => {
    const d = draft();
    const rows = addRow(d.reasons, newReason());
    expect(rows.map((r) => r.code)).toEqual(['NO_LOSS_SHOWN', 'NEED_ID', 'bad code', '']);
    expect(d.reasons).toHaveLength(3);
    expect(newReason()).toEqual({ code: '', kind: 'denial', ko: '', en: '' });
    expect(newDocument()).toEqual({ code: '', ko: '', en: '', categories: [] });
    expect(newGrant()).toEqual({ kind: 'voucher' });
    const grants = patchRow(d.small_business.grants, 0, { label: undefined, amount: 70000 });
    expect(grants).toEqual([{ kind: 'message_credit', amount: 70000 }]);
    expect('label' in grants[0]).toBe(false);
    expect(d.small_business.grants[0].label).toBe('톡채널 메시지');
    const reasons = patchRow(d.reasons, 1, { code: 'NEED_ID_COPY' });
    expect(reasons.map((r) => r.code)).toEqual(['NO_LOSS_SHOWN', 'NEED_ID_COPY', 'bad code']);
    expect(reasons[0]).toBe(d.reasons[0]);
  });

  it('starts segments empty and goes back to none when the last segment is removed', () => {
    expect(newSegments()).toEqual({ column: [], otherwise: 'manual_review', segment: [] });
    const s = { ...newSegments(), column: ['등급'], segment: [newSegment()] };
    expect(withoutSegment(s, 0)).toBeNull();
    const two = draft().taxi_driver.segments!;
    const one = withoutSegment(two, 0);
    expect(one?.segment.map((x) => x.label)).toEqual(['T 블랙']);
    expect(one?.column).toEqual(two.column);
    expect(withoutSegment(one!, 0)).toBeNull();
    expect(two.segment).toHaveLength(2);
  });

  it('offers segments and grants on the rules that have them', () => {
    const d = draft();
    for (const r of SEGMENT_RULES) expect(listsOf(d, r)).toHaveProperty('segments');
    for (const r of GRANT_RULES) expect(Array.isArray(listsOf(d, r).grants)).toBe(true);
    expect(SEGMENT_RULES).not.toContain('paid_subscriber' as never);
  });
});

describe('text typed into the lists', () => {
  it('reads won with separators, keeps exact text for what a number cannot hold, and refuses the rest', () => {
    expect(readWon('50,000', undefined)).toBe(50000);
    expect(readWon(' 1_000 ', undefined)).toBe(1000);
    expect(readWon('-1', undefined)).toBe(-1);
    expect(readWon('10.5', undefined)).toBe('10.5');
    expect(readWon('12345678901234567890', undefined)).toBe('12345678901234567890');
    expect(readWon('', undefined)).toBeUndefined();
    expect(readWon('오만 원', undefined)).toBeNull();
    expect(readWon('1e3', undefined)).toBeNull();
  });

  it('reads counts as whole numbers, blank as left out', () => {
    expect(readCount('3')).toBe(3);
    expect(readCount(' ')).toBeUndefined();
    expect(readCount('-1')).toBeNull();
    expect(readCount('1.5')).toBeNull();
    expect(readCount('many')).toBeNull();
  });

  it('splits comma lists, keeping blank entries for Rust to name', () => {
    expect(splitList('T 블루, T Blue')).toEqual(['T 블루', 'T Blue']);
    expect(splitList('a,,b')).toEqual(['a', '', 'b']);
    expect(splitList('  ')).toEqual([]);
    expect(joinList(['T 블루', 't-blue'])).toBe('T 블루, t-blue');
    expect(splitList(joinList(['멤버십 등급', 'membership_tier']))).toEqual(['멤버십 등급', 'membership_tier']);
  });

  it('words text that does not read as Rust words a draft’s figure', () => {
    const p = unreadableProblem('pf-x', '오만');
    expect(problemText(p)).toBe('숫자가 아닙니다: "오만"');
  });
});
