// A claim's grants (core::grant) as the UI reads them. A result, proposal or
// decision in the single-remedy form (no `grants` list: every result of the
// default policy) is one grant; this mirrors the core's `grant::legacy` and
// `grant::summary` only to show and compare them. The Rust core decides.

import type { Grant, Remedy } from './bindings';
import { translate } from './i18n/index';
import { formatWon, groupDigits, type Locale } from './format';

export interface GrantsLike {
  eligible?: boolean;
  remedy: Remedy | string;
  amount: string | number;
  extension_days: number;
  grants?: Grant[] | null;
}

const LEGACY: ReadonlySet<string> = new Set(['cash', 'voucher', 'extension']);

function wholeWon(v: string | number): string {
  const n = typeof v === 'number' ? v : Number(String(v).replace(/,/g, ''));
  return Number.isFinite(n) ? String(Math.trunc(n)) : '0';
}

/** Every grant of a result, proposal or decision (none when ineligible, in manual review or none). */
export function grantsOf(o: GrantsLike | null | undefined): Grant[] {
  if (!o || o.eligible === false) return [];
  if (o.grants && o.grants.length > 0) return o.grants;
  const amount = wholeWon(o.amount);
  switch (o.remedy) {
    case 'cash':
      return [{ kind: 'cash', amount, quantity: 0, label: '' }];
    case 'voucher':
      return [{ kind: 'voucher', amount, quantity: 1, label: '' }];
    case 'extension':
      return [{ kind: 'extension', amount, quantity: o.extension_days, label: '' }];
    default:
      return [];
  }
}

/** The single-remedy form of a list: cash when any grant is cash, else the first kind; the cash; the extension days. */
export function summary(grants: Grant[]): { remedy: Remedy; amount: string; extension_days: number } {
  let cash = 0;
  let days = 0;
  let hasCash = false;
  for (const g of grants) {
    if (g.kind === 'cash') {
      hasCash = true;
      cash += Number(wholeWon(g.amount));
    } else if (g.kind === 'extension') {
      days += g.quantity;
    }
  }
  const remedy: Remedy = hasCash ? 'cash' : (grants[0]?.kind ?? 'none');
  return { remedy, amount: String(cash), extension_days: days };
}

function key(g: Grant): string {
  return `${g.kind}|${wholeWon(g.amount)}|${g.quantity}|${g.label}`;
}

/** The same grants, in any order. */
export function sameGrants(a: Grant[], b: Grant[]): boolean {
  if (a.length !== b.length) return false;
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.every((k, i) => k === y[i]);
}

/** Whether a list says no more than the single-remedy form (so it is sent as that form). */
export function isSingleForm(grants: Grant[]): boolean {
  if (grants.length !== 1 || !LEGACY.has(grants[0].kind)) return false;
  const s = summary(grants);
  return sameGrants(grants, grantsOf({ ...s, eligible: true }));
}

/** Kinds with a quantity (days, vouchers, points, months). */
export function hasQuantity(kind: string): boolean {
  return kind === 'extension' || kind === 'voucher' || kind === 'points' || kind === 'fee_waiver';
}

/** A grant as people read it: "메시지 크레딧 50,000원 (카카오톡 채널 메시지 크레딧)", "Points 3,000 points, worth ₩3,000". */
export function grantText(g: Grant, locale: Locale): string {
  const parts: string[] = [translate(locale, `remedy.${g.kind}`)];
  const amount = Number(wholeWon(g.amount));
  if (hasQuantity(g.kind) && g.quantity > 0) {
    parts.push(translate(locale, `grant.unit.${g.kind}`, { n: groupDigits(g.quantity) ?? String(g.quantity) }));
    if (amount !== 0) parts.push(translate(locale, 'grant.worth', { won: formatWon(amount, locale) }));
  } else if (amount !== 0 || g.kind === 'cash') {
    parts.push(formatWon(amount, locale));
  }
  const text = parts.join(' ');
  return g.label ? `${text} (${g.label})` : text;
}

/** Every grant of a result as one line: "현금 보상 30,000원 + 메시지 크레딧 50,000원". */
export function grantsText(o: GrantsLike | null | undefined, locale: Locale): string {
  return grantsOf(o).map((g) => grantText(g, locale)).join(' + ');
}
