import { describe, expect, it } from 'vitest';
import { queueActionFor, moveCursor, QUEUE_SHORTCUTS, keyLabel } from '../lib/shortcuts';

describe('queue keyboard shortcuts', () => {
  it('maps the triage keys', () => {
    expect(queueActionFor({ key: 'j' })).toBe('down');
    expect(queueActionFor({ key: 'ArrowDown' })).toBe('down');
    expect(queueActionFor({ key: 'k' })).toBe('up');
    expect(queueActionFor({ key: 'ArrowUp' })).toBe('up');
    expect(queueActionFor({ key: 'Enter' })).toBe('open');
    expect(queueActionFor({ key: 't' })).toBe('take');
    expect(queueActionFor({ key: 'g' })).toBe('tag');
    expect(queueActionFor({ key: '/' })).toBe('search');
    expect(queueActionFor({ key: 'x' })).toBe('select');
    expect(queueActionFor({ key: '?' })).toBe('help');
  });

  it('lets typing in the search box be typing, except Escape', () => {
    expect(queueActionFor({ key: 'j', inEditable: true })).toBeNull();
    expect(queueActionFor({ key: '/', inEditable: true })).toBeNull();
    expect(queueActionFor({ key: 'Enter', inEditable: true })).toBeNull();
    expect(queueActionFor({ key: 'Escape', inEditable: true })).toBe('escape');
  });

  it('leaves browser and system combinations alone', () => {
    expect(queueActionFor({ key: 't', ctrlKey: true })).toBeNull();
    expect(queueActionFor({ key: 'k', metaKey: true })).toBeNull();
    expect(queueActionFor({ key: 'z' })).toBeNull();
  });

  it('gives each key one meaning', () => {
    const keys = QUEUE_SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('moves the cursor within the list', () => {
    expect(moveCursor('down', 0, 10, 5)).toBe(1);
    expect(moveCursor('down', 9, 10, 5)).toBe(9);
    expect(moveCursor('up', 0, 10, 5)).toBe(0);
    expect(moveCursor('pageDown', 3, 10, 5)).toBe(8);
    expect(moveCursor('pageDown', 8, 10, 5)).toBe(9);
    expect(moveCursor('last', 0, 1_000_000, 5)).toBe(999_999);
    expect(moveCursor('first', 500, 1000, 5)).toBe(0);
    expect(moveCursor('down', 0, 0, 5)).toBe(0);
  });

  it('shows arrows and Space in the help', () => {
    expect(keyLabel('ArrowDown')).toBe('↓');
    expect(keyLabel(' ')).toBe('Space');
  });
});
