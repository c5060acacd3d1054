import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { NotFoundError } from '../domain/errors';
import type { JourneyGraph } from '../domain/definition/schema';
import type { ProfileStore } from '../store/profiles';
import type { EntryStore } from '../store/entries';
import type { ExperimentStore } from '../store/experiments';
import type { JourneyStore } from '../store/journeys';
import { createEnrolActivities } from './enrol';
import { createProfileActivities } from './profiles';

export interface JourneyActivityDependencies {
  journeys: Pick<JourneyStore, 'loadGraph' | 'contentFor' | 'journeyForEntry'>;
  profiles: Pick<ProfileStore, 'view' | 'apply'>;
  /** Starts instances of other journeys (enterJourney nodes). */
  temporal: Client;
  /** The enrolment record, so enterJourney refuses early like the API (once ever, cool-down). */
  entries?: Pick<EntryStore, 'eligibility' | 'close'>;
  /** Auto experiments' weights and declared winners; without it they keep equal shares and have no winner. */
  experiments?: Pick<ExperimentStore, 'current'>;
}

/** The weights an experiment node draws with now, and a declared winner if any. */
export interface ExperimentWeights {
  /** Path name -> weight (any positive scale; the workflow normalises). */
  weights: Record<string, number>;
  /** A declared winner (auto mode, from the experiment store): every new instance takes it. */
  winner?: string;
}

/**
 * Activities of the journey task queue: bookkeeping reads that the workflow runs as local activities
 * (graph, profile, experiment weights) and the node writes it runs as regular activities (updateProfile,
 * enterJourney).
 */
export function createJourneyActivities({ journeys, profiles, temporal, entries, experiments }: JourneyActivityDependencies) {
  return {
    /**
     * Loads the immutable graph of a published version; the workflow pins it for the instance's life. The
     * journey store keeps published graphs for good, so this reads the store once per version and process.
     */
    async loadJourneyGraph(journeyId: string, version: number): Promise<JourneyGraph> {
      try {
        return await journeys.loadGraph(journeyId, version);
      } catch (error) {
        if (error instanceof NotFoundError) throw ApplicationFailure.nonRetryable(error.message, 'VersionNotFound');
        throw error;
      }
    },

    /**
     * The weights an experiment node draws with now. Manual mode: its What (so in-place edits apply to the
     * next user). Auto mode: the latest re-weighting and the declared winner from the experiment store.
     * Without usable weights (auto mode before its first re-weighting) every path gets an equal share.
     * Manual weights come from the store's send-path cache: an edit reaches new instances within
     * SEND_PATH_STALENESS_MS (2 s; at once in the process that made it).
     */
    async experimentWeights(journeyId: string, version: number, nodeId: string): Promise<ExperimentWeights> {
      const node = (await journeys.loadGraph(journeyId, version)).nodes[nodeId];
      if (node?.type !== 'experiment') return { weights: {} };
      const paths = Object.keys(node.paths);
      const equal = (): Record<string, number> => Object.fromEntries(paths.map((path) => [path, 100 / paths.length]));
      switch (node.mode) {
        case 'manual': {
          const stored = (await journeys.contentFor(journeyId, version, nodeId))?.weights;
          return { weights: isWeights(stored) ? stored : equal() };
        }
        case 'auto': {
          const current = experiments ? await experiments.current(journeyId, version, nodeId) : {};
          const winner = current.winner !== undefined && paths.includes(current.winner) ? current.winner : undefined;
          return { weights: isWeights(current.weights) ? current.weights : equal(), ...(winner !== undefined ? { winner } : {}) };
        }
      }
    },

    ...createProfileActivities({ profiles }),
    ...createEnrolActivities({ temporal, journeys, ...(entries ? { entries } : {}) }),
  };
}

export type JourneyActivities = ReturnType<typeof createJourneyActivities>;

function isWeights(value: unknown): value is Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.values(value);
  return (
    entries.length > 0 &&
    entries.every((weight) => typeof weight === 'number' && Number.isFinite(weight)) &&
    entries.some((w) => (w as number) > 0)
  );
}
