// Whether a recommendation being written differs from the policy's result, so
// the form can ask for a justification before it is sent. The Rust core decides
// (workflow::is_override) and refuses an override without justification; this
// mirrors its rule only to tell the reviewer early.

import { parseWon } from './format';
import type { Decision, Grant, Remedy } from './bindings';
import { grantsOf, isSingleForm, sameGrants, summary } from './grants';

export interface ProposalLike {
  eligible: boolean;
  remedy: string;
  /** Whole won, as a decimal string or number. */
  amount: string | number;
  extension_days: number;
  /** Every grant, when more than the one the fields above describe (core::grant). */
  grants?: Grant[] | null;
}

/** A grant given besides the first, as the form edits it. */
export interface GrantForm {
  kind: string;
  amount: string;
  quantity: string | number;
  label: string;
}

/** The form's first grant is remedy/amount/extension_days (with its quantity and label when the policy gave them); `extras` the rest. */
export type DecisionForm =
  | {
      decision: 'approve';
      remedy: string;
      amount: string;
      extension_days: string | number;
      quantity?: string | number;
      label?: string;
      extras?: GrantForm[];
    }
  /** A denial cites `code` (a denial code of the policy's reason catalog); `reason` is the note beside it. */
  | { decision: 'deny'; code: string; reason: string };

export type OverrideDiff = 'no_policy' | 'eligibility' | 'remedy' | 'amount' | 'extension_days' | 'grants';

export interface OverrideCheck {
  isOverride: boolean;
  /** Which parts differ from the policy, for the message shown. */
  differences: OverrideDiff[];
}

function wholeWon(v: string | number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const m = /^\s*(-?\d+)(?:\.0*)?\s*$/.exec(v.replace(/,/g, ''));
  if (m) return Number(m[1]);
  return parseWon(v);
}

function days(v: string | number): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : null;
  const t = v.trim();
  if (t === '') return 0;
  return /^\d+$/.test(t) ? Number(t) : null;
}

/** Every grant the form gives: its first grant, then the extras. */
export function formGrants(form: DecisionForm): Grant[] {
  if (form.decision !== 'approve') return [];
  const kind = form.remedy as Remedy;
  const count = (v: string | number | undefined, fallback: number) => {
    const n = days(v ?? fallback);
    return n === null ? -1 : n;
  };
  const quantity =
    kind === 'extension' ? count(form.extension_days, 0)
    : kind === 'voucher' ? count(form.quantity, 1)
    : kind === 'points' || kind === 'fee_waiver' ? count(form.quantity, 0)
    : 0;
  const first: Grant = { kind, amount: String(wholeWon(form.amount) ?? 0), quantity, label: form.label ?? '' };
  const extras: Grant[] = (form.extras ?? []).map((g) => ({
    kind: g.kind as Remedy,
    amount: String(wholeWon(g.amount) ?? 0),
    quantity: count(g.quantity, 0),
    label: g.label.trim(),
  }));
  return [first, ...extras];
}

export function checkOverride(form: DecisionForm, proposal: ProposalLike | null | undefined): OverrideCheck {
  if (!proposal) return { isOverride: true, differences: ['no_policy'] };
  if (form.decision === 'deny') {
    return proposal.eligible ? { isOverride: true, differences: ['eligibility'] } : { isOverride: false, differences: [] };
  }
  const differences: OverrideDiff[] = [];
  // The form's first grant against the policy's first (for the single-remedy form: its remedy and amount).
  const proposed = grantsOf(proposal);
  const first = proposed[0];
  if (!proposal.eligible) differences.push('eligibility');
  if (form.remedy !== (first?.kind ?? proposal.remedy)) differences.push('remedy');
  const amount = wholeWon(form.amount);
  if (amount === null || amount !== wholeWon(first?.amount ?? proposal.amount)) differences.push('amount');
  const d = days(form.extension_days);
  if (d === null || d !== proposal.extension_days) differences.push('extension_days');
  const extrasOk = (form.extras ?? []).every((g) => wholeWon(g.amount) !== null && days(g.quantity) !== null);
  if (differences.length === 0 && (!extrasOk || !sameGrants(formGrants(form), proposed))) differences.push('grants');
  return { isOverride: differences.length > 0, differences };
}

/** The decision form pre-filled from the policy's result (what a reviewer starts from). */
export function formFromProposal(proposal: ProposalLike | null | undefined): DecisionForm {
  if (!proposal || !proposal.eligible || proposal.remedy === 'none') return { decision: 'deny', code: '', reason: '' };
  const listed = proposal.grants ?? [];
  if (listed.length === 0) {
    return {
      decision: 'approve',
      remedy: proposal.remedy,
      amount: String(wholeWon(proposal.amount) ?? 0),
      extension_days: proposal.extension_days,
    };
  }
  const [first, ...rest] = listed;
  return {
    decision: 'approve',
    remedy: first.kind,
    amount: String(wholeWon(first.amount) ?? 0),
    extension_days: first.kind === 'extension' ? first.quantity : 0,
    quantity: first.quantity,
    label: first.label,
    extras: rest.map((g) => ({ kind: g.kind, amount: String(wholeWon(g.amount) ?? 0), quantity: g.quantity, label: g.label })),
  };
}

/**
 * The decision as sent: in the single-remedy form when one grant says it all
 * (as every decision did before grants), else every grant with the fields
 * beside them their summary (the core refuses a list that does not add up).
 */
export function decisionFromForm(form: DecisionForm): Decision {
  if (form.decision === 'deny') return { decision: 'deny', code: form.code.trim() || null, reason: form.reason.trim() };
  const grants = formGrants(form);
  if (isSingleForm(grants)) {
    const amount = parseWon(form.amount) ?? 0;
    return { decision: 'approve', remedy: form.remedy as Remedy, amount: String(amount), extension_days: Number(form.extension_days) || 0 };
  }
  return { decision: 'approve', ...summary(grants), grants };
}

/** The form as it is sent: extension days only with an extension (the core refuses them elsewhere). */
export function normalizeForm(form: DecisionForm): DecisionForm {
  if (form.decision !== 'approve') return form;
  return { ...form, extension_days: form.remedy === 'extension' ? form.extension_days : 0 };
}
