import { describe, expect, it } from 'vitest';
import { splitQuarantineMessage } from '../lib/quarantine';

describe('quarantine messages as table cells', () => {
  it('splits the column from the message', () => {
    expect(splitQuarantineMessage("line 812, 연락처: '010-12-5678' is not a Korean mobile number")).toEqual([
      { column: '연락처', message: "'010-12-5678' is not a Korean mobile number" },
    ]);
  });
  it('lists every problem of a row', () => {
    const p = splitQuarantineMessage("line 3, 성명: empty, but a name is required; claimed_amount_krw: '12.5' is not an amount in whole won (write 1,234,000 or 1234000원)");
    expect(p.map((x) => x.column)).toEqual(['성명', 'claimed_amount_krw']);
    expect(p[1].message).toContain('whole won');
  });
  it('keeps a message with no column whole', () => {
    expect(splitQuarantineMessage('line 9, the row has 3 fields but the header has 14')).toEqual([{ column: '', message: 'the row has 3 fields but the header has 14' }]);
  });
});

import { problemsOf } from '../lib/quarantine';

describe('quarantine problems from the core', () => {
  it('uses the columns the core reports', () => {
    const p = problemsOf({ message: 'line 5, x: y', problems: [{ column: '청구금액', message: "'12.5' is not an amount in whole won" }] });
    expect(p).toEqual([{ column: '청구금액', message: "'12.5' is not an amount in whole won" }]);
  });
  it('reads the message when the core lists no problems', () => {
    expect(problemsOf({ message: "line 5, 성명: empty, but a name is required", problems: [] })).toEqual([{ column: '성명', message: 'empty, but a name is required' }]);
  });
});
