import { describe, expect, it } from 'vitest';
import type { PolicyDraft, PolicyProblem } from '../lib/bindings';
import { dictionaries } from '../lib/i18n/index';
import { problemText } from '../lib/components/policy/problemText';
import { setLocale } from '../lib/i18n.svelte';
import {
  RULE_SECTIONS, fieldKey, formPaths, kstInputOf, moveRow, newService, problemsByPath, removeRow,
  rfc3339OfKstInput, ruleAt, unplaced,
} from '../lib/policyDraft';

/** The default policy as Rust's PolicyDraft::from gives it (two services for brevity). */
function draft(): PolicyDraft {
  return {
    name: '2022 카카오 장애 기본 보상안 (default 2022)',
    filing_window: { start: '2022-10-19T00:00:00+09:00', end: '2022-11-06T23:59:59+09:00' },
    free_user: { voucher: true, grants: [] },
    paid_subscriber: { extension_multiplier: '3', grants: [] },
    taxi_driver: { flat: '25000', cap: '300000', segments: null, grants: [] },
    designated_driver: { flat: '25000', cap: '200000', segments: null, grants: [] },
    small_business: {
      cap: '1000000',
      bands: [{ up_to: '300000', base: '30000' }, { up_to: '500000', base: '50000' }],
      documented: { min: '50000', base: '50000', threshold: '500000', rate: '0.1' },
      segments: null,
      grants: [],
    },
    advertiser: { cap: '5000000', segments: null, grants: [] },
    services: [
      { code: 'kakaotalk', name: '카카오톡', outage_start: '2022-10-15T15:30:00+09:00', outage_end: '2022-10-16T01:31:00+09:00' },
      { code: 'melon', name: '멜론', outage_start: '2022-10-15T15:30:00+09:00', outage_end: '2022-10-16T10:00:00+09:00' },
    ],
    reasons: [],
    documents: [],
    cure: { days: 30, mail_days: 3, reminder_days: 7, extended_until: null },
  };
}

/** Every text of the draft by the path Rust's problems use (`service[i]` for the catalog). */
function leaves(v: unknown, path = ''): string[] {
  if (typeof v === 'string') return [path];
  if (v === null || typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, `${path}[${i}]`));
  return Object.entries(v as object).flatMap(([k, x]) => leaves(x, path ? `${path}.${k}` : k === 'services' ? 'service' : k));
}

const problem = (path: string, rule: string, params: Record<string, string> = {}): PolicyProblem => ({
  path, rule, params, code: 'POLICY_INVALID', message: `${path} (English from Rust)`, explain: { key: `policy.rule.${rule}`, params },
});

describe('policy form over the draft', () => {
  it('has an input for every figure, time and text of the draft', () => {
    const d = draft();
    const paths = formPaths(d);
    // The free users' voucher and grants are edited in the TOML view (segments and the other lists: policyLists.test.ts).
    const missing = leaves(d).filter((p) => !paths.has(p) && !p.startsWith('free_user'));
    expect(missing).toEqual([]);
    expect(leaves(d)).toContain('small_business.bands[1].up_to');
    expect(leaves(d)).toContain('service[1].outage_end');
  });

  it('each rule section reads and writes its own part of the draft', () => {
    const d = draft();
    for (const spec of RULE_SECTIONS) for (const f of spec.fields) expect(typeof ruleAt(d, spec.path)[f.name]).toBe('string');
    ruleAt(d, 'small_business.documented').rate = '0.2';
    ruleAt(d, 'taxi_driver').cap = '1,000,000';
    expect(d.small_business.documented.rate).toBe('0.2');
    expect(d.taxi_driver.cap).toBe('1,000,000');
    expect(d.designated_driver.cap).toBe('200000');
  });

  it('shows times in Korea time and writes them back with +09:00', () => {
    expect(kstInputOf('2022-10-19T00:00:00+09:00')).toBe('2022-10-19T00:00:00');
    expect(kstInputOf('2022-10-15T06:30:00Z')).toBe('2022-10-15T15:30:00');
    expect(kstInputOf('later')).toBe('');
    expect(rfc3339OfKstInput('2022-10-19T00:00')).toBe('2022-10-19T00:00:00+09:00');
    expect(rfc3339OfKstInput('2022-11-06T23:59:59')).toBe('2022-11-06T23:59:59+09:00');
    expect(rfc3339OfKstInput('')).toBe('');
    const t = '2022-11-06T23:59:59+09:00';
    expect(rfc3339OfKstInput(kstInputOf(t))).toBe(t);
  });

  it('adds, removes and reorders rows without touching the others', () => {
    const rows = ['a', 'b', 'c'];
    expect(moveRow(rows, 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveRow(rows, 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveRow(rows, 0, -1)).toBe(rows);
    expect(moveRow(rows, 2, 1)).toBe(rows);
    expect(removeRow(rows, 1)).toEqual(['a', 'c']);
    expect(rows).toEqual(['a', 'b', 'c']);
    const d = draft();
    expect(newService(d)).toEqual({ code: '', name: '', outage_start: d.filing_window.start, outage_end: d.filing_window.start });
  });
});

describe('problems at their fields', () => {
  it('puts each problem at its path, keeps Rust order, and lists those without a place', () => {
    const d = draft();
    const ps = [
      problem('small_business.bands[1].up_to', 'ascending'),
      problem('taxi_driver.cap', 'positive'),
      problem('small_business.bands[1].up_to', 'non_negative'),
      problem('service[1].code', 'duplicate', { service: 'melon' }),
      problem('service', 'at_least_one'),
      problem('segments[0].name', 'empty'),
    ];
    const by = problemsByPath(ps);
    expect(by.get('small_business.bands[1].up_to')?.map((p) => p.rule)).toEqual(['ascending', 'non_negative']);
    expect(by.get('taxi_driver.cap')?.length).toBe(1);
    expect(by.get('small_business.bands[0].up_to')).toBeUndefined();
    expect(unplaced(ps, d).map((p) => p.path)).toEqual(['segments[0].name']);
    // A band that was removed: its problem is no longer placed at a row, so it shows on top.
    d.small_business.bands.pop();
    expect(unplaced(ps, d).map((p) => p.path)).toEqual(['small_business.bands[1].up_to', 'small_business.bands[1].up_to', 'segments[0].name']);
  });

  it('labels every field in Korean and English, never with Rust English', () => {
    const ko = dictionaries.ko as Record<string, string>;
    const en = dictionaries.en as Record<string, string>;
    for (const p of formPaths(draft())) {
      expect(ko[fieldKey(p)], fieldKey(p)).toBeTruthy();
      expect(en[fieldKey(p)], fieldKey(p)).toBeTruthy();
    }
    for (const spec of RULE_SECTIONS) {
      expect(ko[`policyForm.s.${spec.path}`]).toBeTruthy();
      expect(en[`policyForm.s.${spec.path}.help`]).toBeTruthy();
    }
    expect(fieldKey('small_business.bands[3].base')).toBe('policyForm.f.small_business.bands.base');
    expect(fieldKey('service[10].outage_end')).toBe('policyForm.f.service.outage_end');
  });

  it('words every rule in the reader\'s language from the message the core sent', () => {
    // As Rust sends them (crates/core/src/policy/config.rs Rule::message): the compared field as a label.
    const before: PolicyProblem = { ...problem('filing_window.end', 'not_before'), explain: { key: 'policy.rule.not_before', labels: { other: 'policy.field.filing_window.start' } } };
    setLocale('ko');
    expect(problemText(before)).toBe('접수 시작보다 앞설 수 없습니다.');
    expect(problemText(problem('advertiser.cap', 'at_most', { max: '1000' }))).toBe('1000 이하여야 합니다.');
    setLocale('en');
    expect(problemText(before)).toBe('Must not be before the filing start.');
    setLocale('ko');
  });
});
