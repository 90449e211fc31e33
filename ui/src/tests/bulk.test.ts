import { describe, expect, it } from 'vitest';
import { bulkActionFor } from '../lib/bulk';

const input = { priority: 'high', tags: '#택시, 전화확인 택시', batchName: ' 1차 지급 ' };

describe('bulk actions over the whole filter', () => {
  it('adds tags (never replaces them), each tag once, without #', () => {
    expect(bulkActionFor('tag', input)).toEqual({ kind: 'add_tags', tags: ['택시', '전화확인'] });
  });

  it('changes the priority without touching tags', () => {
    expect(bulkActionFor('priority', input)).toEqual({ kind: 'set_priority', priority: 'high' });
    expect(bulkActionFor('triage', input)).toEqual({ kind: 'triage', priority: 'high', category: null });
  });

  it('takes, and builds a batch under the trimmed name', () => {
    expect(bulkActionFor('take', input)).toEqual({ kind: 'take' });
    expect(bulkActionFor('batch', input)).toEqual({ kind: 'add_to_batch', name: '1차 지급' });
  });

  it('closes non-damage reports with the chosen standard reply, and sets report types', () => {
    expect(bulkActionFor('close', { ...input, reply: 'INQUIRY_ANSWERED', note: ' 전화 안내 ' })).toEqual({
      kind: 'close_no_damage',
      reply: 'INQUIRY_ANSWERED',
      note: '전화 안내',
    });
    expect(bulkActionFor('report_type', { ...input, reportType: 'opinion' })).toEqual({ kind: 'set_report_type', report_type: 'opinion' });
  });
});
