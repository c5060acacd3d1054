/** The dry run's request and answer: the API's own types (type-only imports, erased from the bundle). */
export type { DryRunRequest, DryRunResponse } from '../../../../api/dry-run/schema';

/** What the page reads of a version (GET /v1/journeys/{id}/versions/{v}): how users enter it. */
export interface VersionEntry {
  version: number;
  state: string;
  definition: { entry: { type: string; event?: string } };
}

export interface JourneyChoice {
  id: string;
  name: string;
  versions: { version: number; state: string }[];
}
