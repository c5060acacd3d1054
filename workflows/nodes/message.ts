import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ChannelActivities } from '../../activities';
import type { NodeOfType } from '../../shared/definition/schema';
import { channelTaskQueue } from '../../shared/naming';
import type { NodeContext, NodeOutcome } from '../context';

/** Hands the send to the channel's own task queue (rate limited by the server) and routes by outcome. */
export async function runMessage(node: NodeOfType<'message'>, ctx: NodeContext): Promise<NodeOutcome> {
  const { sendMessage } = proxyActivities<ChannelActivities>({
    taskQueue: channelTaskQueue(workflowInfo().taskQueue, node.channel),
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 20 },
  });
  const result = await sendMessage({
    deliveryKey: `${ctx.instanceId}/${ctx.entryId}/${ctx.nodeId}`,
    instanceId: ctx.instanceId,
    journeyId: ctx.input.journeyId,
    version: ctx.input.version,
    nodeId: ctx.nodeId,
    userId: ctx.input.userId,
    channel: node.channel,
  });
  return { connector: result.outcome };
}
