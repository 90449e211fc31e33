// The policy form's lists that the policy holds as it is (not as typed text):
// segments, further grants, the reason catalog and the documents. New rows,
// the paths Rust's problems name (`taxi_driver.segments.segment[1].amount`,
// `reason[2].code`), and reading what is typed into them: a figure that does
// not read stays in its field (with its problem) and never reaches the draft.

import type {
  DocumentDef, GrantRule, PolicyDraft, PolicyProblem, ReasonDef, ReasonKind, Segment, SegmentFallback, Segments,
} from './bindings';

/** The rules that may have segments (policy.md: the drivers, small businesses, advertisers). */
export const SEGMENT_RULES = ['taxi_driver', 'designated_driver', 'small_business', 'advertiser'] as const;
/** The rules with further grants the form edits. */
export const GRANT_RULES = ['free_user', 'paid_subscriber', ...SEGMENT_RULES] as const;
export const REASON_KINDS: ReasonKind[] = ['denial', 'deficiency', 'closure'];
export const FALLBACKS: SegmentFallback[] = ['manual_review', 'formula'];

/** A rule's segments and grants, in the draft itself (edits write through). */
export interface RuleLists {
  segments?: Segments | null;
  grants?: GrantRule[];
}
export function listsOf(draft: PolicyDraft, rule: string): RuleLists {
  return (draft as unknown as Record<string, RuleLists>)[rule];
}

// ------------------------------------------------------------ new rows (empty: Rust names what is missing)

export function newSegments(): Segments {
  return { column: [], otherwise: 'manual_review', segment: [] };
}
export function newSegment(): Segment {
  return { label: '', values: [], amount: 0 };
}
/** A voucher (its quantity 1 when left out): valid as it is. */
export function newGrant(): GrantRule {
  return { kind: 'voucher' };
}
export function newReason(): ReasonDef {
  return { code: '', kind: 'denial', ko: '', en: '' };
}
export function newDocument(): DocumentDef {
  return { code: '', ko: '', en: '', categories: [] };
}

/** The rows with `row` added after the last (the form's "add" buttons). */
export function addRow<T>(rows: T[], row: T): T[] {
  return [...rows, row];
}

/** Row `i` with `patch` applied (a key set to undefined is left out, as the policy leaves it out). */
export function patchRow<T extends object>(rows: T[], i: number, patch: Partial<T>): T[] {
  return rows.map((row, k) => {
    if (k !== i) return row;
    const next: Record<string, unknown> = { ...row, ...patch };
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    return next as T;
  });
}

/** The segments without segment `i`; without any left, no segments at all (null, as the policy has it). */
export function withoutSegment(s: Segments, i: number): Segments | null {
  const segment = s.segment.filter((_, k) => k !== i);
  return segment.length ? { ...s, segment } : null;
}

// ------------------------------------------------------------ typed text

/** A comma-separated list as typed ("T 블루, T Blue"); blank entries stay, for Rust to name. */
export function splitList(text: string): string[] {
  return text.trim() === '' ? [] : text.split(',').map((s) => s.trim());
}
export function joinList(list: string[]): string {
  return list.join(', ');
}

/**
 * Won as typed (separators `,` `_` and spaces allowed, as for the other figures): a number, or the
 * text when it is not a safe integer (Rust reads it exactly). Blank is `blank`; not a number is null.
 */
export function readWon(text: string, blank: number | undefined): number | string | undefined | null {
  const plain = text.replace(/[,_\s]/g, '');
  if (plain === '') return blank;
  if (!/^-?\d+(\.\d+)?$/.test(plain)) return null;
  const n = Number(plain);
  return Number.isSafeInteger(n) ? n : plain;
}

/** A quantity as typed: blank leaves it out, a whole number from 0 up is it, anything else is null. */
export function readCount(text: string): number | undefined | null {
  const plain = text.trim();
  if (plain === '') return undefined;
  return /^\d{1,9}$/.test(plain) ? Number(plain) : null;
}

export function showValue(v: number | string | undefined): string {
  return v === undefined ? '' : String(v);
}

/** The problem of a text that does not read, worded as Rust words a draft's (`not_a_number`). */
export function unreadableProblem(path: string, text: string): PolicyProblem {
  return {
    path, code: 'POLICY_INVALID', rule: 'not_a_number', params: { value: text }, message: `${path} must be a number`,
    explain: { key: 'policy.rule.not_a_number', params: { value: text } },
  };
}

// ------------------------------------------------------------ paths

/** The input id of a field by its path: `pf-reason-2-code` for `reason[2].code`. */
export function idOf(path: string): string {
  return `pf-${path.replace(/\[(\d+)\]/g, '-$1').replaceAll('.', '-')}`;
}

/** The problems of a list field: at the list and at any of its entries (`….values`, `….values[1]`). */
export function listProblems(byPath: Map<string, PolicyProblem[]>, path: string): PolicyProblem[] {
  const out = [...(byPath.get(path) ?? [])];
  for (const [p, ps] of byPath) if (p.startsWith(`${path}[`) && /^\[\d+\]$/.test(p.slice(path.length))) out.push(...ps);
  return out;
}

function grantPaths(base: string, grants: GrantRule[] | undefined): string[] {
  const out = [base];
  (grants ?? []).forEach((_, i) => ['kind', 'amount', 'quantity', 'label'].forEach((k) => out.push(`${base}[${i}].${k}`)));
  return out;
}

/** Every path the list sections have a field or a heading for. */
export function listPaths(draft: PolicyDraft): string[] {
  const out: string[] = [];
  for (const rule of GRANT_RULES) out.push(...grantPaths(`${rule}.grants`, listsOf(draft, rule).grants));
  for (const rule of SEGMENT_RULES) {
    const s = listsOf(draft, rule).segments;
    if (!s) continue;
    const base = `${rule}.segments`;
    out.push(base, `${base}.column`, `${base}.otherwise`, `${base}.segment`);
    s.column.forEach((_, j) => out.push(`${base}.column[${j}]`));
    s.segment.forEach((seg, i) => {
      const at = `${base}.segment[${i}]`;
      out.push(`${at}.label`, `${at}.values`, `${at}.amount`);
      seg.values.forEach((_, j) => out.push(`${at}.values[${j}]`));
      out.push(...grantPaths(`${at}.grants`, seg.grants));
    });
  }
  out.push('reason', 'document');
  draft.reasons.forEach((_, i) => ['code', 'kind', 'ko', 'en', 'appealable'].forEach((k) => out.push(`reason[${i}].${k}`)));
  draft.documents.forEach((_, i) => ['code', 'ko', 'en', 'categories'].forEach((k) => out.push(`document[${i}].${k}`)));
  return out;
}
