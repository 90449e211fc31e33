import { describe, expect, it } from 'vitest';
import { relativeTime, statusLine, parkedAdviceKey, pickFor, conflictModel, syncPhaseLabel, ADVICE_KEYS } from '../lib/syncModel';
import { ko } from '../lib/i18n/ko';
import { en } from '../lib/i18n/en';
import type { ConflictView, SyncStatusView, ConflictSide } from '../lib/bindings';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0); // 2026-11-24 17:00 KST

function status(over: Partial<SyncStatusView> = {}): SyncStatusView {
  return {
    configured: true,
    signed_in: true,
    server_url: 'https://sync.example.kr',
    server_user: 'kim.reviewer',
    online: true,
    running: false,
    pending: 3,
    parked: 0,
    conflicts: 0,
    last_sync_at_ms: NOW - 3 * 60_000,
    cursor: 120,
    last_error: null,
    last_outcome: null,
    ...over,
  };
}

describe('relative time', () => {
  it('reads as a person would say it, in both languages', () => {
    expect(relativeTime(NOW - 10_000, NOW, 'ko')).toBe('방금');
    expect(relativeTime(NOW - 3 * 60_000, NOW, 'ko')).toBe('3분 전');
    expect(relativeTime(NOW - 3 * 60_000, NOW, 'en')).toBe('3 min ago');
    expect(relativeTime(NOW - 2 * 3_600_000, NOW, 'ko')).toBe('2시간 전');
    expect(relativeTime(NOW - 30 * 3_600_000, NOW, 'ko')).toBe('어제');
    expect(relativeTime(NOW - 5 * 86_400_000, NOW, 'en')).toBe('5 days ago');
  });
  it('treats a time ahead of this clock as now and a missing one as never', () => {
    expect(relativeTime(NOW + 3_600_000, NOW, 'ko')).toBe('방금');
    expect(relativeTime(null, NOW, 'ko')).toBe('없음');
    expect(relativeTime(null, NOW, 'en')).toBe('never');
  });
});

describe('status line', () => {
  it('says sync is not set up without a server', () => {
    const l = statusLine(status({ configured: false }), NOW, 'ko');
    expect(l.dot).toBe('off');
    expect(l.state).toBe('동기화 미설정');
    expect(l.waiting).toBeNull();
    expect(statusLine(null, NOW, 'en').state).toBe('Sync not set up');
  });
  it('shows online, 대기 N건 and the last sync in KST with how long ago', () => {
    const l = statusLine(status(), NOW, 'ko');
    expect(l.dot).toBe('online');
    expect(l.state).toBe('온라인');
    expect(l.waiting).toBe('대기 3건');
    expect(l.last).toBe('마지막 동기화 2026-11-24 16:57 (3분 전)');
  });
  it('shows offline when the probe fails, and a readable failure otherwise', () => {
    expect(statusLine(status({ online: false, last_error: { code: 'SYNC_OFFLINE', message: 'x', explain: { key: 'error.SYNC_OFFLINE', params: { detail: 'x' } } } }), NOW, 'en').state).toBe('Offline');
    const failed = statusLine(status({ last_error: { code: 'SYNC_UNAUTHORIZED', message: 'token revoked', explain: { key: 'error.SYNC_UNAUTHORIZED', params: { detail: 'token revoked' } } } }), NOW, 'en');
    expect(failed.dot).toBe('error');
    expect(failed.state).toBe('Sync failed');
    expect(failed.error).toBe('SYNC_UNAUTHORIZED');
  });
  it('puts running first, then a missing server sign-in', () => {
    expect(statusLine(status({ running: true, online: false }), NOW, 'ko').dot).toBe('syncing');
    expect(statusLine(status({ signed_in: false }), NOW, 'en').state).toBe('Sign in to the server');
  });
  it('counts parked ops and conflicts for the badges; never synced reads so', () => {
    const l = statusLine(status({ parked: 2, conflicts: 1, last_sync_at_ms: null, pending: 12345 }), NOW, 'en');
    expect([l.parked, l.conflicts]).toEqual([2, 1]);
    expect(l.last).toBe('Never synced');
    expect(l.waiting).toBe('12,345 waiting');
  });
});

describe('parked advice and phases', () => {
  it('maps every advice code to a message in both languages', () => {
    expect(parkedAdviceKey({ advice: 'role' })).toBe('syncx.advice.role');
    for (const key of Object.values(ADVICE_KEYS)) {
      expect(ko[key as keyof typeof ko], key).toBeTruthy();
      expect(en[key as keyof typeof en], key).toBeTruthy();
    }
  });
  it('names the phases of a run', () => {
    expect(syncPhaseLabel('pull', 'ko')).toBe('다른 사람의 변경 받는 중');
    expect(syncPhaseLabel('weird', 'en')).toBe('weird');
  });
});

function side(over: Partial<ConflictSide>): ConflictSide {
  return { op_id: 'op', user: 'u', device: 'dev-aaaaaaaa', kind: 'claim.recommend', at_ms: NOW, to: 'recommended', assignee: null, payload: {}, current: false, ...over };
}

describe('conflict side by side', () => {
  const c: ConflictView = {
    external_id: 'D22-0000043',
    base: 2,
    status: 'conflict',
    version: 9,
    assignee: 'kim.reviewer',
    resolved_by: null,
    sides: [
      side({
        op_id: 'op-kim',
        user: 'kim.reviewer',
        current: true,
        payload: { decision: { decision: 'approve', remedy: 'cash', amount: '300000', extension_days: 0 }, is_override: false },
      }),
      side({
        op_id: 'op-lee',
        user: 'lee.reviewer',
        device: 'dev-bbbbbbbb',
        payload: { decision: { decision: 'deny', reason: 'NOT_AFFECTED' }, justification: '현장 확인 결과 피해 없음' },
      }),
    ],
    joined: [side({ op_id: 'op-late', user: 'park.supervisor', kind: 'claim.take', to: 'in_review', assignee: 'park.supervisor' })],
  };

  it('lays the decisions out as columns with who, device, outcome and decision', () => {
    const m = conflictModel(c, 'ko');
    expect(m.columns.map((x) => x.who)).toEqual(['kim.reviewer', 'lee.reviewer']);
    expect(m.columns[0].decision).toBe('지급 300,000원 (현금 보상)');
    expect(m.columns[1].decision?.startsWith('기각')).toBe(true);
    expect(m.columns[1].justification).toBe('현장 확인 결과 피해 없음');
    expect(m.columns[0].when).toBe('2026-11-24 17:00');
    expect(m.columns[0].outcome).toBe('심사 의견 제출');
    expect(m.joined).toHaveLength(1);
  });
  it('marks the rows where the sides differ', () => {
    const m = conflictModel(c, 'en');
    expect(m.differs).toEqual({ outcome: false, decision: true, holder: false });
  });
  it('picks the current recommendation as recommended, the other one back to in review', () => {
    const m = conflictModel(c, 'en');
    expect(m.columns[0].pick).toBe('recommended');
    expect(m.columns[0].pickNote).toBeNull();
    expect(m.columns[1].pick).toBe('in_review');
    expect(m.columns[1].pickNote).toBe('syncx.pickNotCurrent');
  });
  it('maps other outcomes onto valid resolution targets', () => {
    expect(pickFor({ kind: 'claim.take', to: 'in_review', current: true }).pick).toBe('in_review');
    expect(pickFor({ kind: 'claim.release', to: 'triaged', current: false }).pick).toBe('triaged');
    expect(pickFor({ kind: 'claim.add_to_batch', to: 'batched', current: false }).pick).toBe('recommended');
    expect(pickFor({ kind: 'claim.mark_paid', to: 'paid', current: false })).toEqual({ pick: null, note: 'syncx.pickWrite' });
  });
});
