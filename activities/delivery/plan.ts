import type { DeliverySettings } from '../../domain/delivery/settings';
import type { JourneyGraph } from '../../domain/definition/schema';
import type { VersionSummary } from '../../domain/lifecycle/states';
import { profileView, type Profile } from '../../store/profiles';
import type { SendRequest, SendResult } from '../types';
import type { CapRule } from './caps';
import { capRules, quietHoursDecision, unreachableReason } from './policy';
import { RenderError, renderMessage, type RenderedMessage } from './render';

/**
 * The decisions a send makes before its provider call, in their order, shared by the send activity and the
 * dry run; each caller supplies its own facts and I/O:
 *   1. `versionStopped`: nothing goes out once the version is stopped (the activity only: a dry run's
 *      version is never stopped). The activity consults its delivery ledger after this.
 *   2. `planDelivery`: the node and its content, reachability and consent, quiet hours, rendering.
 *   3. the caller checks the plan's cap rules against its own record of sends (the activity picks the
 *      provider first, which may fail the send too); a refusal ends in `cappedOutcome`.
 */

/** A send decided without a provider call: the outcome to record (the activity) or to report (the dry run). */
export type Skipped = { outcome: 'failed' | 'unreachable'; reason: string };
/** Quiet hours hold the message: nothing is recorded, the workflow asks again at `until`. */
export type Deferred = Extract<SendResult, { outcome: 'deferred' }>;

export type DeliveryPlan =
  | { action: 'skip'; result: Skipped }
  | { action: 'defer'; result: Deferred }
  /** Ready for its caps then its provider. */
  | { action: 'send'; rendered: RenderedMessage; capRules: CapRule[] };

/** What `planDelivery` decides on, already loaded by the caller. */
export interface DeliveryFacts {
  request: Pick<SendRequest, 'journeyId' | 'version' | 'nodeId' | 'instanceId' | 'userId' | 'channel' | 'context'>;
  graph: Pick<JourneyGraph, 'nodes' | 'settings'>;
  /** The node's content as of now (in-place edits included). */
  content: Record<string, unknown> | undefined;
  profile: Profile | undefined;
  account: DeliverySettings;
  /** Epoch ms, for quiet hours. */
  now: number;
}

/** Step 1: the result of a send to a stopped version, whose instances exit with the version's stop reason. */
export function versionStopped(
  version: Pick<VersionSummary, 'state' | 'stopReason'>,
): Extract<SendResult, { outcome: 'stopped' }> | undefined {
  return version.state === 'stopped' ? { outcome: 'stopped', reason: version.stopReason ?? 'stopped' } : undefined;
}

const skip = (outcome: Skipped['outcome'], reason: string): DeliveryPlan => ({ action: 'skip', result: { outcome, reason } });

/**
 * Step 2. No I/O: async only because templates render asynchronously. A render error fails the send; any
 * other error is thrown.
 */
export async function planDelivery({ request, graph, content, profile, account, now }: DeliveryFacts): Promise<DeliveryPlan> {
  const node = graph.nodes[request.nodeId];
  if (node?.type !== 'message') return skip('failed', 'not_a_message_node');
  if (!content) return skip('failed', 'no_content');

  const unreachable = unreachableReason(request.channel, profile);
  if (unreachable) return skip('unreachable', unreachable);
  const quiet = quietHoursDecision(now, request.channel, graph.settings, profile, account);
  if (quiet?.action === 'drop') return skip('unreachable', 'quiet_hours');
  if (quiet?.action === 'defer') return { action: 'defer', result: { outcome: 'deferred', until: new Date(quiet.until).toISOString() } };

  let rendered: RenderedMessage;
  try {
    rendered = await renderMessage(request.channel, content, {
      profile: profileView(profile),
      event: request.context?.event ?? {},
      context: request.context ?? {},
      journey: {
        id: request.journeyId,
        version: request.version,
        nodeId: request.nodeId,
        instanceId: request.instanceId,
        userId: request.userId,
      },
    });
  } catch (error) {
    if (error instanceof RenderError) return skip('failed', `template_error: ${error.message}`.slice(0, 300));
    throw error;
  }
  // Only the ids matter to the rules' scopes.
  const ids = { journeyId: request.journeyId, nodeId: request.nodeId, userId: request.userId };
  return { action: 'send', rendered, capRules: capRules(node, ids, account) };
}

/** Step 3: the outcome of a send the caps refused, once the caller checked the plan's `capRules` against its sends. */
export function cappedOutcome(): Skipped {
  return { outcome: 'failed', reason: 'capped' };
}
