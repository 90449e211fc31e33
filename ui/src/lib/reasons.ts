// The policy's reason catalog in the UI: the codes a denial, a request for
// information and a non-damage closure cite (core::policy::ReasonDef), their
// texts in the reader's language, and the documents each category sends.
// The catalog is policy data (the active policy's, loaded with
// reasonCatalog()); the rules that a code must be one of it are Rust's.

import type { CitedReason, DocumentDef, ReasonDef, ReasonKind } from './bindings';
import type { Locale } from './format';

/** The code a denial or request recorded before coded reasons is counted under (core::policy::LEGACY_REASON). */
export const LEGACY_REASON = 'LEGACY';

/** Every report type of the core, in its order. */
export const REPORT_TYPES = ['damage_claim', 'inquiry', 'opinion', 'complaint'] as const;

export interface Catalog {
  reasons: ReasonDef[];
  documents: DocumentDef[];
}

/** The catalog's reasons of one kind, in the policy's order. */
export function reasonsOf(catalog: Catalog | null | undefined, kind: ReasonKind): ReasonDef[] {
  return (catalog?.reasons ?? []).filter((r) => r.kind === kind);
}

/**
 * What a reason code says to a reader: the entry the op was stamped with
 * (`cited`, the text the claimant was told) when it is that code, else the
 * catalog's entry, else `legacy` for LEGACY and the code itself for one this
 * policy no longer has.
 */
export function reasonText(
  code: string | null | undefined,
  locale: Locale,
  catalog: Catalog | null | undefined,
  legacy: string,
  cited?: CitedReason | null,
): string {
  if (!code) return '–';
  if (code === LEGACY_REASON) return legacy;
  const entry = cited && cited.code === code ? cited : catalog?.reasons.find((r) => r.code === code);
  if (!entry) return code;
  return locale === 'en' ? entry.en : entry.ko;
}

/** The documents a claimant of `category` must send under the catalog's policy. */
export function documentsFor(catalog: Catalog | null | undefined, category: string): DocumentDef[] {
  return (catalog?.documents ?? []).filter((d) => (d.categories as string[]).includes(category));
}

/** The catalog's denial code for a policy result's evaluation reason (core::Reason::denial_code), if any. */
export function denialCodeFor(reason: string | null | undefined): string | null {
  switch (reason) {
    case 'FILED_OUT_OF_WINDOW':
      return 'OUTSIDE_WINDOW';
    case 'UNKNOWN_SERVICE':
      return 'NOT_AFFECTED_SERVICE';
    case 'NO_OVERLAP':
      return 'NO_OVERLAP';
    case 'MISSING_BRN':
      return 'NO_VALID_BRN';
    case 'DUPLICATE':
      return 'DUPLICATE';
    default:
      return null;
  }
}

/** A denial's code as the form starts it: the policy's reason's code when the catalog has it. */
export function startingDenialCode(catalog: Catalog | null | undefined, reason: string | null | undefined): string {
  const code = denialCodeFor(reason);
  return code && reasonsOf(catalog, 'denial').some((r) => r.code === code) ? code : '';
}

/** Claims by reason code, one series per kind (the dashboard's stacked chart): codes most counted first. */
export function reasonSeries(
  counts: readonly { kind: ReasonKind; code: string; claims: number | bigint }[],
): { codes: string[]; series: { kind: ReasonKind; data: number[] }[] } {
  const total = new Map<string, number>();
  for (const c of counts) total.set(c.code, (total.get(c.code) ?? 0) + Number(c.claims));
  const codes = [...total.keys()].sort((a, b) => total.get(b)! - total.get(a)! || a.localeCompare(b));
  const kinds: ReasonKind[] = ['denial', 'deficiency', 'closure'];
  const series = kinds
    .map((kind) => ({
      kind,
      data: codes.map((code) => counts.filter((c) => c.kind === kind && c.code === code).reduce((s, c) => s + Number(c.claims), 0)),
    }))
    .filter((s) => s.data.some((n) => n > 0));
  return { codes, series };
}
