import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { startBatchEntry } from './batch-entry';
import { ConflictError } from '../domain/errors';
import { activeVersion } from '../domain/lifecycle/states';
import type { BatchStore, BatchUser } from '../store/batches';
import type { JourneyStore } from '../store/journeys';

export interface BatchStartDeps {
  temporal: Client;
  journeys: Pick<JourneyStore, 'getJourney'>;
  batches: Pick<BatchStore, 'create'>;
  taskQueue: string;
}

/**
 * Stores the users (each once) in chunks and starts the batch-entry workflow that enrols them throttled;
 * 409 `journey_not_running` when the journey has no running version.
 */
export async function startBatchEnrollment(deps: BatchStartDeps, journeyId: string, users: BatchUser[], ratePerSecond: number) {
  const journey = await deps.journeys.getJourney(journeyId);
  if (activeVersion(journey)?.state !== 'running') {
    throw new ConflictError(`journey ${journeyId} has no running version`, { journeyId }, 'journey_not_running');
  }
  const batchId = randomUUID();
  const chunks = await deps.batches.create({ batchId, journeyId: journey.id, users, at: new Date() });
  await startBatchEntry(deps.temporal, deps.taskQueue, { batchId, journeyId: journey.id, chunks, users: users.length, ratePerSecond });
  return { batchId, journeyId: journey.id };
}
