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
