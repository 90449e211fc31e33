// The queue's filter as a person sets it (text boxes, check boxes) and its
// conversion to the core's QueueFilter. The same QueueFilter drives the page
// fetches, the total, bulk actions over the whole filtered set, and batches.

import { parseWon } from './format';
import { DUE_STATES } from './labels';
import type { DueState } from './bindings';

/** Mirror of crates/store QueueFilter (the serde shape the commands take). */
export interface QueueFilterShape {
  statuses: string[];
  categories: string[];
  services: string[];
  assignee: string | null;
  amount_min: number | null;
  amount_max: number | null;
  eligible: boolean | null;
  remedies: string[];
  reasons: string[];
  /** damage_claim, inquiry, opinion, complaint. */
  report_types: string[];
  /** Reason codes the claims carry now (a denial's, an open request's, a closure's). */
  reason_codes: string[];
  overrides_only: boolean;
  duplicates_only: boolean;
  tags: string[];
  priority: string | null;
  batch_id: string | null;
  text: string | null;
  /** The incident; null: the store's current one. */
  incident: string | null;
  /** Requests for information in this state of the cure clock (open, reminder_due, overdue). */
  due: DueState | null;
}

export type AssigneeChoice = 'any' | 'mine' | 'unassigned' | 'user';

export interface UiFilter {
  statuses: string[];
  categories: string[];
  services: string[];
  assignee: AssigneeChoice;
  /** The user id when assignee is 'user'. */
  assigneeUser: string;
  amountMin: string;
  amountMax: string;
  /** '' = any, 'yes', 'no'. */
  eligible: '' | 'yes' | 'no';
  remedies: string[];
  /** Report types (empty: any). */
  reportTypes: string[];
  overridesOnly: boolean;
  duplicatesOnly: boolean;
  /** Comma- or space-separated tags; a claim must carry all of them. */
  tags: string;
  priority: string;
  text: string;
  /** The cure clock of the claim's request for information: '' = any. */
  due: '' | DueState;
}

export function emptyUiFilter(): UiFilter {
  return {
    statuses: [],
    categories: [],
    services: [],
    assignee: 'any',
    assigneeUser: '',
    amountMin: '',
    amountMax: '',
    eligible: '',
    remedies: [],
    reportTypes: [],
    overridesOnly: false,
    duplicatesOnly: false,
    tags: '',
    priority: '',
    text: '',
    due: '',
  };
}

export type FilterProblem = 'amount_min' | 'amount_max' | 'amount_order' | 'assignee_user';

export interface Converted {
  filter: QueueFilterShape;
  /** Fields the person must correct; the filter leaves them out meanwhile. */
  problems: FilterProblem[];
}

export function splitTags(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[,\s]+/)) {
    const t = part.trim().replace(/^#/, '');
    if (t) seen.add(t);
  }
  return [...seen];
}

export function toQueueFilter(ui: UiFilter, currentUser: string): Converted {
  const problems: FilterProblem[] = [];
  let assignee: string | null = null;
  switch (ui.assignee) {
    case 'mine':
      assignee = currentUser;
      break;
    case 'unassigned':
      assignee = '';
      break;
    case 'user':
      if (ui.assigneeUser.trim()) assignee = ui.assigneeUser.trim();
      else problems.push('assignee_user');
      break;
  }
  let amountMin = ui.amountMin.trim() ? parseWon(ui.amountMin) : null;
  let amountMax = ui.amountMax.trim() ? parseWon(ui.amountMax) : null;
  if (ui.amountMin.trim() && amountMin === null) problems.push('amount_min');
  if (ui.amountMax.trim() && amountMax === null) problems.push('amount_max');
  if (amountMin !== null && amountMax !== null && amountMin > amountMax) {
    problems.push('amount_order');
    [amountMin, amountMax] = [amountMax, amountMin];
  }
  const text = ui.text.trim().replace(/\s+/g, ' ');
  return {
    filter: {
      statuses: [...ui.statuses],
      categories: [...ui.categories],
      services: [...ui.services],
      assignee,
      amount_min: amountMin,
      amount_max: amountMax,
      eligible: ui.eligible === 'yes' ? true : ui.eligible === 'no' ? false : null,
      remedies: [...ui.remedies],
      reasons: [],
      report_types: [...ui.reportTypes],
      reason_codes: [],
      overrides_only: ui.overridesOnly,
      duplicates_only: ui.duplicatesOnly,
      tags: splitTags(ui.tags),
      priority: ui.priority || null,
      batch_id: null,
      text: text || null,
      incident: null,
      due: ui.due || null,
    },
    problems,
  };
}

/** How many filter fields are set (for the "filters (3)" badge). */
export function activeFilterCount(ui: UiFilter): number {
  let n = 0;
  if (ui.statuses.length) n++;
  if (ui.categories.length) n++;
  if (ui.services.length) n++;
  if (ui.assignee !== 'any') n++;
  if (ui.amountMin.trim() || ui.amountMax.trim()) n++;
  if (ui.eligible) n++;
  if (ui.remedies.length) n++;
  if (ui.reportTypes.length) n++;
  if (ui.overridesOnly) n++;
  if (ui.duplicatesOnly) n++;
  if (splitTags(ui.tags).length) n++;
  if (ui.priority) n++;
  if (ui.text.trim()) n++;
  if (ui.due) n++;
  return n;
}

/** A saved view: a name and the filter and sort as the person set them. */
export interface SavedView {
  name: string;
  filter: UiFilter;
  sortKey: 'received_at' | 'amount' | 'claimed_amount';
  descending: boolean;
}

/** Reads saved views back, dropping anything malformed and filling fields added since. */
export function parseSavedViews(json: string | null): SavedView[] {
  if (!json) return [];
  try {
    const raw = JSON.parse(json);
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((v) => v && typeof v.name === 'string' && v.filter && typeof v.filter === 'object')
      .map((v) => ({
        name: v.name,
        filter: { ...emptyUiFilter(), ...v.filter, due: (DUE_STATES as unknown[]).includes(v.filter.due) ? v.filter.due : '' },
        sortKey: ['received_at', 'amount', 'claimed_amount'].includes(v.sortKey) ? v.sortKey : 'received_at',
        descending: v.descending === true,
      }));
  } catch {
    return [];
  }
}

/** Adds or replaces (by name) a saved view. */
export function upsertView(views: SavedView[], view: SavedView): SavedView[] {
  const rest = views.filter((v) => v.name !== view.name);
  return [...rest, view].sort((a, b) => a.name.localeCompare(b.name, 'ko'));
}

/** The filter a person would have set to get this QueueFilter (saved views, the batch screen). */
export function fromQueueFilter(f: Partial<QueueFilterShape>, currentUser: string): UiFilter {
  const ui = emptyUiFilter();
  ui.statuses = [...(f.statuses ?? [])];
  ui.categories = [...(f.categories ?? [])];
  ui.services = [...(f.services ?? [])];
  ui.remedies = [...(f.remedies ?? [])];
  if (f.assignee === '') ui.assignee = 'unassigned';
  else if (f.assignee && f.assignee === currentUser) ui.assignee = 'mine';
  else if (f.assignee) {
    ui.assignee = 'user';
    ui.assigneeUser = f.assignee;
  }
  ui.amountMin = f.amount_min === null || f.amount_min === undefined ? '' : String(f.amount_min);
  ui.amountMax = f.amount_max === null || f.amount_max === undefined ? '' : String(f.amount_max);
  ui.eligible = f.eligible === true ? 'yes' : f.eligible === false ? 'no' : '';
  ui.overridesOnly = f.overrides_only === true;
  ui.duplicatesOnly = f.duplicates_only === true;
  ui.tags = (f.tags ?? []).join(', ');
  ui.priority = f.priority ?? '';
  ui.text = f.text ?? '';
  ui.due = f.due && (DUE_STATES as string[]).includes(f.due) ? f.due : '';
  return ui;
}

/** Tags of a claim with new ones added (the core's annotate replaces the list). */
export function mergeTags(existing: string[], added: string[]): string[] {
  const out = [...existing];
  for (const t of added) if (!out.includes(t)) out.push(t);
  return out;
}
