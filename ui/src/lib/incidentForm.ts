// The "start a new incident" form: what a person types (an id, a name, two
// dates in KST) and the Incident the command takes. The store checks again
// (BAD_INCIDENT); this only says early what is wrong, field by field.

import type { Incident } from './bindings';

export interface IncidentForm {
  /** The incident to copy (its active policy and services). */
  copyOf: string;
  id: string;
  name: string;
  /** yyyy-mm-dd (KST). */
  start: string;
  end: string;
}

export type IncidentProblem = 'id' | 'id_taken' | 'name' | 'start' | 'end' | 'order' | 'copy_of';

/** The rule of core's Incident::validate: 1 to 64 lower-case letters, digits and '-'. */
export const INCIDENT_ID = /^[a-z0-9-]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(d: string): boolean {
  if (!DATE.test(d)) return false;
  const t = Date.parse(`${d}T00:00:00+09:00`);
  return Number.isFinite(t) && new Date(t + 9 * 3600_000).toISOString().slice(0, 10) === d;
}

/** The Incident of a form (start 00:00:00 and end 23:59:59 KST), or what is wrong with it. */
export function incidentFromForm(f: IncidentForm, taken: string[]): { incident: Incident | null; problems: IncidentProblem[] } {
  const problems: IncidentProblem[] = [];
  const id = f.id.trim();
  const name = f.name.trim();
  if (!INCIDENT_ID.test(id)) problems.push('id');
  else if (taken.includes(id)) problems.push('id_taken');
  if (!name) problems.push('name');
  if (!f.copyOf) problems.push('copy_of');
  const startOk = validDate(f.start);
  const endOk = validDate(f.end);
  if (!startOk) problems.push('start');
  if (!endOk) problems.push('end');
  if (startOk && endOk && f.end < f.start) problems.push('order');
  if (problems.length) return { incident: null, problems };
  return { incident: { id, name, started_at: `${f.start}T00:00:00+09:00`, ended_at: `${f.end}T23:59:59+09:00` }, problems };
}

/** A suggested id from a name and a start date: ascii words of the name, then yyyy-mm (e.g. `breach-2025-11`). */
export function suggestId(name: string, start: string): string {
  const words = name.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const ym = DATE.test(start) ? start.slice(0, 7) : '';
  const base = words.filter((w) => !ym.startsWith(w)).slice(0, 3).join('-') || 'incident';
  return (ym ? `${base}-${ym}` : base).slice(0, 64);
}
