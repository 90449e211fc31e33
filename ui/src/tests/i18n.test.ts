import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import coreKo from '../../../crates/core/messages/ko.json';
import coreEn from '../../../crates/core/messages/en.json';
import { dictionaries, translate, codeLabel } from '../lib/i18n/index';
import { QUEUE_SHORTCUTS } from '../lib/shortcuts';
import { CLAIM_ACTIONS, opKindAction } from '../lib/labels';

const ko = dictionaries.ko as Record<string, string>;
const en = dictionaries.en as Record<string, string>;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name === 'tests' || name === 'bindings' || name === 'i18n') continue;
      out.push(...sourceFiles(p));
    } else if (/\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts')) {
      out.push(p);
    }
  }
  return out;
}

describe('i18n completeness', () => {
  it('has every Korean key in English and no English key Korean lacks', () => {
    const missingInEn = Object.keys(ko).filter((k) => !(k in en));
    const extraInEn = Object.keys(en).filter((k) => !(k in ko));
    expect(missingInEn).toEqual([]);
    expect(extraInEn).toEqual([]);
  });

  it('has no empty message in either language', () => {
    for (const dict of [ko, en]) {
      expect(Object.entries(dict).filter(([, v]) => v.trim() === '').map(([k]) => k)).toEqual([]);
    }
  });

  it('uses the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const mismatched = Object.keys(ko).filter((k) => names(ko[k]).join() !== names(en[k] ?? '').join());
    expect(mismatched).toEqual([]);
  });

  it('defines every key the source code asks for with t(...)', () => {
    const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
    const used = new Set<string>();
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((k) => !((k in ko && k in en) || (k in coreKo && k in coreEn)));
    expect(missing).toEqual([]);
  });

  it('labels every shortcut in both languages', () => {
    for (const s of QUEUE_SHORTCUTS) {
      expect(ko[s.label]).toBeTruthy();
      expect(en[s.label]).toBeTruthy();
    }
  });

  it('labels every status, category, remedy and role the core defines', () => {
    const codes = {
      status: ['new', 'triaged', 'in_review', 'needs_info', 'recommended', 'batched', 'approved', 'paid', 'closed_denied', 'closed_no_damage', 'conflict'],
      reportType: ['damage_claim', 'inquiry', 'opinion', 'complaint'],
      category: ['free_user', 'paid_subscriber', 'taxi_driver', 'designated_driver', 'small_business', 'advertiser', 'other'],
      remedy: ['voucher', 'extension', 'cash', 'manual_review', 'none', 'points', 'message_credit', 'fee_waiver'],
      role: ['reviewer', 'supervisor', 'admin'],
      reason: ['FILED_OUT_OF_WINDOW', 'UNKNOWN_SERVICE', 'NO_OVERLAP', 'MISSING_BRN', 'DUPLICATE', 'NEEDS_EVIDENCE', 'MANUAL_REVIEW', 'SEGMENT_MISSING', 'SEGMENT_UNKNOWN'],
    };
    for (const [kind, list] of Object.entries(codes)) {
      for (const code of list) {
        expect(codeLabel('ko', kind, code)).not.toBe(code);
        expect(codeLabel('en', kind, code)).not.toBe(code);
      }
    }
    expect(codeLabel('ko', 'status', 'in_review')).toBe('심사 중');
    expect(codeLabel('en', 'status', 'in_review')).toBe('In review');
    // Report types are labelled by the core's catalogs (the CLI prints the same words).
    expect(codeLabel('ko', 'reportType', 'inquiry')).toBe('문의');
    expect(codeLabel('en', 'reportType', 'complaint')).toBe('Complaint');
  });

  it('fills placeholders and falls back to the code for an unknown code', () => {
    expect(translate('ko', 'queue.selected', { n: '1,234' })).toBe('1,234건 선택됨');
    expect(translate('en', 'queue.selected', { n: '1,234' })).toBe('1,234 selected');
    expect(codeLabel('ko', 'service', 'new_service_2023')).toBe('new_service_2023');
  });
});

describe('messages chosen at run time', () => {
  it('has a message for every filter problem, override difference, personal field, batch status and job phase', () => {
    const keys = [
      ...['amount_min', 'amount_max', 'amount_order', 'assignee_user'].map((p) => `queue.problem.${p}`),
      ...['no_policy', 'eligibility', 'remedy', 'amount', 'extension_days', 'grants'].map((d) => `claim.diff.${d}`),
      ...['extension', 'voucher', 'points', 'fee_waiver'].map((k) => `grant.unit.${k}`),
      ...['phone', 'brn', 'account_no'].map((f) => `personal.${f}`),
      ...['open', 'approved'].map((s) => `batches.status.${s}`),
      ...['write_demo_file', 'import', 'evaluate', 'bulk', 'export', 'done', 'cancelled'].map((p) => `phase.${p}`),
    ];
    expect(keys.filter((k) => !(k in ko) || !(k in en))).toEqual([]);
  });

  it('names every claim action of the core, as the timeline shows its op kinds', () => {
    const keys = CLAIM_ACTIONS.map((a) => `action.${a}`);
    expect(keys.filter((k) => !(k in ko) || !(k in en))).toEqual([]);
    expect(opKindAction('claim.reserve_payout')).toBe('reserve_payout');
    expect(translate('ko', `action.${opKindAction('claim.take')}`)).toBe('담당하기');
  });

  it('has the core’s every message in both languages, with the same parameters, and none hidden by a UI text', () => {
    // The Rust build refuses a code without both texts (msg!/code_key!); here: the UI reads the same files.
    const names = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
    expect(Object.keys(coreKo).length).toBeGreaterThan(150);
    expect(Object.keys(coreEn).sort()).toEqual(Object.keys(coreKo).sort());
    for (const key of Object.keys(coreKo)) {
      expect(names((coreEn as Record<string, string>)[key]), key).toEqual(names((coreKo as Record<string, string>)[key]));
      expect(key in ko, `${key} is in the core's catalog; a UI copy would hide its parameters`).toBe(false);
    }
    for (const code of ['MAKER_CHECKER', 'OVER_APPROVAL_LIMIT', 'SYNC_OFFLINE', 'BAD_AMOUNT']) {
      expect(`error.${code}` in coreKo || `problem.${code}` in coreKo, code).toBe(true);
    }
  });
});
