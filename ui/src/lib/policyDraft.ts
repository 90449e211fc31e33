// The policy editor's form over the draft (the Rust PolicyDraft: figures and
// times as typed). The sections are data, so a new rule of the policy is one
// more entry here; the checks are Rust's (PolicyProblem, each at its path),
// worded here in the reader's language.

import type { PolicyDraft, PolicyProblem, ServiceDraft } from './bindings';
import { listPaths } from './policyLists';

/** Whole days typed into a field (anything else is 0, which the policy's check refuses at the field). */
export function daysOf(text: string): number {
  const n = Number.parseInt(text.trim(), 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** `date`: a calendar day (YYYY-MM-DD, '' for none). */
export type FieldKind = 'money' | 'rate' | 'text' | 'time' | 'date';

export interface FieldSpec {
  /** Key in the rule's object of the draft. */
  name: string;
  kind: FieldKind;
}

/** A rule of flat fields: its key in the draft (a dotted path for nested rules) and its fields. */
export interface RuleSpec {
  path: string;
  fields: FieldSpec[];
}

const money = (name: string): FieldSpec => ({ name, kind: 'money' });

/** The form's rule sections, in the order of the policy file (small-business bands and the catalog are tables of their own). */
export const RULE_SECTIONS: RuleSpec[] = [
  { path: 'paid_subscriber', fields: [{ name: 'extension_multiplier', kind: 'rate' }] },
  { path: 'taxi_driver', fields: [money('flat'), money('cap')] },
  { path: 'designated_driver', fields: [money('flat'), money('cap')] },
  { path: 'small_business', fields: [money('cap')] },
  { path: 'small_business.documented', fields: [money('min'), money('base'), money('threshold'), { name: 'rate', kind: 'rate' }] },
  { path: 'advertiser', fields: [money('cap')] },
];

/** The object at a dotted path of the draft (`small_business.documented`). */
export function ruleAt(draft: PolicyDraft, path: string): Record<string, string> {
  let at: unknown = draft;
  for (const key of path.split('.')) at = (at as Record<string, unknown>)[key];
  return at as Record<string, string>;
}

// ------------------------------------------------------------ times in KST

const KST = '+09:00';

/**
 * An RFC 3339 time as a `datetime-local` value in Korea time (`2022-10-19T00:00:00`).
 * A text that is not a time gives '' (the input then shows empty and the field's error says why).
 */
export function kstInputOf(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(rfc3339.trim()) || Number.isNaN(ms)) return '';
  const k = new Date(ms + 9 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${k.getUTCFullYear()}-${p(k.getUTCMonth() + 1)}-${p(k.getUTCDate())}T${p(k.getUTCHours())}:${p(k.getUTCMinutes())}:${p(k.getUTCSeconds())}`;
}

/** A `datetime-local` value read as Korea time, as RFC 3339 with +09:00 ('' stays '', for Rust to name). */
export function rfc3339OfKstInput(local: string): string {
  const v = local.trim();
  if (!v) return '';
  return `${/T\d\d:\d\d$/.test(v) ? `${v}:00` : v}${KST}`;
}

// ------------------------------------------------------------ lists

/** Moves row `i` by `delta` (-1 up, +1 down); out of range, nothing changes. */
export function moveRow<T>(rows: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || i >= rows.length || j < 0 || j >= rows.length) return rows;
  const next = rows.slice();
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

export function removeRow<T>(rows: T[], i: number): T[] {
  return rows.filter((_, k) => k !== i);
}

/** A new band after the last: empty, for the user to fill (Rust names what is missing). */
export function newBand(): { up_to: string; base: string } {
  return { up_to: '', base: '' };
}

/** A new service, its outage the filing window's start until the user sets it. */
export function newService(draft: PolicyDraft): ServiceDraft {
  return { code: '', name: '', outage_start: draft.filing_window.start, outage_end: draft.filing_window.start };
}

// ------------------------------------------------------------ problems

/** Problems by their field path, in Rust's order. */
export function problemsByPath(problems: PolicyProblem[]): Map<string, PolicyProblem[]> {
  const m = new Map<string, PolicyProblem[]>();
  for (const p of problems) m.set(p.path, [...(m.get(p.path) ?? []), p]);
  return m;
}

/** Every path the form has an input or a list heading for, so no problem goes unshown. */
export function formPaths(draft: PolicyDraft): Set<string> {
  const s = new Set<string>(['name', 'filing_window.start', 'filing_window.end', 'cure.days', 'cure.mail_days', 'cure.reminder_days', 'cure.extended_until', 'small_business.bands', 'service']);
  for (const r of RULE_SECTIONS) for (const f of r.fields) s.add(`${r.path}.${f.name}`);
  draft.small_business.bands.forEach((_, i) => ['up_to', 'base'].forEach((k) => s.add(`small_business.bands[${i}].${k}`)));
  draft.services.forEach((_, i) => ['code', 'name', 'outage_start', 'outage_end'].forEach((k) => s.add(`service[${i}].${k}`)));
  for (const p of listPaths(draft)) s.add(p);
  return s;
}

/** Problems the form has no place for (shown above it). */
export function unplaced(problems: PolicyProblem[], draft: PolicyDraft): PolicyProblem[] {
  const paths = formPaths(draft);
  return problems.filter((p) => !paths.has(p.path));
}

/**
 * The i18n key of a field's label: `policyForm.f.small_business.bands.up_to` for `small_business.bands[1].up_to`.
 * Segments and grants are labelled alike in every rule: `policyForm.f.segments.segment.amount`,
 * `policyForm.f.grants.kind` (a segment's grants too).
 */
export function fieldKey(path: string): string {
  const p = path.replace(/\[\d+\]/g, '');
  const grants = p.lastIndexOf('.grants');
  if (grants >= 0) return `policyForm.f${p.slice(grants)}`;
  const segments = p.indexOf('.segments');
  if (segments >= 0) return `policyForm.f${p.slice(segments)}`;
  return `policyForm.f.${p}`;
}

