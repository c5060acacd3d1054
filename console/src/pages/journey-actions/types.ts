/** The parts of the API's journey (`GET /v1/journeys/:id`) the actions read. */

export type VersionState = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'restricted' | 'stopped';

export type LifecycleAction = 'edit' | 'publish' | 'delete' | 'clone' | 'editWhat' | 'newVersion' | 'pause' | 'resume' | 'stop';

export interface VersionSummary {
  version: number;
  state: VersionState;
  description: string;
  draining?: boolean;
  allowedActions: LifecycleAction[];
}

export interface JourneySummary {
  id: string;
  name: string;
  archived: boolean;
  versions: VersionSummary[];
}
