import type { JourneyChangeJson } from '../../../../domain/lifecycle/journey-json';

/** One change of the journey as GET /v1/journeys/{id}/history answers it (dates as ISO strings). */
export type JourneyChange = JourneyChangeJson;

/** A change as the timeline shows it: what happened, who, when, and which versions' states moved. */
export interface TimelineEntry {
  revision: number;
  what: string;
  by: string;
  at: string;
  /** `v1 running → paused`, `v2 new draft`... */
  states: string[];
}

const actionNames: Record<string, string> = {
  create: 'Created',
  newVersion: 'New version',
  edit: 'Draft edited',
  delete: 'Draft deleted',
  publish: 'Published',
  pause: 'Paused',
  resume: 'Resumed',
  'stop:exit': 'Stopped (users exit)',
  'stop:drain': 'Stopping (users finish)',
  closeEntry: 'Entry closed',
  finishDrain: 'Drained',
  archive: 'Archived',
  unarchive: 'Unarchived',
};

/** The journey's history, newest first, each change with the state moves it made against the change before it. */
export function historyTimeline(changes: readonly JourneyChange[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let before = new Map<number, string>();
  for (const change of changes) {
    const after = new Map(change.versions.map((v) => [v.version, v.draining ? `${v.state} (draining)` : v.state]));
    const states: string[] = [];
    for (const [version, state] of after) {
      const was = before.get(version);
      if (was === undefined) states.push(`v${version} ${state}`);
      else if (was !== state) states.push(`v${version} ${was} → ${state}`);
    }
    for (const version of before.keys()) if (!after.has(version)) states.push(`v${version} deleted`);
    entries.push({ revision: change.revision, what: actionNames[change.action] ?? change.action, by: change.actor, at: change.at, states });
    before = after;
  }
  return entries.reverse();
}

/** `4 Dec 2026, 10:05` in the browser's zone (the title attribute carries the exact instant). */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}
