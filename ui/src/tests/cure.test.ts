import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import type { ClaimDetail, CureClock as Clock, DocumentDef } from '../lib/bindings';
import { addDays, checklist, checklistText, daysLeftText, isDueState, kstToday } from '../lib/cure';
import { DUE_STATES } from '../lib/labels';
import { codeLabel } from '../lib/i18n/index';
import { emptyUiFilter, toQueueFilter, fromQueueFilter, activeFilterCount, parseSavedViews } from '../lib/filter';
import { bulkActionFor } from '../lib/bulk';
import { setLocale } from '../lib/i18n.svelte';
import CureClock from '../lib/components/claim/CureClock.svelte';
import RequiredDocuments from '../lib/components/claim/RequiredDocuments.svelte';

afterEach(() => setLocale('ko'));

/** The text of the element with this test id (tags stripped, spaces squeezed). */
function textOf(body: string, testid: string): string | undefined {
  const m = new RegExp(`<(\\w+)[^>]*data-testid="${testid}"[^>]*>(.*?)</\\1>`, 's').exec(body);
  return m?.[2].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
}

describe('the cure clock in words', () => {
  it('says the days left, the due day and the days overdue', () => {
    expect(daysLeftText(12, 'ko')).toBe('12일 남음');
    expect(daysLeftText(12, 'en')).toBe('12 days left');
    expect(daysLeftText(1, 'en')).toBe('1 day left');
    expect(daysLeftText(0, 'ko')).toBe('오늘 마감');
    expect(daysLeftText(0, 'en')).toBe('Due today');
    expect(daysLeftText(-1, 'en')).toBe('1 day overdue');
    expect(daysLeftText(-3, 'ko')).toBe('3일 경과');
    expect(daysLeftText(-3, 'en')).toBe('3 days overdue');
  });

  it('labels every state of the core in both languages', () => {
    expect(DUE_STATES).toEqual(['open', 'reminder_due', 'overdue']);
    for (const s of DUE_STATES) {
      for (const locale of ['ko', 'en'] as const) expect(codeLabel(locale, 'dueState', s)).not.toBe(s);
    }
    expect(codeLabel('ko', 'dueState', 'reminder_due')).toBe('독촉 필요');
    expect(codeLabel('en', 'dueState', 'overdue')).toBe('Overdue');
    expect(codeLabel('ko', 'action', 'expire')).toBe('보완 기한 만료 종결');
    expect(codeLabel('en', 'noteKind', 'expiry')).toBe('Closed as not cured');
    expect(isDueState('overdue')).toBe(true);
    expect(isDueState('late')).toBe(false);
  });

  it('counts days in Korea time and marks a due date before today as overdue', () => {
    // 2023-02-27 23:30 KST is 14:30 UTC: still the 27th in Korea, the next day only after 15:00 UTC.
    expect(kstToday(Date.UTC(2023, 1, 27, 14, 30))).toBe('2023-02-27');
    expect(kstToday(Date.UTC(2023, 1, 27, 15, 0))).toBe('2023-02-28');
    expect(addDays('2023-02-27', 2)).toBe('2023-03-01');
    expect(addDays('2023-03-14', -33)).toBe('2023-02-09');
  });
});

describe('the documents checklist', () => {
  const docs = [{ code: 'BANK_ACCOUNT_COPY' }, { code: 'DRIVING_RECORD' }, { code: 'SMALL_BUSINESS_CERT' }];

  it('counts only the ticks of documents the claim must send', () => {
    const c = checklist(docs, ['DRIVING_RECORD', 'NO_LONGER_LISTED']);
    expect(c).toEqual({ received: 1, total: 3, complete: false });
    expect(checklistText(c, 'ko')).toBe('1 / 3 접수');
    expect(checklistText(c, 'en')).toBe('1 of 3 received');
    expect(checklist(docs, docs.map((d) => d.code)).complete).toBe(true);
    expect(checklist([], []).complete).toBe(false);
  });
});

describe('the queue’s due filter and bulk expiry', () => {
  it('sends the due state and counts it as a filter, and saved views keep it', () => {
    const ui = { ...emptyUiFilter(), due: 'overdue' as const };
    expect(toQueueFilter(ui, 'kim').filter.due).toBe('overdue');
    expect(toQueueFilter(emptyUiFilter(), 'kim').filter.due).toBeNull();
    expect(activeFilterCount(ui)).toBe(1);
    expect(fromQueueFilter(toQueueFilter(ui, 'kim').filter, 'kim')).toEqual(ui);
    expect(fromQueueFilter({ due: 'whenever' as never }, 'kim').due).toBe('');
    expect(parseSavedViews(JSON.stringify([{ name: 'old', filter: { statuses: ['needs_info'] } }]))[0].filter.due).toBe('');
  });

  it('closes overdue claims with the trimmed note', () => {
    expect(bulkActionFor('expire', { priority: '', tags: '', batchName: '', note: ' 전화 두 번 안내함 ' })).toEqual({ kind: 'expire', note: '전화 두 번 안내함' });
    expect(bulkActionFor('expire', { priority: '', tags: '', batchName: '' })).toEqual({ kind: 'expire', note: '' });
  });
});

describe('the claim screen’s cure clock and checklist', () => {
  const clock = (over: Partial<Clock>): Clock => ({ requested_on: '2023-01-25', due_on: '2023-02-27', extended: false, state: 'open', days_left: 20, ...over });

  it('shows the due date, the state, the days and the request day', () => {
    const body = render(CureClock, { props: { cure: clock({ state: 'reminder_due', days_left: 5 }) } }).body;
    expect(textOf(body, 'cure-state')).toBe('독촉 필요');
    expect(textOf(body, 'cure-due')).toBe('기한 2023-02-27');
    expect(textOf(body, 'cure-days')).toBe('5일 남음');
    expect(textOf(body, 'cure-requested')).toBe('요청일 2023-01-25');
    expect(body).not.toContain('cure-extended');
  });

  it('says an extended window and the days overdue', () => {
    setLocale('en');
    const body = render(CureClock, { props: { cure: clock({ due_on: '2023-03-14', extended: true, state: 'overdue', days_left: -2 }), requests: 2 } }).body;
    expect(textOf(body, 'cure-state')).toBe('Overdue');
    expect(textOf(body, 'cure-extended')).toBe('(extended)');
    expect(textOf(body, 'cure-days')).toBe('2 days overdue');
    expect(textOf(body, 'cure-requests')).toBe('2 requests for information');
  });

  const documents: DocumentDef[] = [
    { code: 'BANK_ACCOUNT_COPY', ko: '통장 사본', en: 'Bank account copy', categories: ['taxi_driver'] },
    { code: 'DRIVING_RECORD', ko: '운행 기록', en: 'Driving record', categories: ['taxi_driver'] },
  ];
  const detail = { category: 'taxi_driver', version: 4, documents, documents_received: ['DRIVING_RECORD'] } as unknown as ClaimDetail;
  const html = (can: string[]) =>
    render(RequiredDocuments, { props: { id: 'D22-0000042', detail, can: new Set(can), pending: null, act: async () => true } }).body;

  it('ticks the documents received and counts them', () => {
    const body = html(['check_document']);
    expect(textOf(body, 'documents-count')).toBe('1 / 2 접수');
    expect(body).toMatch(/<input[^>]*checked[^>]*data-testid="document-check-DRIVING_RECORD"/);
    expect(body).not.toMatch(/<input[^>]*checked[^>]*data-testid="document-check-BANK_ACCOUNT_COPY"/);
    expect(body).not.toMatch(/<input[^>]*disabled[^>]*data-testid="document-check-BANK_ACCOUNT_COPY"/);
  });

  it('is read-only for someone who may not tick documents', () => {
    const body = html([]);
    expect(body).toMatch(/<input[^>]*disabled[^>]*data-testid="document-check-BANK_ACCOUNT_COPY"/);
    expect(textOf(body, 'document-BANK_ACCOUNT_COPY')).toContain('미접수');
  });
});
