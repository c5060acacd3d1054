import type { VersionSummary } from './journey-types';

/** One moment in a version's life, from the versions the API answers (who and when). */
export interface TimelineEvent {
  version: number;
  what: string;
  at: string;
  by?: string;
}

/**
 * Every version's moments, oldest first: created, published, its entry window, stopped (or draining). The API keeps
 * who created and published a version, and when each moment happened; pauses and resumes are not recorded apart.
 */
export function versionTimeline(versions: readonly VersionSummary[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const v of versions) {
    events.push({ version: v.version, what: v.version === 1 ? 'created' : 'created as a new version', at: v.createdAt, by: v.createdBy });
    if (v.publishedAt)
      events.push({ version: v.version, what: 'published', at: v.publishedAt, ...(v.publishedBy ? { by: v.publishedBy } : {}) });
    if (v.startAt) events.push({ version: v.version, what: 'entry opens', at: v.startAt });
    if (v.endAt) events.push({ version: v.version, what: 'entry closes', at: v.endAt });
    if (v.stoppedAt) {
      const why = v.stopReason === 'version_exit' ? 'stopped (replaced by a newer version)' : 'stopped';
      events.push({ version: v.version, what: why, at: v.stoppedAt });
    }
  }
  return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.version - b.version));
}

/** `4 Dec 2026, 10:05` in the browser's zone (the title attribute carries the exact instant). */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}
