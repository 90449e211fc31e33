// An in-memory stand-in for the Rust commands, for working on the UI without
// the app (and for looking at screens in a browser). Numbers are synthetic;
// no rule here is the product's rule.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { QueueFilter, QueueRow, Sort, SessionUser, ClaimDetail, Explanation, Stats, User, SavedView, PolicyVersion, BatchInfo, IncidentInfo, HistoryRow, DocumentDef, DueState, CureClock } from '../src/lib/api';
import { addDays, kstToday } from '../src/lib/cure';

const SERVICES: [string, string][] = [
  ['kakaotalk', '카카오톡'], ['talk_drawer', '톡서랍'], ['talk_channel', '카카오톡 채널'], ['kakao_gift', '카카오톡 선물하기'],
  ['kakao_t', '카카오 T'], ['kakao_pay', '카카오페이'], ['kakao_map', '카카오맵'], ['kakao_webtoon', '카카오웹툰'],
  ['melon', '멜론'], ['daum_mail', '다음 메일'], ['kakao_moment', '카카오모먼트 광고'],
];
const CATS = ['free_user', 'free_user', 'free_user', 'paid_subscriber', 'taxi_driver', 'taxi_driver', 'designated_driver', 'small_business', 'advertiser', 'other'];
const STATUSES = ['new', 'new', 'new', 'triaged', 'in_review', 'needs_info', 'recommended', 'batched', 'approved', 'paid', 'closed_denied'];
const FAMILY = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임'];
const GIVEN = ['민준', '서연', '도윤', '하은', '지호', '수아', '현우', '지민', '영숙', '정호', '미경', '성훈'];
const SHOPS = ['행복분식', '판교커피', '동네꽃집', '한빛세탁', '새봄약국', '정든미용실'];
const DESCS = ['택시 호출을 받지 못해 영업을 못 했습니다.', '카카오페이 결제가 안 되어 손님을 돌려보냈습니다.', '톡 메시지가 오지 않아 예약이 취소되었습니다.', '웹툰 유료 이용권을 쓰지 못했습니다.', '선물하기 쿠폰 사용이 안 되었습니다.', '광고가 노출되지 않았는데 광고비가 청구되었습니다.'];
const USERS: User[] = [
  { id: 'admin', display_name: '관리자', role: 'admin', approval_limit: null, active: true },
  { id: 'park', display_name: '박책임', role: 'supervisor', approval_limit: 1_000_000, active: true },
  { id: 'choi', display_name: '최책임', role: 'supervisor', approval_limit: 5_000_000, active: true },
  { id: 'kim', display_name: '김심사', role: 'reviewer', approval_limit: null, active: true },
  { id: 'lee', display_name: '이심사', role: 'reviewer', approval_limit: null, active: true },
  { id: 'jung', display_name: '정심사', role: 'reviewer', approval_limit: null, active: false },
];
const PDF_B64 = 'JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCjIgMCBvYmoKPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4KZW5kb2JqCjMgMCBvYmoKPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCAzMDAgMjAwXSAvQ29udGVudHMgNCAwIFIgL1Jlc291cmNlcyA8PCAvRm9udCA8PCAvRjEgNSAwIFIgPj4gPj4gPj4KZW5kb2JqCjQgMCBvYmoKPDwgL0xlbmd0aCA0OSA+PgpzdHJlYW0KQlQgL0YxIDE4IFRmIDMwIDEwMCBUZCAoUmVjZWlwdCA3NSwwNzAgS1JXKSBUaiBFVAplbmRzdHJlYW0KZW5kb2JqCjUgMCBvYmoKPDwgL1R5cGUgL0ZvbnQgL1N1YnR5cGUgL1R5cGUxIC9CYXNlRm9udCAvSGVsdmV0aWNhID4+CmVuZG9iagp4cmVmCjAgNgowMDAwMDAwMDAwIDY1NTM1IGYgCjAwMDAwMDAwMDkgMDAwMDAgbiAKMDAwMDAwMDA1OCAwMDAwMCBuIAowMDAwMDAwMTE1IDAwMDAwIG4gCjAwMDAwMDAyNDEgMDAwMDAgbiAKMDAwMDAwMDM0MCAwMDAwMCBuIAp0cmFpbGVyCjw8IC9TaXplIDYgL1Jvb3QgMSAwIFIgPj4Kc3RhcnR4cmVmCjQxMAolJUVPRgo=';
const BASE = Date.UTC(2022, 9, 19, 0, 0) / 1000 - 9 * 3600; // 2022-10-19 00:00 KST

function rnd(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)];

// ------------------------------------------------------------ document deadlines (a mock cure clock)
// Requests for information are due 30 + 3 days after the request, "reminder due" 7 days before;
// the dates are around the real today so every state shows. Not the product's rule (Rust's is).
const TODAY = kstToday();
const CURE_DAYS = 33;
const REMINDER_DAYS = 7;
const DOCS: DocumentDef[] = [
  { code: 'BANK_ACCOUNT_COPY', ko: '통장 사본', en: 'Bank account copy', categories: ['taxi_driver', 'designated_driver', 'small_business'] },
  { code: 'DRIVING_RECORD', ko: '운행 기록', en: 'Driving record', categories: ['taxi_driver', 'designated_driver'] },
  { code: 'SMALL_BUSINESS_CERT', ko: '소상공인 확인서', en: 'Small-business certificate', categories: ['small_business'] },
  { code: 'BUSINESS_REGISTRATION', ko: '사업자등록증', en: 'Business registration', categories: ['small_business', 'advertiser'] },
  { code: 'AD_INVOICE', ko: '광고비 청구서', en: 'Advertising invoice', categories: ['advertiser'] },
];
/** What the mock's commands changed: the window's extension, claims closed as not cured, documents ticked. */
const cureState = { extendedUntil: null as string | null, expired: new Set<string>(), ticks: new Map<string, Set<string>>() };
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
/** The request for information of the row at `i` waiting in needs_info: its day and due date (the extension applied). */
function requestOf(i: number, status: string): { requested_on: string; due_on: string; extended: boolean } | null {
  if (status !== 'needs_info') return null;
  const r = rnd(i * 104_729 + 3);
  const due = addDays(TODAY, Math.floor(r() * 40) - 12);
  const extended = cureState.extendedUntil !== null && cureState.extendedUntil > due;
  return { requested_on: addDays(due, -CURE_DAYS), due_on: extended ? cureState.extendedUntil! : due, extended };
}
function dueState(dueOn: string): DueState {
  if (dueOn < TODAY) return 'overdue';
  return daysBetween(TODAY, dueOn) <= REMINDER_DAYS ? 'reminder_due' : 'open';
}

function baseRowAt(i: number, n: number): QueueRow {
  const r = rnd(i * 7919 + 17);
  const category = pick(r, CATS);
  const service = category === 'taxi_driver' || category === 'designated_driver' ? 'kakao_t' : category === 'advertiser' ? 'kakao_moment' : pick(r, SERVICES)[0];
  const status = pick(r, STATUSES);
  const business = category === 'small_business' || category === 'advertiser';
  const claimed = category === 'free_user' ? (r() < 0.5 ? null : 10_000) : Math.round((r() * (business ? 2_000_000 : 300_000)) / 1000) * 1000;
  const dup = r() < 0.04;
  const eligible = !dup && r() > 0.08;
  const remedy = !eligible ? 'none' : category === 'free_user' ? 'voucher' : category === 'paid_subscriber' ? 'extension' : category === 'other' ? 'manual_review' : 'cash';
  const amount = remedy === 'cash' ? Math.min(claimed ?? 0, business ? 1_000_000 : 300_000) - ((claimed ?? 0) % 10) : 0;
  const assignee = ['in_review', 'needs_info', 'recommended', 'batched'].includes(status) ? pick(r, ['kim', 'lee', 'park']) : null;
  return {
    external_id: `D22-${String(n - i).padStart(7, '0')}`,
    received_at: BASE + Math.floor(((n - i) / n) * 19 * 86400),
    category,
    name: business ? pick(r, SHOPS) : pick(r, FAMILY) + pick(r, GIVEN),
    service,
    status,
    priority: r() < 0.05 ? 'urgent' : r() < 0.15 ? 'high' : 'normal',
    assignee,
    claimed_amount: claimed,
    eligible,
    reason: dup ? 'DUPLICATE' : eligible ? (remedy === 'manual_review' ? 'MANUAL_REVIEW' : null) : pick(r, ['NO_OVERLAP', 'FILED_OUT_OF_WINDOW']),
    remedy,
    amount: Math.max(0, amount),
    tags: r() < 0.1 ? ['서류확인'] : [],
    is_override: ['recommended', 'batched', 'approved'].includes(status) && r() < 0.15,
    version: 1 + Math.floor(r() * 5),
    report_type: r() < 0.3 ? pick(r, ['inquiry', 'opinion', 'complaint']) : 'damage_claim',
    reason_code: null,
    due_on: null,
    due_state: null,
  };
}

/** The row with what the mock's commands changed: its request's due date, or its closure as not cured. */
function rowAt(i: number, n: number): QueueRow {
  const row = baseRowAt(i, n);
  if (cureState.expired.has(row.external_id)) return { ...row, status: 'closed_denied', reason_code: 'NOT_CURED', eligible: false, remedy: 'none', amount: 0 };
  const request = requestOf(i, row.status);
  return request
    ? { ...row, due_on: request.due_on, due_state: dueState(request.due_on), reason_code: 'DOCUMENTS_MISSING' }
    : row;
}

function matches(row: QueueRow, f: QueueFilter): boolean {
  if (f.statuses.length && !f.statuses.includes(row.status as never)) return false;
  if (f.categories.length && !f.categories.includes(row.category as never)) return false;
  if (f.services.length && !f.services.includes(row.service)) return false;
  if (f.remedies.length && !f.remedies.includes(row.remedy as never)) return false;
  if (f.assignee !== null && (f.assignee === '' ? row.assignee !== null : row.assignee !== f.assignee)) return false;
  if (f.amount_min !== null && (row.amount ?? 0) < f.amount_min) return false;
  if (f.amount_max !== null && (row.amount ?? 0) > f.amount_max) return false;
  if (f.eligible !== null && row.eligible !== f.eligible) return false;
  if (f.overrides_only && !row.is_override) return false;
  if (f.duplicates_only && row.reason !== 'DUPLICATE') return false;
  if (f.priority && row.priority !== f.priority) return false;
  if (f.tags.length && !f.tags.every((t) => row.tags.includes(t))) return false;
  if (f.due && (!row.due_on || dueState(row.due_on) !== f.due)) return false;
  if (f.text) {
    const words = f.text.split(' ');
    const hay = row.name + DESCS[Math.abs(hash(row.external_id)) % DESCS.length];
    if (!words.every((w) => hay.includes(w))) return false;
  }
  return true;
}
function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
function isEmpty(f: QueueFilter): boolean {
  return !f.statuses.length && !f.categories.length && !f.services.length && !f.remedies.length && f.assignee === null && f.amount_min === null && f.amount_max === null && f.eligible === null && !f.overrides_only && !f.duplicates_only && !f.priority && !f.tags.length && !f.text && !f.due;
}

export function installMockBackend(params: URLSearchParams): void {
  const N = Number(params.get('n') ?? 1_000_000);
  let user: SessionUser | null = null;
  const autoUser = params.get('user');
  const signIn = (id: string): SessionUser => {
    const u = USERS.find((x) => x.id === id) ?? USERS[0];
    user = { id: u.id, display_name: u.display_name, role: u.role, approval_limit: u.approval_limit, settings: { language: params.get('lang') ?? 'ko' } };
    return user;
  };
  if (autoUser) signIn(autoUser);
  let filtered: { key: string; idx: number[] } | null = null;
  const views: SavedView[] = [];
  const index = (f: QueueFilter, sort: Sort): number[] | null => {
    if (isEmpty(f)) return null;
    const key = JSON.stringify(f);
    if (filtered?.key !== key) {
      const idx: number[] = [];
      const scan = Math.min(N, 200_000); // a mock: filters look at the newest 200,000
      for (let i = 0; i < scan; i++) if (matches(rowAt(i, N), f)) idx.push(i);
      filtered = { key, idx };
    }
    void sort;
    return filtered.idx;
  };
  // The number after "D22-" (the row's place from the newest).
  const indexOf = (id: string) => N - Number(/(\d+)$/.exec(id)?.[1] ?? 0);
  const rowById = (id: string) => rowAt(indexOf(id), N);
  const isSupervisor = () => user?.role === 'supervisor' || user?.role === 'admin';
  /** The claim's cure clock (null unless it waits for documents). */
  const cureOf = (id: string): CureClock | null => {
    const r = rowById(id);
    const request = r.due_on ? requestOf(indexOf(id), r.status) : null;
    if (!request) return null;
    return { ...request, state: dueState(request.due_on), days_left: daysBetween(TODAY, request.due_on) };
  };
  /** The documents ticked: what the mock was told, else (waiting claims) the first of the list. */
  const ticked = (id: string, docs: DocumentDef[]): string[] => {
    const set = cureState.ticks.get(id);
    if (set) return docs.filter((d) => set.has(d.code)).map((d) => d.code);
    return rowById(id).status === 'needs_info' && docs.length > 1 ? [docs[0].code] : [];
  };
  /** Claims (of the newest 200,000) by due state, recounted when something changed. */
  let dueCache: { key: string; counts: { open: number; reminder_due: number; overdue: number } } | null = null;
  const dueCounts = () => {
    const key = `${cureState.extendedUntil}#${cureState.expired.size}`;
    if (dueCache?.key !== key) {
      const counts = { open: 0, reminder_due: 0, overdue: 0 };
      for (let i = 0; i < Math.min(N, 200_000); i++) {
        const d = rowAt(i, N).due_on;
        if (d) counts[dueState(d)]++;
      }
      dueCache = { key, counts };
    }
    return dueCache.counts;
  };
  const versions: PolicyVersion[] = [
    { version: 1, name: '기본 정책 (2022 최종안)', note: '사용자 일괄 보상, 소상공인 구간 지원, 유료 3배 연장', created_by: 'admin', created_at: BASE, active: true, incident_id: 'pangyo-2022-10-15' },
    { version: 2, name: '소상공인 상한 상향', note: '상한 100만 → 150만', created_by: 'park', created_at: BASE + 86400 * 5, active: false, incident_id: 'pangyo-2022-10-15' },
  ];
  const batchList: BatchInfo[] = [
    { id: 'b-20221101-1', name: '11월 1차 택시 기사', created_by: 'park', created_at: BASE + 86400 * 13, status: 'open', approved_by: null, claims: 412 },
    { id: 'b-20221028-1', name: '10월 소상공인', created_by: 'choi', created_at: BASE + 86400 * 9, status: 'approved', approved_by: 'choi', claims: 1280 },
  ];

  const incidentList: IncidentInfo[] = [
    { id: 'pangyo-2022-10-15', name: '판교 데이터센터 화재 서비스 장애', started_at: BASE - 3.5 * 86400, ended_at: BASE + 86400, copied_from: null, claims: N, active_policy: 1 },
    { id: 'coupang-breach-2025-11', name: '2025 쿠팡 개인정보 유출', started_at: Date.UTC(2025, 10, 1) / 1000, ended_at: Date.UTC(2025, 10, 30) / 1000, copied_from: 'pangyo-2022-10-15', claims: 400, active_policy: 3 },
  ];
  let currentIncident = incidentList[0].id;
  const incidentNow = () => incidentList.find((i) => i.id === currentIncident)!;
  const claimantHistory = (id: string): HistoryRow[] => {
    const n = Number(id.replace(/\D/g, ''));
    if (n % 3 !== 0) return [];
    return [{ external_id: `C25-${String(n % 400).padStart(6, '0')}`, incident_id: 'coupang-breach-2025-11', incident_name: '2025 쿠팡 개인정보 유출', received_at: Date.UTC(2025, 10, 12) / 1000, service: 'coupang_account', status: 'in_review', amount: 50_000, claimed_amount: 100_000, shared_key_masked: '010-****-5678' }];
  };

  const detail = (id: string): ClaimDetail => {
    const r = rowById(id);
    const business = r.category === 'small_business' || r.category === 'advertiser';
    return {
      external_id: r.external_id, incident_id: 'pangyo-2022-10-15', version: r.version, status: r.status as never, received_at: r.received_at, category: r.category as never, filed_category: r.category as never,
      name: r.name, phone_masked: business ? null : '010-****-5678', brn_masked: business ? '220-**-*2517' : null, bank_name: '국민은행', account_masked: '****-**-**1234',
      service: r.service, damage_start: BASE - 3.5 * 86400 + 8 * 3600, damage_end: BASE - 3 * 86400 + 2 * 3600, claimed_amount: r.claimed_amount,
      daily_income: r.category === 'taxi_driver' ? 180_000 : null, documented_loss: null, ad_spend: null,
      description: DESCS[Math.abs(hash(r.external_id)) % DESCS.length], extra: {}, priority: r.priority, tags: r.tags, assignee: r.assignee,
      duplicate_of: r.reason === 'DUPLICATE' ? 'D22-0000001' : null, batch_id: r.status === 'batched' ? 'b-20221101-1' : null,
      recommendation: ['recommended', 'batched', 'approved'].includes(r.status)
        ? { op_id: 'op-1', by: 'kim', decision: { decision: 'approve', remedy: (r.remedy ?? 'cash') as never, amount: String(r.amount ?? 0), extension_days: 0 }, is_override: r.is_override, justification: r.is_override ? '영수증으로 추가 손해가 확인됨' : null }
        : null,
      notes: [
        { op_id: 'n1', author: 'kim', kind: 'note', body: '신고인과 통화함. 운행 기록 사진 보내기로 함.', code: null, created_at: BASE + 86400 * 2, withdrawn: false },
        { op_id: 'n2', author: 'lee', kind: 'note', body: '잘못 적은 메모', code: null, created_at: BASE + 86400 * 3, withdrawn: true },
        ...(r.due_on || cureState.expired.has(r.external_id)
          ? [{ op_id: 'n3', author: r.assignee ?? 'kim', kind: 'info_request' as const, body: '통장 사본과 운행 기록을 보내 주세요.', code: 'DOCUMENTS_MISSING', created_at: BASE + 86400 * 4, withdrawn: false }]
          : []),
        ...(cureState.expired.has(r.external_id)
          ? [{ op_id: 'n4', author: user?.id ?? 'park', kind: 'expiry' as const, body: '', code: 'NOT_CURED', created_at: Math.floor(Date.now() / 1000), withdrawn: false }]
          : []),
      ],
      recommendation_reason: null,
      report_type: r.report_type as never,
      reason_code: r.reason_code,
      documents: DOCS.filter((d) => (d.categories as string[]).includes(r.category)),
      documents_received: ticked(r.external_id, DOCS.filter((d) => (d.categories as string[]).includes(r.category))),
      cure: cureOf(r.external_id),
      info_requests: r.status === 'needs_info' ? 1 + (Math.abs(hash(r.external_id)) % 7 === 0 ? 1 : 0) : cureState.expired.has(r.external_id) ? 1 : 0,
      notices: r.status === 'approved' || r.status === 'paid'
        ? [{ op_id: 'nt1', kind: 'approved', channels: ['pdf', 'sms'], lang: 'ko', resend: false, sent_by: 'park', sent_at: BASE + 86400 * 9 }]
        : [],
      notified: r.status === 'approved' || r.status === 'paid',
      evidence: [
        { sha256: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', file_name: '운행기록.png', mime: 'image/png', size: 184_220, added_by: 'kim', added_at: BASE + 86400 * 2 },
        { sha256: 'ffeeddccbbaa00998877665544332211', file_name: '영수증.pdf', mime: 'application/pdf', size: 612, added_by: 'kim', added_at: BASE + 86400 * 3 },
      ],
    };
  };
  const explanation = (id: string): Explanation => {
    const r = rowById(id);
    return {
      outcome: { eligible: !!r.eligible, reason: r.reason as never, remedy: (r.remedy ?? 'none') as never, amount: String(r.amount ?? 0), extension_days: r.remedy === 'extension' ? 2 : 0 },
      steps: [
        { code: 'FILED_IN_WINDOW', ko: '접수일시 2022-10-21 09:12: 접수 기간(10-19 ~ 11-06) 안', en: 'received 2022-10-21 09:12: within the reporting window (10-19 to 11-06)' },
        { code: 'OVERLAP', ko: '장애 시간과 겹친 시간 10시간 1분', en: 'overlap with the outage 10 h 1 min' },
        { code: 'cash', ko: '10시간 1분 × 일평균수입 180,000 ÷ 24시간 = 75,075 → 상한 300,000 → 청구 60,000 → 60,000', en: 'overlap 10 h 1 min × daily income 180,000 ÷ 24 h = 75,075 → cap 300,000 → claimed 60,000 → 60,000' },
      ],
      duplicate_of: r.reason === 'DUPLICATE' ? 'D22-0000001' : null,
    };
  };
  const group = (keys: string[], f: (k: string, i: number) => number) => keys.map((k, i) => ({ key: k, claims: f(k, i), amount: f(k, i) * 41_230, claimed: f(k, i) * 63_500 }));
  const stats = (): Stats => ({
    total: N,
    by_status: group(['new', 'triaged', 'in_review', 'needs_info', 'recommended', 'batched', 'approved', 'paid', 'closed_denied'], (_, i) => Math.round(N / (i + 2) / 2.1)),
    by_category: group(['free_user', 'paid_subscriber', 'taxi_driver', 'designated_driver', 'small_business', 'advertiser', 'other'], (_, i) => Math.round(N * [0.45, 0.15, 0.15, 0.05, 0.12, 0.03, 0.05][i])),
    by_service: group(SERVICES.map((s) => s[0]), (_, i) => Math.round(N / (i + 1.5) / 3)),
    by_remedy: group(['voucher', 'extension', 'cash', 'manual_review', 'none'], (_, i) => Math.round(N * [0.44, 0.14, 0.3, 0.05, 0.07][i])),
    by_day: Array.from({ length: 19 }, (_, d) => {
      const day = new Date((BASE + 9 * 3600 + d * 86400) * 1000).toISOString().slice(0, 10);
      const claims = Math.round((N / 6) * Math.exp(-d / 3) + N / 80);
      return { key: day, claims, amount: claims * 40_000, claimed: claims * 61_000 };
    }),
    by_reviewer: group(['kim', 'lee', 'park'], (_, i) => 300 - i * 80),
    by_report_type: group(['damage_claim', 'inquiry', 'opinion', 'complaint'], (_, i) => Math.round(N * [0.32, 0.4, 0.16, 0.12][i])),
    by_reason: [
      { kind: 'closure', code: 'INQUIRY_ANSWERED', claims: 420 },
      { kind: 'denial', code: 'NO_LOSS_SHOWN', claims: 61 },
      { kind: 'deficiency', code: 'DOCUMENTS_MISSING', claims: 35 },
    ],
    grants: [
      { kind: 'voucher', claims: Math.round(N * 0.44), grants: Math.round(N * 0.44), amount: '0', quantity: Math.round(N * 0.44) },
      { kind: 'extension', claims: Math.round(N * 0.14), grants: Math.round(N * 0.14), amount: '0', quantity: Math.round(N * 0.14) * 3 },
      { kind: 'cash', claims: Math.round(N * 0.3), grants: Math.round(N * 0.3), amount: String(Math.round(N * 0.3) * 41_230), quantity: 0 },
      { kind: 'message_credit', claims: Math.round(N * 0.08), grants: Math.round(N * 0.08), amount: String(Math.round(N * 0.08) * 50_000), quantity: 0 },
    ],
  });

  /** The form's draft of a mock policy text (its name and small-business cap from the text, the rest the 2022 default). */
  const mockDraft = (toml: string) => {
    const at = '2022-10-15T15:30:00+09:00';
    return {
      name: /^name = "(.*)"/m.exec(toml)?.[1] ?? '정책',
      filing_window: { start: '2022-10-19T00:00:00+09:00', end: '2022-11-06T23:59:59+09:00' },
      paid_subscriber: { extension_multiplier: '3' },
      taxi_driver: { flat: '25000', cap: '300000' },
      designated_driver: { flat: '25000', cap: '200000' },
      small_business: {
        cap: /^cap = (\d+)$/m.exec(toml.split('[small_business]')[1] ?? '')?.[1] ?? '1000000',
        bands: [{ up_to: '300000', base: '30000' }, { up_to: '500000', base: '50000' }],
        documented: { min: '50000', base: '50000', threshold: '500000', rate: '0.1' },
      },
      advertiser: { cap: '5000000' },
      services: [
        { code: 'kakaotalk', name: '카카오톡', outage_start: at, outage_end: '2022-10-16T01:31:00+09:00' },
        { code: 'kakao_t', name: '카카오 T', outage_start: at, outage_end: '2022-10-16T10:00:00+09:00' },
      ],
      cure: { days: 30, mail_days: 3, reminder_days: REMINDER_DAYS, extended_until: cureState.extendedUntil },
    };
  };

  mockIPC(async (cmd, a) => {
    const args = (a ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    await new Promise((r) => setTimeout(r, 5));
    const progress = async (total: number, phase = 'import') => {
      for (let done = 0; done <= total; done += total / 10) {
        args.onProgress?.onmessage?.({ job_id: args.jobId, phase, done, total, message: null });
        await new Promise((r) => setTimeout(r, 120));
      }
    };
    switch (cmd) {
      case 'first_run_state':
        return { needs_admin_password: params.get('firstrun') === '1', store_is_empty: params.get('empty') === '1', locked: params.get('firstrun') !== '1', first_admin: 'admin', store_path: '~/.local/share/kr.claimdesk.desktop/claimdesk.db', open_error: null };
      case 'current_user': return user;
      case 'sign_in':
        if (args.password !== 'demo-2022') throw { code: 'SIGN_IN_FAILED', message: 'the user or the password is not right' };
        return signIn(args.user);
      case 'create_first_admin': return signIn('admin');
      case 'sign_out': user = null; return null;
      case 'pending_recovery_key': return null;
      case 'keychain_status': return { available: false, enabled: false, detail: 'no Secret Service' };
      case 'confirm_recovery_key': return null;
      case 'store_is_empty': return params.get('empty') === '1';
      case 'ui_ready': return null;
      case 'notice_counts': return { due: 2, sent: 1, due_by_kind: [['denied', 1], ['needs_info', 1]] };
      case 'notices_due':
        return [
          { external_id: 'D22-0000101', name_masked: '김*수', status: 'closed_denied', kind: 'denied', lang: 'ko', phone_masked: '010-****-5678', has_email: true, sent: null },
          { external_id: 'D22-0000102', name_masked: '가**당', status: 'needs_info', kind: 'needs_info', lang: 'en', phone_masked: null, has_email: false, sent: null },
        ];
      case 'notices_sent':
        return [
          { external_id: 'D22-0000099', name_masked: '박*료', status: 'approved', kind: 'approved', lang: 'ko', phone_masked: '010-****-5555', has_email: false,
            sent: { op_id: 'nt1', kind: 'approved', channels: ['pdf', 'sms'], lang: 'ko', resend: false, sent_by: 'park', sent_at: BASE + 86400 * 9 } },
        ];
      case 'export_notices': return null;
      case 'save_notice': return null;
      case 'set_setting': return null;
      case 'cancel_job': return true;
      case 'load_demo_data': await progress(args.count ?? 20000); return { import_id: 1, file_name: 'demo.csv', format: 'csv', counts: { rows_read: args.count, imported: args.count, unchanged: 0, updated: 0, conflicts: 0, quarantined: 0 }, conflicts: [], quarantine: [], evaluation: { policy_version: 1, claims: args.count, changed: args.count, eligible: args.count } };
      case 'reason_catalog': return {
        version: 1,
        reasons: [
          { code: 'NO_LOSS_SHOWN', kind: 'denial', ko: '장애로 인한 피해 사실이 확인되지 않았습니다.', en: 'No loss caused by the outage was shown.', appealable: true },
          { code: 'DOCUMENTS_MISSING', kind: 'deficiency', ko: '보상에 필요한 서류가 빠져 있습니다.', en: 'Documents needed for compensation are missing.', appealable: false },
          { code: 'NOT_CURED', kind: 'denial', ko: '정해진 기한까지 보완 서류가 제출되지 않았습니다.', en: 'The documents asked for were not sent by the due date.', appealable: true },
          { code: 'INQUIRY_ANSWERED', kind: 'closure', ko: '문의하신 내용에 답변드리고 접수를 종결합니다.', en: 'Your inquiry has been answered and the report is closed.', appealable: false },
        ],
        documents: DOCS,
      };
      case 'catalog': return { incident: { id: 'pangyo-2022-10-15', name: '판교 데이터센터 화재 서비스 장애', started_at: '2022-10-15T15:30:00+09:00', ended_at: '2022-10-20T23:00:00+09:00' }, service: SERVICES.map(([code, name]) => ({ code, name, outage_start: '', outage_end: '' })) };
      case 'queue_count': { const idx = index(args.filter, { key: 'received_at', descending: true }); return idx ? idx.length : N; }
      case 'queue_page': {
        const idx = index(args.filter, args.sort);
        const total = idx ? idx.length : N;
        const rows: QueueRow[] = [];
        for (let k = args.offset; k < Math.min(total, args.offset + args.limit); k++) {
          const pos = args.sort.descending ? k : total - 1 - k;
          rows.push(rowAt(idx ? idx[pos] : pos, N));
        }
        return { rows, total, offset: args.offset };
      }
      case 'duplicate_group': { const r = rowById(args.externalId); return [rowAt(N - 1, N), { ...r, reason: 'DUPLICATE' }].map((x) => ({ ...x, name: r.name, service: r.service, category: r.category })); }
      case 'saved_views': return views;
      case 'save_view': { const v = { name: args.name, filter: args.filter, sort: args.sort, created_at: Date.now() / 1000 }; views.push(v); return v; }
      case 'delete_view': views.splice(views.findIndex((v) => v.name === args.name), 1); return null;
      case 'bulk_action':
        if (args.action.kind === 'expire') {
          if (!isSupervisor()) throw { code: 'ROLE_NOT_ALLOWED', message: 'only a supervisor closes a claim as not cured' };
          const idx = index(args.filter, { key: 'received_at', descending: true } as Sort) ?? Array.from({ length: Math.min(N, 200_000) }, (_, i) => i);
          const refused: { external_id: string; code: string; message: string }[] = [];
          let applied = 0;
          let refusedTotal = 0;
          for (const [k, i] of idx.entries()) {
            const row = rowAt(i, N);
            if (row.due_on && dueState(row.due_on) === 'overdue') {
              cureState.expired.add(row.external_id);
              applied++;
            } else {
              refusedTotal++;
              if (refused.length < 200) refused.push(row.due_on
                ? { external_id: row.external_id, code: 'NOT_DUE', message: `the due date (${row.due_on}) has not passed yet` }
                : { external_id: row.external_id, code: 'WRONG_STATE', message: 'this claim is not waiting for documents' });
            }
            if (k % Math.max(1, Math.floor(idx.length / 10)) === 0) {
              args.onProgress?.onmessage?.({ job_id: args.jobId, phase: 'bulk', done: k, total: idx.length, message: null });
              await new Promise((r) => setTimeout(r, 60));
            }
          }
          filtered = null;
          return { matched: idx.length, applied, refused, refused_total: refusedTotal, batch_id: null };
        }
        await progress(100); return { matched: 100, applied: 97, refused: [{ external_id: 'D22-0000005', code: 'HELD_BY_OTHER', message: 'this claim is held by lee; take it over first (the take-over is recorded)' }], refused_total: 3, batch_id: null };
      case 'claim': return detail(args.externalId);
      case 'incidents': return incidentList;
      case 'current_incident': return incidentNow();
      case 'switch_incident': if (!incidentList.some((i) => i.id === args.id)) throw { code: 'UNKNOWN_INCIDENT', message: `no incident ${args.id}` }; currentIncident = args.id; return incidentNow();
      case 'create_incident': {
        if (user?.role === 'reviewer') throw { code: 'ROLE_NOT_ALLOWED', message: 'only a supervisor or an admin starts an incident' };
        if (incidentList.some((i) => i.id === args.incident.id)) throw { code: 'BAD_INCIDENT', message: `an incident '${args.incident.id}' exists already; choose another id` };
        const version = versions.length + 1;
        incidentList.push({ id: args.incident.id, name: args.incident.name, started_at: Date.parse(args.incident.started_at) / 1000, ended_at: Date.parse(args.incident.ended_at) / 1000, copied_from: args.copyOf, claims: 0, active_policy: version });
        currentIncident = args.incident.id;
        return version;
      }
      case 'update_incident': { const i = incidentList.find((x) => x.id === args.incident.id)!; i.name = args.incident.name; return null; }
      case 'claimant_history': return claimantHistory(args.externalId);
      case 'explain': return explanation(args.externalId);
      case 'allowed_actions': {
        const r = rowById(args.externalId);
        const base = ['add_note', 'annotate', 'add_evidence', 'reveal_personal_data'];
        if (['new', 'triaged'].includes(r.status)) return [...base, 'triage', 'take', 'check_document'];
        if (r.status === 'in_review') return [...base, 'release', 'request_info', 'recommend', 'check_document'];
        if (r.status === 'needs_info') {
          const late = !!r.due_on && dueState(r.due_on) === 'overdue';
          return [...base, 'info_received', 'check_document', ...(late && isSupervisor() ? ['expire'] : [])];
        }
        if (r.status === 'batched' && user?.role !== 'reviewer') return [...base, 'remove_from_batch', 'return_to_reviewer'];
        return base;
      }
      case 'timeline': return [
        { seq: 1, op_id: 'o1', at_ms: (BASE + 3600) * 1000, user: 'admin', device: 'office-1', kind: 'import', refused: false, payload: { file: 'reports-1019.csv' } },
        { seq: 2, op_id: 'o2', at_ms: (BASE + 86400) * 1000, user: 'kim', device: 'laptop-kim', kind: 'take', refused: false, payload: {} },
        { seq: 3, op_id: 'o3', at_ms: (BASE + 86400 * 2) * 1000, user: 'kim', device: 'laptop-kim', kind: 'reveal_personal_data', refused: false, payload: { field: 'phone' } },
        { seq: 4, op_id: 'o4', at_ms: (BASE + 86400 * 3) * 1000, user: 'lee', device: 'laptop-lee', kind: 'recommend', refused: true, payload: { code: 'HELD_BY_OTHER' } },
      ];
      case 'reveal': return args.field === 'phone' ? '010-1234-5678' : args.field === 'brn' ? '220-81-62517' : '123-456-789012';
      case 'read_evidence': {
        if (args.sha256.startsWith('ffee')) return { sha256: args.sha256, mime: 'application/pdf', base64: PDF_B64 };
        const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="300"><rect width="480" height="300" fill="#dbeafe"/><text x="40" y="150" font-size="28" fill="#1e3a8a">운행 기록 (예시)</text></svg>`;
        return { sha256: args.sha256, mime: 'image/svg+xml', base64: btoa(unescape(encodeURIComponent(svg))) };
      }
      case 'check_document': {
        const docs = DOCS.filter((d) => (d.categories as string[]).includes(rowById(args.externalId).category));
        if (!docs.some((d) => d.code === args.document)) throw { code: 'INVALID', message: `'${args.document}' is not a document this claim must send`, explain: { key: 'invalid.document_code', params: { code: args.document } } };
        const set = new Set(ticked(args.externalId, docs));
        if (args.received) set.add(args.document);
        else set.delete(args.document);
        cureState.ticks.set(args.externalId, set);
        return { seq: 9, op_id: 'op-x', hlc: 1 };
      }
      case 'expire': {
        if (!isSupervisor()) throw { code: 'ROLE_NOT_ALLOWED', message: 'only a supervisor closes a claim as not cured' };
        const cure = cureOf(args.externalId);
        if (!cure) throw { code: 'WRONG_STATE', message: 'this claim is not waiting for documents' };
        if (cure.state !== 'overdue') throw { code: 'NOT_DUE', message: `the due date (${cure.due_on}) has not passed yet`, explain: { key: 'error.NOT_DUE', params: { due: cure.due_on } } };
        cureState.expired.add(args.externalId);
        filtered = null;
        return { seq: 9, op_id: 'op-x', hlc: 1 };
      }
      case 'due_counts': return dueCounts();
      case 'extend_cure': {
        if (!isSupervisor()) throw { code: 'ROLE_NOT_ALLOWED', message: 'only a supervisor extends the window' };
        const current = cureState.extendedUntil ?? TODAY;
        if (!args.until || args.until <= current) throw { code: 'INVALID', message: `the extension ${args.until} must be after today and the current extension`, explain: { key: 'store.extend_not_later', params: { until: args.until, today: TODAY, current } } };
        if (!String(args.reason ?? '').trim()) throw { code: 'INVALID', message: 'say why the window is extended', explain: { key: 'store.extend_reason', params: {} } };
        await progress(N, 'evaluate');
        cureState.extendedUntil = args.until;
        filtered = null;
        versions.forEach((v) => (v.active = false));
        versions.push({ version: versions.length + 1, name: `보완 기한 ${args.until}까지 연장`, note: args.reason, created_by: user?.id ?? '', created_at: Date.now() / 1000, active: true, incident_id: 'pangyo-2022-10-15' });
        return versions.length;
      }
      case 'take': case 'release': case 'request_info': case 'info_received': case 'recommend': case 'add_note': case 'withdraw_note': case 'annotate': case 'triage': case 'add_evidence': case 'resolve_conflict':
        return { seq: 9, op_id: 'op-x', hlc: 1 };
      case 'batches': return batchList;
      case 'batch_review': {
        const b = batchList.find((x) => x.id === args.batchId) ?? batchList[0];
        const lines = Array.from({ length: 14 }, (_, i) => {
          const r = rowAt(i * 13 + 5, N);
          const over = i < 3;
          return { external_id: r.external_id, category: i % 3 ? 'taxi_driver' : 'designated_driver', recommended_by: i % 2 ? 'kim' : 'park', decision: { decision: 'approve' as const, remedy: 'cash' as const, amount: String(over ? 280_000 : 75_070), extension_days: 0 }, is_override: over, justification: over ? '운행 기록상 손해가 더 큼' : null, policy_amount: 75_070 };
        });
        return { batch: b, totals: [
          { category: 'taxi_driver', remedy: 'cash', claims: 301, amount: 24_110_300, extension_days: 0 },
          { category: 'designated_driver', remedy: 'cash', claims: 98, amount: 2_450_000, extension_days: 0 },
          { category: 'designated_driver', remedy: 'none', claims: 13, amount: 0, extension_days: 0 },
        ], grants: [
          { kind: 'cash' as const, claims: 399, grants: 399, amount: '26560300', quantity: 0 },
          { kind: 'message_credit' as const, claims: 40, grants: 40, amount: '2000000', quantity: 0 },
        ], lines };
      }
      case 'create_batch': case 'create_batch_of': return { batch_id: 'b-new', added: 120, skipped: [] };
      case 'approve_batch': return { approved: 410, closed_denied: 0, refused: [
        { external_id: 'D22-0000018', code: 'MAKER_CHECKER', message: 'you recommended this claim yourself; another supervisor must approve it (maker-checker)' },
        { external_id: 'D22-0000044', code: 'OVER_APPROVAL_LIMIT', message: 'the amount 1,200,000 won is above your approval limit of 1,000,000 won' },
      ] };
      case 'remove_from_batch': case 'return_to_reviewer': return null;
      case 'export_payout': await progress(1000); return { payout_id: 7, file: args.path, claims: 1280, total: 51_230_000 };
      case 'confirm_payout': return { payout_id: 7, paid: 1280, refused: [] };
      case 'cancel_payout': return null;
      case 'payouts': return [
        { id: 7, file: '/home/admin/지급-2022-11-14.xlsx', status: 'exported', created_by: 'lee', created_at: Date.now() / 1000 - 3600, confirmed_by: null, confirmed_at: null, claims: 1280, lines: 1280, total: 51_230_000, file_outdated: false },
        { id: 6, file: '/home/admin/지급-2022-11-07.xlsx', status: 'confirmed', created_by: 'lee', created_at: Date.now() / 1000 - 7 * 86400, confirmed_by: 'yoon', confirmed_at: Date.now() / 1000 - 6 * 86400, claims: 2210, lines: 2210, total: 88_400_000, file_outdated: false },
        { id: 5, file: '/home/admin/지급-2022-11-05.csv', status: 'cancelled', created_by: 'lee', created_at: Date.now() / 1000 - 9 * 86400, confirmed_by: null, confirmed_at: null, claims: 40, lines: 40, total: 1_600_000, file_outdated: false },
      ];
      case 'policy_versions': return versions;
      case 'example_policies': return [
        { code: 'default-2022', name_ko: '2022 기본 보상안', name_en: '2022 default plan', toml: '# default\nname = "2022 기본 보상안"\n' },
        { code: 'final-2022', name_ko: '2022 최종 보상안 (등급별 정액, 메시지 크레딧)', name_en: '2022 final programme (flat by tier, message credit)', toml: '# final\nname = "2022 최종 보상안"\n' },
      ];
      case 'policy_toml': return `# 보상 정책 v${args.version}\nname = "${versions[args.version - 1]?.name}"\n\n[window]\nfrom = "2022-10-19T00:00:00+09:00"\nto = "2022-11-06T23:59:59+09:00"\n\n[taxi_driver]\nremedy = "cash"\nflat = 25000\ncap = 300000\n\n[small_business]\nbands = [[300000, 30000], [500000, 50000]]\ncap = ${args.version === 2 ? 1500000 : 1000000}\n`;
      case 'validate_policy': return /cap = -|=\s*$/m.test(args.toml) ? { ok: false, messages: [{ line: 12, column: 7, code: 'INVALID_VALUE', message: 'cap must be a whole number of won, 0 or more' }] } : { ok: true, messages: [] };
      case 'add_policy_version': versions.push({ version: versions.length + 1, name: args.name, note: args.note, created_by: user?.id ?? '', created_at: Date.now() / 1000, active: false, incident_id: 'pangyo-2022-10-15' }); return versions.length;
      case 'activate_policy': await progress(N); versions.forEach((v) => (v.active = v.version === args.version)); return { policy_version: args.version, claims: N, changed: 1234, eligible: N - 5000 };
      case 'policy_draft_of_toml': return { draft: mockDraft(String(args.toml)), toml: null, problems: [], syntax: null };
      case 'policy_draft_to_toml': {
        const d = args.draft as { taxi_driver: { cap: string } };
        const bad = !/^[\d,]+$/.test(d.taxi_driver.cap);
        const problems = bad ? [{ path: 'taxi_driver.cap', code: 'POLICY_INVALID', rule: 'not_a_number', params: { value: d.taxi_driver.cap }, message: '' }] : [];
        return { draft: null, toml: bad ? null : `# (mock) the form as written by Rust\n${JSON.stringify(args.draft, null, 2)}`, problems, syntax: null };
      }
      case 'what_if':
      case 'what_if_draft': {
        const kinds = (k: number) => [
          { kind: 'cash' as never, claims: 30000, grants: 30000, amount: String(Math.round(9.1e9 * k)), quantity: 0 },
          ...(k > 1 ? [{ kind: 'message_credit' as never, claims: 9000, grants: 9000, amount: String(9000 * 50_000), quantity: 0 }] : []),
        ];
        const totals = (k: number) => ({ claims: N, eligible: N - 5000, ineligible: 5000, amount: String(Math.round(9.1e9 * k)), extension_days: 150_000, groups: [], reasons: [], grants: kinds(k) });
        const grantDiff = [
          { kind: 'cash' as never, before_claims: 30000, after_claims: 30000, claims_change: 0, before_amount: '9100000000', after_amount: '9828000000', amount_change: '728000000', before_quantity: 0, after_quantity: 0, quantity_change: 0 },
          { kind: 'message_credit' as never, before_claims: 0, after_claims: 9000, claims_change: 9000, before_amount: '0', after_amount: '450000000', amount_change: '450000000', before_quantity: 0, after_quantity: 0, quantity_change: 0 },
        ];
        const diff = [['small_business', 'cash', 1.0, 1.3], ['taxi_driver', 'cash', 1.0, 1.0], ['advertiser', 'cash', 1.0, 1.1], ['small_business', 'manual_review', 1.0, 0.7]].map(([c, r, b, a]) => ({
          category: c as never, remedy: r as never, before_count: Math.round(10000 * (b as number)), after_count: Math.round(10000 * (a as number)), count_change: Math.round(10000 * ((a as number) - (b as number))),
          before_amount: String(Math.round(4e8 * (b as number))), after_amount: String(Math.round(4e8 * (a as number))), amount_change: String(Math.round(4e8 * ((a as number) - (b as number)))),
          before_extension_days: 0, after_extension_days: 0, extension_days_change: 0,
        }));
        const changed = Array.from({ length: 30 }, (_, i) => ({ index: i, external_id: rowAt(i * 31, N).external_id, before: { eligible: true, reason: null, remedy: 'cash' as never, amount: '1000000', extension_days: 0 }, after: { eligible: true, reason: null, remedy: 'cash' as never, amount: '1500000', extension_days: 0 } }));
        return { before_version: args.before ?? 1, after_version: cmd === 'what_if_draft' ? null : args.after, result: { before: totals(1), after: totals(1.08), difference: diff, grant_difference: grantDiff, changed }, changed_total: 3120 };
      }
      case 'import_file': await progress(5000); return { import_id: 2, file_name: String(args.path).split('/').pop(), format: 'csv', counts: { rows_read: 5000, imported: 4870, unchanged: 100, updated: 0, conflicts: 3, quarantined: 27 }, conflicts: [{ line: 44, external_id: 'D22-0000044', fields: ['청구금액', '피해내용'] }], quarantine: [], evaluation: { policy_version: 1, claims: 4870, changed: 4870, eligible: 4700 } };
      case 'quarantine': return [
        { id: 1, import_id: 2, file_name: 'reports-1019.csv', line: 812, external_id: 'C999-000812', message: "line 812, 연락처: '010-12-5678' is not a Korean mobile number", problems: [{ column: '연락처', value: '010-12-5678', code: 'BAD_PHONE', message: "'010-12-5678' is not a Korean mobile number" }], raw: { fields: [] }, resolved: false },
        { id: 2, import_id: 2, file_name: 'reports-1019.csv', line: 903, external_id: null, message: "line 903, 접수번호: empty, but a claim id is required; 청구금액: '12.5' is not an amount in whole won (write 1,234,000 or 1234000원)", problems: [], raw: { fields: [] }, resolved: false },
      ];
      case 'export_quarantine': return 2;
      case 'stats': return stats();
      case 'throughput': return ['kim', 'lee', 'park', 'choi'].flatMap((u, i) => Array.from({ length: 5 }, (_, d) => ({ day: `2022-10-${20 + d}`, user: u, recommended: 40 - i * 7 + d, approved: u === 'park' || u === 'choi' ? 60 + d : 0, actions: 120 - i * 10 })));
      case 'users': return USERS;
      case 'create_user': { const u = { id: args.id, display_name: args.displayName, role: args.role, approval_limit: args.approvalLimit, active: true }; USERS.push(u); return u; }
      case 'update_user': { const u = USERS.find((x) => x.id === args.id)!; Object.assign(u, Object.fromEntries(Object.entries(args.update).filter(([k, v]) => v !== null && k !== 'clear_limit'))); if (args.update.clear_limit) u.approval_limit = null; return null; }
      case 'set_password': return null;
      case 'plugin:webview|set_webview_zoom': document.documentElement.style.setProperty('zoom', String(args.value)); return null;
      case 'plugin:dialog|open': return '/home/kim/Downloads/reports-1019.csv';
      case 'plugin:dialog|save': return '/home/admin/payout-202211011200.xlsx';
      // Sync (src-tauri/src/commands/sync.rs): a server set up, a few changes waiting, one parked, one conflict.
      case 'sync_status': return { configured: true, signed_in: true, server_url: 'https://sync.claimdesk.example', server_user: user?.id ?? 'kim.reviewer', online: params.get('offline') !== '1', running: false, pending: 3, parked: 1, conflicts: 1, last_sync_at_ms: Date.now() - 4 * 60_000, cursor: 48_120, last_error: null, last_outcome: null };
      case 'sync_settings': return { server_url: 'https://sync.claimdesk.example', server_user: user?.id ?? 'kim.reviewer', ca_file: null, device_id: '0192f1c2-7a1b-7c3d-9e4f-123456789abc', device_name: 'ClaimDesk 김지은 노트북', signed_in: true };
      case 'sync_sign_in': return { server_url: args.serverUrl, user: args.user, display_name: args.user, role: 'reviewer', roster_changed: 4 };
      case 'sync_sign_out': return null;
      case 'sync_join': return signIn(args.user);
      case 'sync_now': for (const [phase, total] of [['push', 3], ['pull', 1200]] as const) { for (let done = 0; done <= total; done += total / 6) { args.onProgress?.onmessage?.({ job_id: args.jobId, phase, done: Math.round(done), total, message: null }); await new Promise((r) => setTimeout(r, 150)); } } return { pushed: 3, accepted: 3, rejected: 0, pulled: 1200, applied: 1200, parked: 0, conflicts: [], cursor: 49_320, head: 49_320, finished_at_ms: Date.now() };
      case 'parked_ops': return [{ op_id: '0192f1c2-0000-7000-8000-000000000001', origin: 'local', entity: 'claim:D22-0000007', claim: 'D22-0000007', kind: 'claim.recommend', user: user?.id ?? 'kim.reviewer', code: 'forbidden', reason: 'a reviewer may not approve above the limit set on the server', at_ms: Date.now() - 3_600_000, advice: 'role', can_act: true }];
      case 'retry_parked': case 'dismiss_parked': return null;
      case 'sync_conflicts': return [{ external_id: 'D22-0000043', base: 3, status: 'conflict', version: 11, assignee: 'kim.reviewer', resolved_by: null, joined: [], sides: [
        { op_id: '0192f1c2-1111-7000-8000-000000000001', user: 'kim.reviewer', device: '0192aaaa-bbbb', kind: 'claim.recommend', at_ms: Date.now() - 7_200_000, to: 'recommended', assignee: 'kim.reviewer', current: true, payload: { decision: { decision: 'approve', remedy: 'cash', amount: '300000', extension_days: 0 }, is_override: false } },
        { op_id: '0192f1c2-2222-7000-8000-000000000002', user: 'lee.reviewer', device: '0192cccc-dddd', kind: 'claim.recommend', at_ms: Date.now() - 5_400_000, to: 'recommended', assignee: 'lee.reviewer', current: false, payload: { decision: { decision: 'deny', reason: 'NO_OVERLAP' }, justification: '현장 확인: 장애 시간과 무관' } },
      ] }];
      case 'settle_conflict': return { seq: 1, op_id: 'x', hlc: 0 };
      case 'take_offline': case 'release_offline': return args.externalIds?.length ?? 100;
      case 'lease_holders': return (args.externalIds as string[]).filter((id) => id.endsWith('3')).map((id) => ({ external_id: id, holder: 'lee.reviewer' }));
      case 'leases': return args.mine ? [] : [{ external_id: 'D22-0000003', holder: 'lee.reviewer' }, { external_id: 'D22-0000013', holder: 'kim.reviewer' }];
      default:
        throw { code: 'INTERNAL', message: `mock: no command ${cmd}` };
    }
  });
}
