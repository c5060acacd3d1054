import { activityInfo, heartbeat } from '@temporalio/activity';
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isControlUser } from '../domain/control-group';
import { enrolUser } from '../temporal/instances';
import { journeyTaskQueueOf } from '../domain/naming';
import type { BatchFailure, BatchNotEligibleReason, BatchStore, BatchUser, ChunkResult } from '../store/batches';
import type { EntryStore } from '../store/entries';
import type { JourneyStore, JourneyView } from '../store/journeys';

export interface BatchActivityDependencies {
  temporal: Client;
  journeys: Pick<JourneyStore, 'getJourney' | 'loadGraph'>;
  entries: Pick<EntryStore, 'eligibility' | 'close' | 'latest'>;
  batches: Pick<BatchStore, 'chunk' | 'recordResult'>;
}

type UserOutcome =
  | { kind: 'started'; control: boolean }
  | { kind: 'existing' }
  | { kind: 'not_eligible'; reason: BatchNotEligibleReason }
  | { kind: 'failed'; error: string };

/** Enrolments in flight at once within a chunk. */
const concurrency = 25;
/** Failures kept per chunk with their error; the count has them all. */
const keptFailures = 5;
/** gRPC INVALID_ARGUMENT: Temporal refuses the start itself (a context over the payload limit, say). */
const invalidArgument = 3;

/** Activities of the batch-entry workflow (workflows/services/batch-entry.ts). */
export function createBatchActivities({ temporal, journeys, entries, batches }: BatchActivityDependencies) {
  return {
    /**
     * Enrols one chunk of a batch with the rules of a single enrolment (temporal/instances.ts `enrolUser`) and
     * records its counts once. Idempotent: a chunk with a result answers it; a retry that finds a user's
     * latest instance started by this batch (its memo) counts that user as started and does not enrol them
     * again, so re-entry rules cannot admit a user twice in one batch.
     */
    async enrolBatchChunk(request: { batchId: string; chunk: number }): Promise<{ users: number }> {
      const { batchId } = request;
      const { journeyId, users, result } = await batches.chunk(batchId, request.chunk);
      if (result) return { users: users.length };
      // Read once per chunk: a pause or stop of the journey takes effect from the next chunk.
      const journey = await journeys.getJourney(journeyId);
      const deps = { temporal, entries, journeys: { ...journeys, journeyForEntry: () => Promise.resolve(journey) } };
      const { attempt } = activityInfo();
      const taskQueue = journeyTaskQueueOf(activityInfo().taskQueue);

      async function startedEarlier(userId: string): Promise<UserOutcome | undefined> {
        const entry = await entries.latest(journeyId, userId);
        if (!entry || !(await startedByBatch(temporal, entry.instanceId, entry.runId, batchId))) return undefined;
        return { kind: 'started', control: await controlOf(journeys, journey, userId, entry.version) };
      }

      async function enrol(user: BatchUser): Promise<UserOutcome> {
        if (attempt > 1) {
          const earlier = await startedEarlier(user.userId);
          if (earlier) return earlier;
        }
        try {
          const outcome = await enrolUser(deps, {
            journeyId,
            userId: user.userId,
            ...(user.context ? { context: user.context } : {}),
            taskQueue,
            // Operators see which batch enrolled a user, and a retried chunk recognises its own starts.
            memo: { batchId },
          });
          switch (outcome.status) {
            case 'started':
              return { kind: 'started', control: outcome.control };
            case 'existing':
              return { kind: 'existing' };
            case 'not_eligible':
              return { kind: 'not_eligible', reason: outcome.reason };
            case 'not_running':
              return { kind: 'not_eligible', reason: 'journey_not_running' };
          }
        } catch (error) {
          const refusal = refusedForGood(error);
          if (refusal !== undefined) return { kind: 'failed', error: refusal };
          throw error;
        }
      }

      const outcomes: { userId: string; outcome: UserOutcome }[] = [];
      for (let start = 0; start < users.length; start += concurrency) {
        const slice = users.slice(start, start + concurrency);
        outcomes.push(...(await Promise.all(slice.map(async (user) => ({ userId: user.userId, outcome: await enrol(user) })))));
        heartbeat();
      }
      await batches.recordResult(batchId, request.chunk, tally(outcomes));
      return { users: users.length };
    },
  };
}

export type BatchActivities = ReturnType<typeof createBatchActivities>;

/** Was this run (an entry's first run) started by the batch? Its memo says so. */
async function startedByBatch(temporal: Client, instanceId: string, runId: string, batchId: string): Promise<boolean> {
  try {
    const { memo } = await temporal.workflow.getHandle(instanceId, runId).describe();
    return memo?.batchId === batchId;
  } catch (error) {
    // Forgotten by Temporal (retention): far older than a retried chunk.
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

async function controlOf(
  journeys: BatchActivityDependencies['journeys'],
  journey: JourneyView,
  userId: string,
  version: number,
): Promise<boolean> {
  const { settings } = await journeys.loadGraph(journey.id, version, journey);
  return isControlUser(journey.id, userId, settings.controlGroup);
}

/** The reason when Temporal refused a start for good (a retry would get the same answer); undefined otherwise. */
function refusedForGood(error: unknown): string | undefined {
  const cause = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(cause) && cause.code === invalidArgument ? cause.details : undefined;
}

function tally(outcomes: { userId: string; outcome: UserOutcome }[]): ChunkResult {
  const result: ChunkResult = { started: 0, control: 0, existing: 0, notEligible: {}, failed: 0, failures: [], finishedAt: new Date() };
  const failures: BatchFailure[] = [];
  for (const { userId, outcome } of outcomes) {
    switch (outcome.kind) {
      case 'started':
        result.started++;
        if (outcome.control) result.control++;
        break;
      case 'existing':
        result.existing++;
        break;
      case 'not_eligible':
        result.notEligible[outcome.reason] = (result.notEligible[outcome.reason] ?? 0) + 1;
        break;
      case 'failed':
        result.failed++;
        failures.push({ userId, error: outcome.error });
        break;
    }
  }
  result.failures = failures.slice(0, keptFailures);
  return result;
}
