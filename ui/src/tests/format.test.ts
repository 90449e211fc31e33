import { describe, expect, it } from 'vitest';
import { formatWon, formatKst, formatKstMs, formatKstDate, parseKst, parseWon, groupDigits, formatCount, formatDuration, formatWonShort } from '../lib/format';

describe('amounts in won', () => {
  it('shows 1,234,000원 in Korean and ₩1,234,000 in English', () => {
    expect(formatWon(1234000, 'ko')).toBe('1,234,000원');
    expect(formatWon(1234000, 'en')).toBe('₩1,234,000');
  });
  it('accepts decimal strings from the core (rust_decimal) without going through floats', () => {
    expect(formatWon('300000', 'ko')).toBe('300,000원');
    expect(formatWon('75075.00', 'en')).toBe('₩75,075');
    expect(formatWon('12345678901234567890', 'ko')).toBe('12,345,678,901,234,567,890원');
  });
  it('shows zero, small and negative amounts plainly', () => {
    expect(formatWon(0, 'ko')).toBe('0원');
    expect(formatWon(999, 'en')).toBe('₩999');
    expect(formatWon(-50000, 'en')).toBe('-₩50,000');
    expect(formatWon(-50000, 'ko')).toBe('-50,000원');
  });
  it('shows a dash for a missing amount rather than 0', () => {
    expect(formatWon(null)).toBe('–');
    expect(formatWon(undefined, 'en')).toBe('–');
    expect(formatWon('abc')).toBe('–');
  });
  it('groups counts', () => {
    expect(formatCount(1000000)).toBe('1,000,000');
    expect(groupDigits(105116)).toBe('105,116');
  });
  it('reads amounts the way people type them', () => {
    expect(parseWon('1,234,000')).toBe(1234000);
    expect(parseWon('1234000원')).toBe(1234000);
    expect(parseWon('₩ 50,000')).toBe(50000);
    expect(parseWon('')).toBeNull();
    expect(parseWon('12.5')).toBeNull();
    expect(parseWon('-3')).toBeNull();
  });
  it('abbreviates for chart axes', () => {
    expect(formatWonShort(150_000_000, 'ko')).toBe('1.5억');
    expect(formatWonShort(34_000_000, 'ko')).toBe('3,400만');
    expect(formatWonShort(35_000, 'ko')).toBe('3.5만');
    expect(formatWonShort(40_000, 'ko')).toBe('4만');
    expect(formatWonShort(34_000_000, 'en')).toBe('₩34M');
  });
});

describe('dates in Korea time', () => {
  // 2022-10-15T15:30:00+09:00, when the fire stopped the services.
  const fire = Date.UTC(2022, 9, 15, 6, 30) / 1000;
  it('shows an instant as Korea time, whatever the machine’s zone', () => {
    expect(formatKst(fire)).toBe('2022-10-15 15:30');
    expect(formatKst(fire, true)).toBe('2022-10-15 15:30:00');
    expect(formatKstMs(fire * 1000)).toBe('2022-10-15 15:30');
  });
  it('crosses midnight at Korea’s midnight, not UTC’s', () => {
    // 2022-10-15T16:00Z is already the 16th in Seoul.
    const t = Date.UTC(2022, 9, 15, 16, 0) / 1000;
    expect(formatKst(t)).toBe('2022-10-16 01:00');
    expect(formatKstDate(t)).toBe('2022-10-16');
  });
  it('reads what a person types as Korea time', () => {
    expect(parseKst('2022-10-15 15:30')).toBe(fire);
    expect(parseKst('2022.10.15 15:30')).toBe(fire);
    expect(parseKst('2022-10-16')).toBe(Date.UTC(2022, 9, 15, 15, 0) / 1000);
    expect(parseKst('2022-02-30')).toBeNull();
    expect(parseKst('yesterday')).toBeNull();
  });
  it('shows a dash for a missing time', () => {
    expect(formatKst(null)).toBe('–');
  });
  it('writes durations as the policy explanation does', () => {
    expect(formatDuration(10 * 3600 + 60, 'ko')).toBe('10시간 1분');
    expect(formatDuration(10 * 3600 + 60, 'en')).toBe('10 h 1 min');
  });
});
