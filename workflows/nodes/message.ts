import { ActivityCancellationType, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ChannelActivities } from '../../activities';
import type { NodeOfType } from '../../shared/definition/schema';
import { channelTaskQueue } from '../../shared/naming';
import type { NodeContext, NodeOutcome } from '../context';
import { recordError } from '../state';

/**
 * Hands the send to the channel's own task queue (rate limited by the server) and routes by outcome.
 * A webhook only has `sent`: a failed or unreachable webhook is recorded (fact and error) and still takes
 * `sent`. The send runs inside the node's cancellation scope: a goal, a stop or the journey timeout cancels
 * it (the activity learns it at its next heartbeat) and the instance does not route; a send that completed
 * anyway (the provider had accepted it) still gets its `message` fact.
 */
export async function runMessage(node: NodeOfType<'message'>, ctx: NodeContext): Promise<NodeOutcome> {
  const { sendMessage } = proxyActivities<ChannelActivities>({
    taskQueue: channelTaskQueue(workflowInfo().taskQueue, node.channel),
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 20 },
    // A cancelled send is waited for: the instance ends only once the activity has stopped (or finished,
    // in which case its outcome is still recorded), never leaving a send running behind a closed instance.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  ctx.waiting({ for: `send (${node.channel})` });
  const result = await sendMessage({
    deliveryKey: `${ctx.instanceId}/${ctx.entryId}/${ctx.nodeId}`,
    instanceId: ctx.instanceId,
    journeyId: ctx.input.journeyId,
    version: ctx.input.version,
    nodeId: ctx.nodeId,
    userId: ctx.input.userId,
    channel: node.channel,
  });
  const send = result.outcome === 'sent' ? { outcome: result.outcome } : { outcome: result.outcome, reason: result.reason };
  if (node.channel === 'webhook' && result.outcome !== 'sent') {
    recordError(ctx.state, ctx.nodeId, `webhook ${result.outcome}: ${result.reason}`, Date.now());
    return { connector: 'sent', send };
  }
  return { connector: result.outcome, send };
}
