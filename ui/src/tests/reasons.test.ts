import { describe, expect, it } from 'vitest';
import { documentsFor, reasonSeries, reasonsOf, reasonText, startingDenialCode, LEGACY_REASON } from '../lib/reasons';
import type { ReasonDef, DocumentDef } from '../lib/bindings';

const reasons: ReasonDef[] = [
  { code: 'NO_LOSS_SHOWN', kind: 'denial', ko: '피해 사실이 확인되지 않았습니다.', en: 'No loss was shown.', appealable: true },
  { code: 'DUPLICATE', kind: 'denial', ko: '중복 신고입니다.', en: 'A duplicate.', appealable: false },
  { code: 'DOCUMENTS_MISSING', kind: 'deficiency', ko: '서류가 빠져 있습니다.', en: 'Documents are missing.', appealable: false },
  { code: 'INQUIRY_ANSWERED', kind: 'closure', ko: '문의에 답변했습니다.', en: 'Inquiry answered.', appealable: false },
];
const documents: DocumentDef[] = [
  { code: 'BANK_ACCOUNT_COPY', ko: '통장 사본', en: 'Copy of the bankbook', categories: ['small_business', 'taxi_driver'] },
  { code: 'SMALL_BUSINESS_CERT', ko: '소상공인 확인서', en: 'Small-business certificate', categories: ['small_business'] },
];
const catalog = { reasons, documents };

describe('the reason catalog in the UI', () => {
  it('offers each picker only the reasons of its kind, in the policy’s order', () => {
    expect(reasonsOf(catalog, 'denial').map((r) => r.code)).toEqual(['NO_LOSS_SHOWN', 'DUPLICATE']);
    expect(reasonsOf(catalog, 'deficiency').map((r) => r.code)).toEqual(['DOCUMENTS_MISSING']);
    expect(reasonsOf(catalog, 'closure').map((r) => r.code)).toEqual(['INQUIRY_ANSWERED']);
    expect(reasonsOf(null, 'denial')).toEqual([]);
  });

  it('says a code in the reader’s language, as the claimant was told it when the op was stamped', () => {
    expect(reasonText('NO_LOSS_SHOWN', 'ko', catalog, '이전 기록')).toBe('피해 사실이 확인되지 않았습니다.');
    expect(reasonText('NO_LOSS_SHOWN', 'en', catalog, 'earlier')).toBe('No loss was shown.');
    // The stamp's text wins: the policy may have changed the wording since.
    const cited = { code: 'NO_LOSS_SHOWN', kind: 'denial' as const, ko: '당시 문구', en: 'then', appealable: true, policy_version: 1 };
    expect(reasonText('NO_LOSS_SHOWN', 'ko', catalog, '', cited)).toBe('당시 문구');
    // Before coded reasons, and a code this policy no longer has.
    expect(reasonText(LEGACY_REASON, 'ko', catalog, '사유 코드 없음')).toBe('사유 코드 없음');
    expect(reasonText('GONE_NOW', 'ko', catalog, '')).toBe('GONE_NOW');
    expect(reasonText(null, 'ko', catalog, '')).toBe('–');
  });

  it('starts a denial with the code of the policy’s own reason when the catalog has it', () => {
    expect(startingDenialCode(catalog, 'DUPLICATE')).toBe('DUPLICATE');
    expect(startingDenialCode(catalog, 'FILED_OUT_OF_WINDOW')).toBe('', );
    expect(startingDenialCode(catalog, 'NEEDS_EVIDENCE')).toBe('');
    expect(startingDenialCode(null, 'DUPLICATE')).toBe('');
  });

  it('lists the documents of a category', () => {
    expect(documentsFor(catalog, 'small_business').map((d) => d.code)).toEqual(['BANK_ACCOUNT_COPY', 'SMALL_BUSINESS_CERT']);
    expect(documentsFor(catalog, 'taxi_driver').map((d) => d.code)).toEqual(['BANK_ACCOUNT_COPY']);
    expect(documentsFor(catalog, 'free_user')).toEqual([]);
  });

  it('stacks the dashboard’s reason counts by kind, most counted codes first', () => {
    const { codes, series } = reasonSeries([
      { kind: 'closure', code: 'INQUIRY_ANSWERED', claims: 7 },
      { kind: 'denial', code: 'DUPLICATE', claims: 2 },
      { kind: 'denial', code: LEGACY_REASON, claims: 3 },
      { kind: 'deficiency', code: LEGACY_REASON, claims: 1 },
    ]);
    expect(codes).toEqual(['INQUIRY_ANSWERED', LEGACY_REASON, 'DUPLICATE']);
    expect(series).toEqual([
      { kind: 'denial', data: [0, 3, 2] },
      { kind: 'deficiency', data: [0, 1, 0] },
      { kind: 'closure', data: [7, 0, 0] },
    ]);
  });
});
