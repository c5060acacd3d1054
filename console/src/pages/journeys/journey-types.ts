import type { JourneyDefinition } from '../../../../domain/definition/schema';
import type { JourneyJson, VersionJson, VersionSummaryJson } from '../../../../domain/lifecycle/journey-json';
import type { VersionState } from '../../../../domain/lifecycle/states';

/**
 * The API's journeys as JSON (GET /v1/journeys, /v1/journeys/{id}, /versions/{v}): derived from the API's schemas in
 * domain/lifecycle/journey-json.ts; dates arrive as ISO strings. Type imports only: nothing of domain/ is bundled.
 */
export type { JourneyDefinition, VersionState };

export type VersionSummary = VersionSummaryJson;
export type Journey = JourneyJson;
export type JourneyVersion = VersionJson;

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
