import type { JourneyDefinition } from '../../../../domain/definition/schema';
import type { LifecycleAction, VersionState } from '../../../../domain/lifecycle/states';

/**
 * The API's journeys as JSON (GET /v1/journeys, /v1/journeys/{id}, /versions/{v}): the schemas live in domain/
 * and api/schemas/journeys.ts; dates arrive as ISO strings. Type imports only: nothing of domain/ is bundled.
 */
export type { JourneyDefinition, VersionState };

export interface VersionSummary {
  version: number;
  state: VersionState;
  description: string;
  createdBy: string;
  createdAt: string;
  publishedBy?: string;
  publishedAt?: string;
  startAt?: string;
  endAt?: string;
  draining?: boolean;
  stoppedAt?: string;
  stopReason?: 'stopped' | 'version_exit';
  allowedActions: LifecycleAction[];
}

export interface Journey {
  id: string;
  name: string;
  labels: string[];
  archived: boolean;
  revision: number;
  updatedAt: string;
  versions: VersionSummary[];
}

export interface JourneyVersion extends VersionSummary {
  journeyId: string;
  definition: JourneyDefinition;
  contentRevisions: Record<string, number>;
}

export type EntryType = JourneyDefinition['entry']['type'];

/** Every entry type, by a record so a new one does not compile until it is listed here. */
const entryTypeNames: Record<EntryType, string> = { api: 'API', event: 'Event', list: 'List', segment: 'Segment' };
export const entryTypes = Object.keys(entryTypeNames) as EntryType[];
export function entryTypeName(type: EntryType): string {
  return entryTypeNames[type];
}

/** Every version state, by a record for the same reason. */
const stateOrder: Record<VersionState, number> = { draft: 0, scheduled: 1, running: 2, paused: 3, completed: 4, restricted: 5, stopped: 6 };
export const versionStates = Object.keys(stateOrder) as VersionState[];

/** The version a journey page opens on: the active one (scheduled, running, paused), else the newest published, else the newest. */
export function defaultVersion(journey: Pick<Journey, 'versions'>): number | undefined {
  const versions = [...journey.versions].sort((a, b) => b.version - a.version);
  const active = versions.find((v) => v.state === 'scheduled' || v.state === 'running' || v.state === 'paused');
  return (active ?? versions.find((v) => v.state !== 'draft') ?? versions[0])?.version;
}
