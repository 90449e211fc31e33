// Whether a recommendation being written differs from the policy's result, so
// the form can ask for a justification before it is sent. The Rust core decides
// (workflow::is_override) and refuses an override without justification; this
// mirrors its rule only to tell the reviewer early.

import { parseWon } from './format';

export interface ProposalLike {
  eligible: boolean;
  remedy: string;
  /** Whole won, as a decimal string or number. */
  amount: string | number;
  extension_days: number;
}

export type DecisionForm =
  | { decision: 'approve'; remedy: string; amount: string; extension_days: string | number }
  | { decision: 'deny'; reason: string };

export type OverrideDiff = 'no_policy' | 'eligibility' | 'remedy' | 'amount' | 'extension_days';

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
  if (typeof v === 'number') return v;
  const t = v.trim();
  if (t === '') return 0;
  return /^\d+$/.test(t) ? Number(t) : null;
}

export function checkOverride(form: DecisionForm, proposal: ProposalLike | null | undefined): OverrideCheck {
  if (!proposal) return { isOverride: true, differences: ['no_policy'] };
  if (form.decision === 'deny') {
    return proposal.eligible ? { isOverride: true, differences: ['eligibility'] } : { isOverride: false, differences: [] };
  }
  const differences: OverrideDiff[] = [];
  if (!proposal.eligible) differences.push('eligibility');
  if (form.remedy !== proposal.remedy) differences.push('remedy');
  const amount = wholeWon(form.amount);
  if (amount === null || amount !== wholeWon(proposal.amount)) differences.push('amount');
  const d = days(form.extension_days);
  if (d === null || d !== proposal.extension_days) differences.push('extension_days');
  return { isOverride: differences.length > 0, differences };
}

/** The decision form pre-filled from the policy's result (what a reviewer starts from). */
export function formFromProposal(proposal: ProposalLike | null | undefined): DecisionForm {
  if (!proposal || !proposal.eligible || proposal.remedy === 'none') return { decision: 'deny', reason: '' };
  return {
    decision: 'approve',
    remedy: proposal.remedy,
    amount: String(wholeWon(proposal.amount) ?? 0),
    extension_days: proposal.extension_days,
  };
}

/** The form as it is sent: extension days only with an extension (the core refuses them elsewhere). */
export function normalizeForm(form: DecisionForm): DecisionForm {
  if (form.decision !== 'approve') return form;
  return { ...form, extension_days: form.remedy === 'extension' ? form.extension_days : 0 };
}
