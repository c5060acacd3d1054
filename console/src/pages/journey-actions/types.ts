import type { Journey, VersionSummary as FullVersionSummary } from '../journeys/journey-types';
import type { LifecycleAction, VersionState } from '../../../../domain/lifecycle/states';

/** The parts of the API's journey (`GET /v1/journeys/:id`, typed in ../journeys/journey-types.ts) the actions read. */
export type { LifecycleAction, VersionState };

export type VersionSummary = Pick<FullVersionSummary, 'version' | 'state' | 'description' | 'draining' | 'allowedActions'>;

export interface JourneySummary extends Pick<Journey, 'id' | 'name' | 'archived'> {
  versions: VersionSummary[];
}
