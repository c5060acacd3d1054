import type { Client } from '@temporalio/client';
import { requestReportRebuild } from './services';
import type { JourneyStore } from '../store/journeys';

/** Asks the reports service to recompute a journey's counters from its facts alone; 404 for an unknown journey. */
export async function rebuildJourneyReport(
  deps: { temporal: Client; journeys: Pick<JourneyStore, 'getJourney'>; taskQueue: string },
  journeyId: string,
) {
  await deps.journeys.getJourney(journeyId);
  const workflowId = await requestReportRebuild(deps.temporal, deps.taskQueue, journeyId);
  return { journeyId, workflowId };
}
