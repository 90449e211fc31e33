// The store's current incident and the list the switcher shows. Switching
// (or starting an incident, which switches to it) bumps `epoch`: App.svelte
// keys the screen on it, so every screen loads its data again, of the new incident.

import * as api from './api';
import type { IncidentInfo } from './api';
import { catalogState } from './catalog.svelte';
import { queueState } from './queueState.svelte';

export const incidentState = $state<{ list: IncidentInfo[]; current: IncidentInfo | null; epoch: number }>({
  list: [],
  current: null,
  epoch: 0,
});

export async function loadIncidents(): Promise<void> {
  const [list, current] = await Promise.all([api.incidents(), api.currentIncident()]);
  incidentState.list = list;
  incidentState.current = current;
}

/** What is kept per incident is forgotten: the catalog (its services) and the queue's place. */
function changed(): void {
  catalogState.loaded = false;
  queueState.ui = { ...queueState.ui, services: [] };
  queueState.cursor = 0;
  queueState.scrollTop = 0;
  incidentState.epoch++;
}

export async function switchIncident(id: string): Promise<void> {
  incidentState.current = await api.switchIncident(id);
  changed();
  incidentState.list = await api.incidents();
}

/** After a new incident was started (the store works in it already). */
export async function incidentStarted(): Promise<void> {
  await loadIncidents();
  changed();
}
