/** Names of workflows and task queues. Zod-free, so workflow code may import it. */

/** The one workflow id of a (journey, user) pair: Temporal itself then refuses a second live instance. */
export function instanceWorkflowId(journeyId: string, userId: string): string {
  return `journey:${journeyId}:user:${userId}`;
}

export function parseInstanceWorkflowId(workflowId: string): { journeyId: string; userId: string } | undefined {
  const match = /^journey:([^:]+):user:([^:]+)$/.exec(workflowId);
  return match ? { journeyId: match[1]!, userId: match[2]! } : undefined;
}

/** Task queue names: one for journey workflows, one per channel so each channel can be rate limited. */
export function channelTaskQueue(baseQueue: string, channel: string): string {
  return `${baseQueue}-channel-${channel}`;
}

/**
 * The task queue of the service workflows (batch entry, segment runs, version stop and drain): their own, so
 * a batch is never starved by the backlog of the instances it starts on the journey queue.
 */
export function serviceTaskQueue(baseQueue: string): string {
  return `${baseQueue}-services`;
}

/** The journey task queue a service workflow's activities start instances on. */
export function journeyTaskQueueOf(queue: string): string {
  return queue.endsWith('-services') ? queue.slice(0, -'-services'.length) : queue;
}

/** The exactly-once key of one message: one per (instance, entry, node). */
export function deliveryKey(instanceId: string, entryId: string, nodeId: string): string {
  return `${instanceId}/${entryId}/${nodeId}`;
}

/** The parts of a delivery key, read from the right (a user id may contain "/", run ids and node ids do not). */
export function parseDeliveryKey(key: string): { instanceId: string; entryId: string; nodeId: string } | undefined {
  const parts = key.split('/');
  if (parts.length < 3) return undefined;
  const nodeId = parts.pop()!;
  const entryId = parts.pop()!;
  return { instanceId: parts.join('/'), entryId, nodeId };
}
