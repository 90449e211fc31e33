import { describe, expect, it } from 'vitest';
import { emptyUiFilter, toQueueFilter, splitTags, activeFilterCount, parseSavedViews, upsertView } from '../lib/filter';

describe('queue filter → QueueFilter', () => {
  it('is an empty filter when nothing is set', () => {
    const { filter, problems } = toQueueFilter(emptyUiFilter(), 'kim');
    expect(problems).toEqual([]);
    expect(filter).toEqual({
      statuses: [],
      categories: [],
      services: [],
      assignee: null,
      amount_min: null,
      amount_max: null,
      eligible: null,
      remedies: [],
      reasons: [],
      report_types: [],
      reason_codes: [],
      overrides_only: false,
      duplicates_only: false,
      tags: [],
      priority: null,
      batch_id: null,
      text: null,
      incident: null,
      due: null,
    });
  });

  it('filters by report type and counts it as a filter', () => {
    const ui = { ...emptyUiFilter(), reportTypes: ['inquiry', 'complaint'] };
    expect(toQueueFilter(ui, 'kim').filter.report_types).toEqual(['inquiry', 'complaint']);
    expect(activeFilterCount(ui)).toBe(1);
    // A view saved before report types existed reads with none.
    expect(parseSavedViews(JSON.stringify([{ name: 'old', filter: { statuses: ['new'] } }]))[0].filter.reportTypes).toEqual([]);
  });

  it('turns "mine" into the signed-in user and "unassigned" into an empty assignee', () => {
    expect(toQueueFilter({ ...emptyUiFilter(), assignee: 'mine' }, 'reviewer1').filter.assignee).toBe('reviewer1');
    expect(toQueueFilter({ ...emptyUiFilter(), assignee: 'unassigned' }, 'reviewer1').filter.assignee).toBe('');
    expect(toQueueFilter({ ...emptyUiFilter(), assignee: 'user', assigneeUser: ' lee ' }, 'kim').filter.assignee).toBe('lee');
    const r = toQueueFilter({ ...emptyUiFilter(), assignee: 'user', assigneeUser: '' }, 'kim');
    expect(r.filter.assignee).toBeNull();
    expect(r.problems).toContain('assignee_user');
  });

  it('reads amounts typed with separators and 원, and reports what it cannot read', () => {
    const ok = toQueueFilter({ ...emptyUiFilter(), amountMin: '50,000', amountMax: '300000원' }, 'kim');
    expect(ok.filter.amount_min).toBe(50000);
    expect(ok.filter.amount_max).toBe(300000);
    const bad = toQueueFilter({ ...emptyUiFilter(), amountMin: '오만원' }, 'kim');
    expect(bad.filter.amount_min).toBeNull();
    expect(bad.problems).toEqual(['amount_min']);
    const swapped = toQueueFilter({ ...emptyUiFilter(), amountMin: '300,000', amountMax: '1,000' }, 'kim');
    expect([swapped.filter.amount_min, swapped.filter.amount_max]).toEqual([1000, 300000]);
    expect(swapped.problems).toEqual(['amount_order']);
  });

  it('passes flags, codes, tags, priority and the Korean search text', () => {
    const { filter } = toQueueFilter(
      {
        ...emptyUiFilter(),
        statuses: ['new', 'triaged'],
        categories: ['taxi_driver'],
        services: ['kakao_t'],
        eligible: 'yes',
        overridesOnly: true,
        duplicatesOnly: true,
        tags: '#긴급, 서류확인  긴급',
        priority: 'high',
        text: '  택시   호출 ',
      },
      'kim',
    );
    expect(filter.statuses).toEqual(['new', 'triaged']);
    expect(filter.categories).toEqual(['taxi_driver']);
    expect(filter.services).toEqual(['kakao_t']);
    expect(filter.eligible).toBe(true);
    expect(filter.overrides_only).toBe(true);
    expect(filter.duplicates_only).toBe(true);
    expect(filter.tags).toEqual(['긴급', '서류확인']);
    expect(filter.priority).toBe('high');
    expect(filter.text).toBe('택시 호출');
    expect(toQueueFilter({ ...emptyUiFilter(), eligible: 'no' }, 'kim').filter.eligible).toBe(false);
  });

  it('counts the filters that are set', () => {
    expect(activeFilterCount(emptyUiFilter())).toBe(0);
    expect(activeFilterCount({ ...emptyUiFilter(), statuses: ['new'], amountMax: '1', text: '택시' })).toBe(3);
  });

  it('splits tags on commas and spaces without duplicates', () => {
    expect(splitTags('a, b  c,,a')).toEqual(['a', 'b', 'c']);
  });

  it('keeps saved views sorted by name and survives malformed storage', () => {
    expect(parseSavedViews('not json')).toEqual([]);
    expect(parseSavedViews('[{"name":1}]')).toEqual([]);
    const views = parseSavedViews(JSON.stringify([{ name: '내 택시', filter: { categories: ['taxi_driver'] } }]));
    expect(views[0].filter.categories).toEqual(['taxi_driver']);
    expect(views[0].filter.statuses).toEqual([]);
    const more = upsertView(views, { name: '가 긴급', filter: emptyUiFilter(), sortKey: 'amount', descending: true });
    expect(more.map((v) => v.name)).toEqual(['가 긴급', '내 택시']);
    expect(upsertView(more, { ...more[0], descending: false }).length).toBe(2);
  });
});

import { fromQueueFilter, mergeTags } from '../lib/filter';

describe('saved views come back as the filter a person set', () => {
  it('round-trips through QueueFilter', () => {
    const ui = {
      ...emptyUiFilter(),
      statuses: ['in_review'],
      assignee: 'mine' as const,
      amountMin: '10000',
      eligible: 'no' as const,
      tags: '긴급, 서류',
      priority: 'urgent',
      text: '택시 호출',
      overridesOnly: true,
    };
    const back = fromQueueFilter(toQueueFilter(ui, 'kim').filter, 'kim');
    expect(back).toEqual(ui);
  });
  it('shows another user’s view of "mine" as that user', () => {
    const back = fromQueueFilter({ assignee: 'lee' }, 'kim');
    expect(back.assignee).toBe('user');
    expect(back.assigneeUser).toBe('lee');
    expect(fromQueueFilter({ assignee: '' }, 'kim').assignee).toBe('unassigned');
  });
  it('adds tags without dropping the ones a claim has', () => {
    expect(mergeTags(['서류'], ['긴급', '서류'])).toEqual(['서류', '긴급']);
  });
});
