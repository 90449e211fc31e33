import { describe, expect, it } from 'vitest';
import { incidentFromForm, suggestId } from '../lib/incidentForm';

const base = { copyOf: 'pangyo-2022-10-15', id: 'coupang-breach-2025-11', name: ' 2025 쿠팡 개인정보 유출 ', start: '2025-11-01', end: '2025-11-30' };

describe('the new-incident form', () => {
  it('becomes an Incident from 00:00 of the first day to 23:59:59 of the last, KST', () => {
    const { incident, problems } = incidentFromForm(base, ['pangyo-2022-10-15']);
    expect(problems).toEqual([]);
    expect(incident).toEqual({ id: 'coupang-breach-2025-11', name: '2025 쿠팡 개인정보 유출', started_at: '2025-11-01T00:00:00+09:00', ended_at: '2025-11-30T23:59:59+09:00' });
  });

  it('says what is wrong, field by field, as the store would', () => {
    expect(incidentFromForm({ ...base, id: 'Bad Id' }, []).problems).toEqual(['id']);
    expect(incidentFromForm({ ...base, id: 'x'.repeat(65) }, []).problems).toEqual(['id']);
    expect(incidentFromForm(base, ['coupang-breach-2025-11']).problems).toEqual(['id_taken']);
    expect(incidentFromForm({ ...base, name: '  ' }, []).problems).toEqual(['name']);
    expect(incidentFromForm({ ...base, copyOf: '' }, []).problems).toEqual(['copy_of']);
    expect(incidentFromForm({ ...base, start: '2025-02-30' }, []).problems).toEqual(['start']);
    expect(incidentFromForm({ ...base, end: '' }, []).problems).toEqual(['end']);
    expect(incidentFromForm({ ...base, start: '2025-12-01' }, []).problems).toEqual(['order']);
    expect(incidentFromForm({ ...base, start: '2025-12-01' }, []).incident).toBeNull();
  });

  it('suggests an id from the name and the start month', () => {
    expect(suggestId('2025 Coupang breach', '2025-11-01')).toBe('coupang-breach-2025-11');
    expect(suggestId('2025 쿠팡 개인정보 유출', '2025-11-01')).toBe('incident-2025-11');
    expect(suggestId('Rerun', '')).toBe('rerun');
  });
});
