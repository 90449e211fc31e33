// Formatting of money and time as a Korean claims team reads them.
// Money: whole won with thousands separators, ₩1,234,000 (English) or 1,234,000원 (Korean).
// Time: Korea time (Asia/Seoul, UTC+9, no daylight saving since 1988), 2022-10-15 15:30.

export type Locale = 'ko' | 'en';

const KST_OFFSET_S = 9 * 3600;

/** Digits of a whole number (number, bigint or decimal string) grouped by thousands; null when not a number. */
export function groupDigits(value: number | bigint | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    text = Math.trunc(value).toString();
  } else if (typeof value === 'bigint') {
    text = value.toString();
  } else {
    const m = /^\s*([+-]?)(\d+)(?:\.\d*)?\s*$/.exec(value.replace(/,/g, ''));
    if (!m) return null;
    text = (m[1] === '-' ? '-' : '') + m[2].replace(/^0+(?=\d)/, '');
  }
  const neg = text.startsWith('-');
  const digits = neg ? text.slice(1) : text;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg && digits !== '0' ? '-' : '') + grouped;
}

/** An amount in won: "1,234,000원" in Korean, "₩1,234,000" in English; "–" when absent. */
export function formatWon(value: number | bigint | string | null | undefined, locale: Locale = 'ko'): string {
  const g = groupDigits(value);
  if (g === null) return '–';
  if (locale === 'ko') return `${g}원`;
  return g.startsWith('-') ? `-₩${g.slice(1)}` : `₩${g}`;
}

/** A compact amount for chart axes: 1.2억 / 3,400만 in Korean, ₩1.2B / ₩34M in English. */
export function formatWonShort(value: number, locale: Locale = 'ko'): string {
  const abs = Math.abs(value);
  const sign = value < 0 ? '-' : '';
  if (locale === 'ko') {
    if (abs >= 1e8) return `${sign}${trimNum(abs / 1e8)}억`;
    // Below 10만 keep one decimal, or the axis ticks 35,000 and 40,000 both read 4만.
    if (abs >= 1e5) return `${sign}${groupDigits(Math.round(abs / 1e4))}만`;
    if (abs >= 1e4) return `${sign}${trimNum(abs / 1e4)}만`;
    return `${sign}${groupDigits(abs)}`;
  }
  if (abs >= 1e9) return `${sign}₩${trimNum(abs / 1e9)}B`;
  if (abs >= 1e6) return `${sign}₩${trimNum(abs / 1e6)}M`;
  if (abs >= 1e3) return `${sign}₩${trimNum(abs / 1e3)}K`;
  return `${sign}₩${abs}`;
}

function trimNum(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** A count with separators: 1,000,000. */
export function formatCount(n: number | bigint | null | undefined): string {
  return groupDigits(n ?? null) ?? '–';
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** The Korea-time calendar parts of an instant given in Unix seconds. */
export function kstParts(unixSeconds: number) {
  const d = new Date((unixSeconds + KST_OFFSET_S) * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** "2022-10-15 15:30" in Korea time, from Unix seconds; "–" when absent. */
export function formatKst(unixSeconds: number | null | undefined, withSeconds = false): string {
  if (unixSeconds === null || unixSeconds === undefined || !Number.isFinite(unixSeconds)) return '–';
  const p = kstParts(unixSeconds);
  const base = `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
  return withSeconds ? `${base}:${pad(p.second)}` : base;
}

/** As formatKst, from milliseconds. */
export function formatKstMs(ms: number | null | undefined, withSeconds = false): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return formatKst(Math.floor(ms / 1000), withSeconds);
}

/** "2022-10-15" in Korea time. */
export function formatKstDate(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined || !Number.isFinite(unixSeconds)) return '–';
  const p = kstParts(unixSeconds);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** An RFC 3339 or ISO text, or seconds, shown in Korea time. */
export function formatKstIso(text: string | null | undefined): string {
  if (!text) return '–';
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return text;
  return formatKstMs(ms);
}

/** Reads "2022-10-15 15:30[:ss]" or "2022-10-15" as Korea time; Unix seconds, or null when not a date. */
export function parseKst(text: string): number | null {
  const m = /^\s*(\d{4})[-.](\d{1,2})[-.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCDate() !== d) return null;
  return ms / 1000 - KST_OFFSET_S;
}

/** A duration in seconds as "10시간 1분" / "10 h 1 min". */
export function formatDuration(seconds: number, locale: Locale = 'ko'): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (locale === 'ko') return h > 0 ? `${h}시간 ${m}분` : `${m}분`;
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

/** Reads a won amount typed by a person: "1,234,000", "1234000원", "₩1,234"; null when empty or not whole won. */
export function parseWon(text: string): number | null {
  const t = text.replace(/[\s,₩원]/g, '');
  if (t === '') return null;
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** Masks all but the last four digits of a personal number, as the core does (fallback when a value is shown unmasked by mistake). */
export function maskTail(text: string): string {
  const digits = text.replace(/\D/g, '');
  if (digits.length <= 4) return '****';
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** Bytes as 12.3 KB / 4.5 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
