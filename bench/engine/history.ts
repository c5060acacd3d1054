import type { Client } from '@temporalio/client';

/**
 * History events per node over a sample of completed instances: their events divided by the nodes they
 * visited (`nodesOf` reads them from the result; the plain baseline always runs the six steps).
 */
export async function historyEventsPerNode(
  client: Client,
  workflowIds: string[],
  nodesOf: (result: unknown) => number,
  sample = 20,
): Promise<{ events: number; nodes: number; perNode: number }> {
  let [counted, events, nodes] = [0, 0, 0];
  for (const workflowId of workflowIds) {
    if (counted === sample) break;
    const handle = client.workflow.getHandle(workflowId);
    // Only instances that completed: a failed one (counted by the run) has no path to divide by.
    const result = await handle.result().catch(() => undefined);
    if (result === undefined) continue;
    const history = await handle.fetchHistory();
    events += history.events?.length ?? 0;
    nodes += nodesOf(result);
    counted++;
  }
  return { events: events / counted, nodes: nodes / counted, perNode: nodes === 0 ? Number.NaN : events / nodes };
}

/** Nodes visited by an engine instance: the length of its result's path. */
export function enginePathLength(result: unknown): number {
  const path = (result as { path?: unknown } | undefined)?.path;
  return Array.isArray(path) ? path.length : 0;
}
