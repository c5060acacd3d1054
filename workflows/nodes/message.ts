import { ActivityCancellationType, ActivityFailure, isCancellation, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { ChannelActivities, SendResult } from '../../activities';
import type { NodeOfType } from '../../domain/definition/schema';
import { SEND_HEARTBEAT_TIMEOUT_MS, SEND_START_TO_CLOSE_MS } from '../../domain/delivery/send-timeouts';
import { channelTaskQueue, deliveryKey } from '../../domain/naming';
import type { NodeContext, NodeOutcome, SendOutcome } from '../context';
import { PATCHES } from '../patches';
import { recordError } from '../state';
import { waitForEngagement } from './engagement-wait';

/** Quiet hours can defer a message again only if windows chain; this bounds a misconfigured loop. */
const MAX_DEFERRALS = 20;

/**
 * Hands the send to the channel's own task queue (rate limited by the server) and routes by outcome.
 * Quiet hours with `defer` come back as `deferred`: the instance sleeps durably until the window ends and
 * asks again (same delivery key, so still at most one message). A webhook only has `sent`: a failed or
 * unreachable webhook is recorded (fact and error) and still takes `sent`. Retries exhausted take `failed`.
 * The send runs inside the node's cancellation scope: a goal, a stop or the journey timeout cancels it (the
 * activity learns it at its next heartbeat, before the provider call) and the instance does not route.
 * With `engagement`, a message that went out then waits for the user to engage with it, and leaves by
 * `engaged` or `notEngaged` instead of `sent` (engagement-wait.ts).
 */
export async function runMessage(node: NodeOfType<'message'>, ctx: NodeContext): Promise<NodeOutcome> {
  const { sendMessage } = proxyActivities<ChannelActivities>({
    taskQueue: channelTaskQueue(workflowInfo().taskQueue, node.channel),
    // The same values as before ('1m', '30s'), shared with the configuration's provider timeout check.
    startToCloseTimeout: SEND_START_TO_CLOSE_MS,
    heartbeatTimeout: SEND_HEARTBEAT_TIMEOUT_MS,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 20 },
    // A cancelled send is waited for: the instance ends only once the activity has stopped (or finished,
    // in which case its outcome is still recorded), never leaving a send running behind a closed instance.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const request = {
    deliveryKey: deliveryKey(ctx.instanceId, ctx.entryId, ctx.nodeId),
    instanceId: ctx.instanceId,
    journeyId: ctx.input.journeyId,
    version: ctx.input.version,
    nodeId: ctx.nodeId,
    userId: ctx.input.userId,
    channel: node.channel,
    ...(ctx.input.context ? { context: ctx.input.context } : {}),
  };

  // Lean history: the first call writes the facts of the step (no activity of their own); a call that fails
  // or is cancelled may not have written them, so they go back to the instance's next write.
  let facts = ctx.stepFacts?.take() ?? [];
  let result: SendResult | undefined;
  for (let deferrals = 0; ; deferrals++) {
    ctx.waiting({ for: `send (${node.channel})` });
    try {
      result = await sendMessage(facts.length > 0 ? { ...request, facts } : request);
      facts = [];
    } catch (error) {
      if (facts.length > 0) ctx.stepFacts!.putBack(facts);
      if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
      facts = [];
      result = { outcome: 'failed', reason: 'retries_exhausted' };
    }
    if (result.outcome !== 'deferred') break;
    if (deferrals >= MAX_DEFERRALS) {
      result = { outcome: 'unreachable', reason: 'quiet_hours' };
      break;
    }
    const until = Date.parse(result.until);
    ctx.waiting({ for: 'quiet hours', until });
    await sleep(Math.max(until - Date.now(), 1));
  }

  if (result.outcome === 'stopped') return { exit: result.reason };
  const send: SendOutcome =
    result.outcome === 'sent'
      ? { outcome: 'sent', ...(result.inDoubt ? { inDoubt: true as const } : {}) }
      : { outcome: result.outcome, reason: result.reason };
  if (result.outcome === 'sent' && node.engagement !== undefined && ctx.patches.hasSinceLean(PATCHES.engagementWait)) {
    // The send is recorded now: reports count it sent while the node waits for engagement.
    await ctx.recordSend(send);
    return waitForEngagement(node.engagement, node.channel, request.deliveryKey, ctx);
  }
  if (node.channel === 'webhook' && result.outcome !== 'sent') {
    recordError(ctx.state, ctx.nodeId, `webhook ${result.outcome}: ${result.reason}`, Date.now());
    return { connector: 'sent', send };
  }
  return { connector: result.outcome, send };
}
