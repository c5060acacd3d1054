import type { JourneyStore } from '../store/journeys';
import { batchChunkSize, type BatchStore } from '../store/batches';
import { isDuplicateKey } from '../store/mongo/errors';
import type { Models } from '../store/mongo/models';
import type { ProfileStore } from '../store/profiles';
import { evaluateAudience } from '../store/audience';

export interface SegmentActivityDependencies {
  journeys: Pick<JourneyStore, 'loadGraph' | 'getJourney'>;
  profiles: Pick<ProfileStore, 'model'>;
  events: Models['events'];
  batches: Pick<BatchStore, 'create' | 'progress'>;
  clock?: () => Date;
}

export interface SegmentRun {
  batchId: string;
  chunks: number;
  users: number;
}

/** Activities of the segment-run service workflow. */
export function createSegmentActivities(deps: SegmentActivityDependencies) {
  const clock = deps.clock ?? (() => new Date());
  return {
    /**
     * Evaluates the version's audience now and stores the selected users as the batch `batchId` (the run's
     * own id, so each user is enrolled at most once per run). A retry finds the batch stored and answers it.
     * A version that is not running selects nobody.
     */
    async prepareSegmentRun(request: { journeyId: string; version: number; batchId: string }): Promise<SegmentRun> {
      const stored = async () => {
        const progress = await deps.batches.progress(request.batchId);
        return progress && { batchId: request.batchId, chunks: Math.ceil(progress.total / batchChunkSize), users: progress.total };
      };
      const existing = await stored();
      if (existing) return existing;
      const journey = await deps.journeys.getJourney(request.journeyId);
      const graph = await deps.journeys.loadGraph(request.journeyId, request.version, journey);
      const running = journey.versions.some((v) => v.version === request.version && v.state === 'running');
      if (!running || graph.entry.type !== 'segment') return { batchId: request.batchId, chunks: 0, users: 0 };
      const userIds = await evaluateAudience({ profiles: deps.profiles, events: deps.events }, graph.entry, clock());
      if (userIds.length === 0) return { batchId: request.batchId, chunks: 0, users: 0 };
      try {
        const chunks = await deps.batches.create({
          batchId: request.batchId,
          journeyId: request.journeyId,
          users: userIds.map((userId) => ({ userId })),
          at: clock(),
        });
        return { batchId: request.batchId, chunks, users: userIds.length };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const concurrent = await stored();
        if (!concurrent) throw error;
        return concurrent;
      }
    },
  };
}

export type SegmentActivities = ReturnType<typeof createSegmentActivities>;
