import { ApplicationFailure } from '@temporalio/activity';
import type { JourneyGraph } from '../shared/definition/schema';
import type { Models } from '../shared/mongo/models';

export interface JourneyActivityDependencies {
  models: Models;
}

/** Bookkeeping activities of the journey task queue, run as local activities by the workflow. */
export function createJourneyActivities({ models }: JourneyActivityDependencies) {
  return {
    /** Loads the immutable graph of a published version; the workflow pins it for the instance's life. */
    async loadJourneyGraph(journeyId: string, version: number): Promise<JourneyGraph> {
      const found = await models.versions.findOne({ journeyId, version }).lean();
      if (!found) {
        throw ApplicationFailure.nonRetryable(`journey ${journeyId} has no version ${version}`, 'VersionNotFound');
      }
      return found.structure as JourneyGraph;
    },
  };
}

export type JourneyActivities = ReturnType<typeof createJourneyActivities>;
