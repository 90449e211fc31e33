import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import type { PolicyDraft, PolicyProblem } from '../lib/bindings';
import PolicyForm from '../lib/components/policy/PolicyForm.svelte';
import { setLocale } from '../lib/i18n.svelte';

/** The form rendered (server-side: what it shows, not how it reacts) over a draft with every list. */
function draft(): PolicyDraft {
  return {
    name: 'final',
    filing_window: { start: '2022-10-19T00:00:00+09:00', end: '2022-11-06T23:59:59+09:00' },
    free_user: { voucher: true, grants: [] },
    paid_subscriber: { extension_multiplier: '3', grants: [{ kind: 'extension', quantity: 3 }] },
    taxi_driver: {
      flat: '25000', cap: '300000', grants: [],
      segments: { column: ['멤버십 등급'], otherwise: 'formula', segment: [{ label: 'T 블루', values: ['T 블루', 't-blue'], amount: 50000, grants: [{ kind: 'points', quantity: 3000 }] }] },
    },
    designated_driver: { flat: '25000', cap: '200000', segments: null, grants: [] },
    small_business: {
      cap: '1000000', bands: [{ up_to: '300000', base: '30000' }], segments: null,
      documented: { min: '50000', base: '50000', threshold: '500000', rate: '0.1' },
      grants: [{ kind: 'message_credit', amount: 50000 }],
    },
    advertiser: { cap: '5000000', segments: null, grants: [] },
    services: [{ code: 'kakaotalk', name: '카카오톡', outage_start: '2022-10-15T15:30:00+09:00', outage_end: '2022-10-16T01:31:00+09:00' }],
    reasons: [{ code: 'bad code', kind: 'denial', ko: '손해 없음', en: 'No loss' }],
    documents: [{ code: 'BANK_ACCOUNT_COPY', ko: '통장 사본', en: 'Bank account copy', categories: [] }],
    cure: { days: 30, mail_days: 3, reminder_days: 7, extended_until: null },
  };
}

const other = (path: string, problem: string): PolicyProblem => ({ path, rule: 'other', params: { problem }, code: 'POLICY_INVALID', message: problem, explain: { key: 'policy.rule.other', params: { problem } } });

function html(problems: PolicyProblem[], readonly: boolean): string {
  return render(PolicyForm, { props: { draft: draft(), problems, readonly, onchange: () => {} } }).body;
}

/** The text of the problem list under the field with this id. */
function under(body: string, id: string): string | undefined {
  const m = new RegExp(`data-testid="problem-${id}-err"[^>]*>(.*?)</ul>`).exec(body);
  return m?.[1].replace(/<[^>]+>/g, '');
}

describe('the policy form', () => {
  it('shows each problem of the lists under its own field and none on top', () => {
    const body = html([
      other('reason[0].code', 'must be a code, e.g. NO_LOSS_SHOWN'),
      other('document[0].categories', 'must name the categories that send it'),
      other('taxi_driver.segments.segment[0].values[1]', "'t-blue' is already a value"),
      other('taxi_driver.segments.segment[0].grants[0].quantity', 'must be at least 1'),
      other('small_business.grants[0].amount', 'must be > 0 for a message credit'),
      other('paid_subscriber.grants[0].kind', 'cannot be cash'),
      other('free_user.grants', 'must list a grant when free_user.voucher is false'),
    ], false);
    expect(under(body, 'pf-free_user-grants')).toContain('free_user.voucher is false');
    expect(under(body, 'pf-reason-0-code')).toContain('NO_LOSS_SHOWN');
    expect(under(body, 'pf-document-0-categories')).toContain('must name the categories');
    expect(under(body, 'pf-taxi_driver-segments-segment-0-values')).toContain('already a value');
    expect(under(body, 'pf-taxi_driver-segments-segment-0-grants-0-quantity')).toContain('at least 1');
    expect(under(body, 'pf-small_business-grants-0-amount')).toContain('message credit');
    expect(under(body, 'pf-paid_subscriber-grants-0-kind')).toContain('cannot be cash');
    expect(body).not.toContain('pf-unplaced');
  });

  it("words a problem the core sent as a message in the reader's language", () => {
    // What Rust sends for a reason code listed twice: English text, and the message the editor shows.
    const twice: PolicyProblem = {
      ...other('reason[0].code', "'NO_LOSS_SHOWN' is listed twice"),
      explain: { key: 'policy.problem.listed_twice', params: { code: 'NO_LOSS_SHOWN' } },
    };
    setLocale('ko');
    expect(under(html([twice], false), 'pf-reason-0-code')).toContain("'NO_LOSS_SHOWN'이(가) 두 번 있습니다.");
    setLocale('en');
    expect(under(html([twice], false), 'pf-reason-0-code')).toContain("'NO_LOSS_SHOWN' is listed twice");
    setLocale('ko');
  });

  it('offers to add rows and segments only while editing', () => {
    const editing = html([], false);
    for (const id of ['pf-reason-add', 'pf-document-add', 'pf-designated_driver-segments-start', 'pf-taxi_driver-segments-add',
      'pf-taxi_driver-segments-segment-0-grants-add', 'pf-advertiser-grants-add', 'pf-reason-0-remove']) {
      expect(editing, id).toContain(`data-testid="${id}"`);
    }
    expect(editing).not.toContain('data-testid="pf-taxi_driver-segments-start"');
    const reading = html([], true);
    // (pf-filing-start is the filing window's field.)
    expect(reading.match(/data-testid="pf-[^"]*-(add|start|remove)"/g)).toEqual(['data-testid="pf-filing-start"']);
    expect(reading).toContain('value="T 블루, t-blue"');
  });
  it('edits the cure window: its days, the reminder and the extension as a date', () => {
    const d = draft();
    d.cure = { days: 30, mail_days: 3, reminder_days: 7, extended_until: '2023-03-14' };
    const body = render(PolicyForm, { props: { draft: d, problems: [other('cure.reminder_days', 'must be less than the window')], readonly: false, onchange: () => {} } }).body;
    expect(body).toMatch(/<input[^>]*value="7"[^>]*data-testid="pf-cure-reminder-days"/);
    expect(body).toMatch(/<input[^>]*type="date"[^>]*value="2023-03-14"[^>]*data-testid="pf-cure-extended-until"/);
    expect(under(body, 'pf-cure-reminder-days')).toContain('less than the window');
    expect(body).toContain('독촉 알림 (기한 며칠 전)');
    expect(body).not.toContain('pf-unplaced');
    // No extension: the date is empty.
    expect(html([], false)).toMatch(/<input[^>]*type="date"[^>]*value=""[^>]*data-testid="pf-cure-extended-until"/);
  });
});
