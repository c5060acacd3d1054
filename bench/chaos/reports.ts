import type { Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { reportsWorkflowId } from '../../temporal/services';
import type { Models } from '../../store/mongo/models';
import type { JourneyReport } from '../../domain/reports/report';
import type { ApiClient } from './api-client';
import { CHAOS_JOURNEY } from './journey';

/**
 * Waits until the reports service has folded the whole journal: the folded positions of the stripes add up
 * to the number of journal batches (positions have no gaps). A gap left by a dying writer would stop the
 * folder short of it for good, so this is also the check that none is left. A fold cut off by a worker kill
 * is only retried after its activity's start-to-close timeout (5 min, no heartbeat), hence the long deadline.
 */
export async function awaitFolded(
  models: Models,
  deadline: number,
): Promise<{ folded: number; batches: number; caughtUp: boolean; waitedS: number }> {
  const started = Date.now();
  for (;;) {
    const batches = await models.facts.countDocuments({});
    const state = await models.reportState.findById('journal').lean();
    const folded = Object.values((state?.value as Record<string, number> | undefined) ?? {}).reduce((sum, n) => sum + n, 0);
    const waitedS = Math.round((Date.now() - started) / 1000);
    if (folded === batches) return { folded, batches, caughtUp: true, waitedS };
    if (Date.now() > deadline) return { folded, batches, caughtUp: false, waitedS };
    await sleep(1_000);
  }
}

export async function fetchReport(api: ApiClient): Promise<JourneyReport> {
  const answer = await api.request('GET', `/v1/journeys/${CHAOS_JOURNEY}/versions/1/report`);
  if (answer.status !== 200) throw new Error(`GET report answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer.body as JourneyReport;
}

/**
 * Asks for a rebuild through the API and waits until the reports service has run a `rebuildCounters`
 * activity to completion after the request (read from its history).
 */
export async function rebuildAndAwait(api: ApiClient, client: Client, taskQueue: string, deadline: number): Promise<boolean> {
  const handle = client.workflow.getHandle(reportsWorkflowId(taskQueue));
  const before = await completedRebuilds(handle);
  const answer = await api.request('POST', `/v1/journeys/${CHAOS_JOURNEY}/report:rebuild`);
  if (answer.status !== 202) throw new Error(`POST report:rebuild answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  while (Date.now() < deadline) {
    await sleep(1_000);
    // A continue-as-new starts a fresh history: any completed rebuild there is ours.
    const { runId, count } = await completedRebuilds(handle);
    if (runId !== before.runId ? count > 0 : count > before.count) return true;
  }
  return false;
}

async function completedRebuilds(handle: ReturnType<Client['workflow']['getHandle']>): Promise<{ runId: string; count: number }> {
  const { runId } = await handle.describe();
  const history = await handle.fetchHistory();
  const scheduled = new Set<number>();
  let count = 0;
  for (const event of history.events ?? []) {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name === 'rebuildCounters') scheduled.add(Number(event.eventId));
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && scheduled.has(Number(completed.scheduledEventId))) count++;
  }
  return { runId, count };
}
