import type { Client } from '@temporalio/client';

/**
 * History events per node over a sample of completed instances: their events divided by the nodes they
 * visited (`nodesOf` reads them from the result; the plain baseline always runs the six steps).
 */
export async function historyEventsPerNode(client: Client, workflowIds: string[], nodesOf: (result: unknown) => number, sample = 20): Promise<{ events: number; nodes: number; perNode: number }> {
  const chosen = workflowIds.slice(0, sample);
  let events = 0;
  let nodes = 0;
  for (const workflowId of chosen) {
    const handle = client.workflow.getHandle(workflowId);
    const history = await handle.fetchHistory();
    events += history.events?.length ?? 0;
    nodes += nodesOf(await handle.result());
  }
  return { events: events / chosen.length, nodes: nodes / chosen.length, perNode: nodes === 0 ? Number.NaN : events / nodes };
}

/** Nodes visited by an engine instance: the length of its result's path. */
export function enginePathLength(result: unknown): number {
  const path = (result as { path?: unknown } | undefined)?.path;
  return Array.isArray(path) ? path.length : 0;
}
