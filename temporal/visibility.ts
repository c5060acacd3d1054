import type { Client } from '@temporalio/client';
// The SDK's own decoding of a raw visibility record (what `client.workflow.list` yields), which the raw call
// below needs because `list` does not expose Temporal's page token.
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { instanceOfRun, type Instance, type InstanceStatus } from './instance-view';

/** Temporal's `ExecutionStatus` spelling of each status, for visibility queries. */
const visibilityStatus: Record<InstanceStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

/** A visibility string literal: quotes and backslashes in user input stay data, never query syntax. */
export function visibilityQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/**
 * The journey instances of this deployment: its task queue, so that another deployment sharing the namespace
 * (staging beside production) is neither listed, counted, stopped nor erased by this one.
 */
export function deploymentInstances(taskQueue: string): string {
  return `WorkflowType = "journeyWorkflow" AND TaskQueue = ${visibilityQuote(taskQueue)}`;
}

/** Every run but the continued-as-new ones, so that each instance is listed once, as its latest run. */
export function instancesQuery(taskQueue: string, journeyId: string, filter: { userId?: string; status?: InstanceStatus }): string {
  return [
    deploymentInstances(taskQueue),
    `JourneyId = ${visibilityQuote(journeyId)}`,
    ...(filter.userId !== undefined ? [`UserId = ${visibilityQuote(filter.userId)}`] : []),
    filter.status ? `ExecutionStatus = "${visibilityStatus[filter.status]}"` : 'ExecutionStatus != "ContinuedAsNew"',
  ].join(' AND ');
}

/** One page of visibility, with Temporal's own page token. */
export async function visibilityPage(
  temporal: Client,
  query: string,
  pageSize: number,
  token?: Buffer,
): Promise<{ items: Instance[]; next?: Buffer }> {
  const { namespace } = temporal.options;
  const response = await temporal.workflowService.listWorkflowExecutions({
    namespace,
    query,
    pageSize,
    nextPageToken: token ?? Buffer.alloc(0),
  });
  const infos = await Promise.all(
    response.executions.map((raw) => executionInfoFromRaw(raw, temporal.workflow.options.loadedDataConverter, raw, namespace)),
  );
  const next = response.nextPageToken;
  return { items: infos.flatMap((info) => instanceOfRun(info) ?? []), ...(next && next.length > 0 ? { next: Buffer.from(next) } : {}) };
}
