import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { NotFoundError } from '../shared/errors';
import type { JourneyGraph } from '../shared/definition/schema';
import type { ProfileStore } from '../shared/profiles/store';
import type { EntryStore } from '../shared/store/entries';
import type { JourneyStore } from '../shared/store/journeys';
import { createEnrolActivities } from './enrol';
import { createProfileActivities } from './profiles';

export interface JourneyActivityDependencies {
  journeys: Pick<JourneyStore, 'loadGraph' | 'contentFor' | 'getJourney'>;
  profiles: Pick<ProfileStore, 'view' | 'apply'>;
  /** Starts instances of other journeys (enterJourney nodes). */
  temporal: Client;
  /** The enrolment record, so enterJourney refuses early like the API (once ever, cool-down). */
  entries?: Pick<EntryStore, 'eligibility' | 'close'>;
}

/** The weights an experiment node draws with now, and a declared winner if any. */
export interface ExperimentWeights {
  /** Path name -> weight (any positive scale; the workflow normalises). */
  weights: Record<string, number>;
  /** A declared winner (content.winner): every new instance takes it. */
  winner?: string;
}

/**
 * Activities of the journey task queue: bookkeeping reads that the workflow runs as local activities
 * (graph, profile, experiment weights) and the node writes it runs as regular activities (updateProfile,
 * enterJourney).
 */
export function createJourneyActivities({ journeys, profiles, temporal, entries }: JourneyActivityDependencies) {
  return {
    /** Loads the immutable graph of a published version; the workflow pins it for the instance's life. */
    async loadJourneyGraph(journeyId: string, version: number): Promise<JourneyGraph> {
      try {
        return await journeys.loadGraph(journeyId, version);
      } catch (error) {
        if (error instanceof NotFoundError) throw ApplicationFailure.nonRetryable(error.message, 'VersionNotFound');
        throw error;
      }
    },

    /**
     * The current weights of an experiment node, read from its What (so in-place edits of manual weights
     * apply to the next user), and its declared winner. Without stored weights (auto mode before any
     * re-weighting) every path of the node gets an equal share.
     */
    async experimentWeights(journeyId: string, version: number, nodeId: string): Promise<ExperimentWeights> {
      const content = await journeys.contentFor(journeyId, version, nodeId);
      const winner = typeof content?.winner === 'string' ? content.winner : undefined;
      const stored = content?.weights;
      if (isWeights(stored)) return { weights: stored, ...(winner ? { winner } : {}) };
      const node = (await journeys.loadGraph(journeyId, version)).nodes[nodeId];
      const paths = node?.type === 'experiment' ? Object.keys(node.paths) : [];
      const share = paths.length > 0 ? 100 / paths.length : 0;
      return { weights: Object.fromEntries(paths.map((path) => [path, share])), ...(winner ? { winner } : {}) };
    },

    ...createProfileActivities({ profiles }),
    ...createEnrolActivities({ temporal, journeys, ...(entries ? { entries } : {}) }),
  };
}

export type JourneyActivities = ReturnType<typeof createJourneyActivities>;

function isWeights(value: unknown): value is Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.values(value);
  return entries.length > 0 && entries.every((weight) => typeof weight === 'number' && Number.isFinite(weight)) && entries.some((w) => (w as number) > 0);
}
