import { sleep } from '@temporalio/workflow';
import type { NodeOfType } from '../../domain/definition/schema';
import { resolvePath } from '../../domain/conditions/evaluate';
import { delayTarget, firstKnownZone } from '../../domain/time/schedule';
import { PATCHES } from '../patches';
import { bookkeeping } from '../activities';
import type { NodeContext, NodeOutcome } from '../context';
import { recordError } from '../state';

/**
 * A durable timer: the instance waits in the Temporal server, not in a worker's memory.
 *
 * Base instant: now + duration | until | a profile date ± offset | now; with `at`, the next occurrence of
 * that local time (on an allowed day) at or after the base, in the node's `timezone`, else the user's
 * (`profile.timezone`), else the journey's, else the account's (delivery settings, as of the user's entry), else UTC. A target already past continues at once; so does a
 * `relativeTo` delay whose profile date is missing (the problem is recorded).
 */
export async function runDelay(node: NodeOfType<'delay'>, ctx: NodeContext): Promise<NodeOutcome> {
  const needsZone = node.at !== undefined || node.relativeTo !== undefined;
  const dateProperty = node.relativeTo?.property.slice('profile.'.length);
  const profilePaths = [
    ...(needsZone && node.timezone === undefined ? ['timezone'] : []),
    ...(dateProperty !== undefined ? [dateProperty] : []),
  ];
  const profile = profilePaths.length > 0 ? await bookkeeping.loadProfile(ctx.input.userId, profilePaths) : {};
  const zone = zoneOf(node, profile.timezone, ctx);

  const now = Date.now();
  // Event time: the delay counts from when the user reached the node, not from when a worker processed it.
  const base = ctx.eventTime ? ctx.reachedAt : now;
  const planned = delayTarget(
    {
      duration: node.duration,
      until: node.until,
      relativeTo:
        node.relativeTo && dateProperty !== undefined
          ? { date: resolvePath(profile, dateProperty), offset: node.relativeTo.offset, direction: node.relativeTo.direction }
          : undefined,
      at: node.at,
      days: node.days,
    },
    base,
    zone,
  );
  if (!planned.ok) {
    recordError(ctx.state, ctx.nodeId, `delay: ${planned.problem} (${node.relativeTo?.property ?? ''}); continued at once`, now);
    return { connector: 'next', ...(ctx.eventTime ? { at: base } : {}) };
  }
  if (ctx.eventTime) ctx.settlesBefore((at) => planned.target < at);
  if (planned.target > now) {
    ctx.waiting({ for: 'time', until: planned.target });
    await sleep(planned.target - now);
  }
  return { connector: 'next', ...(ctx.eventTime ? { at: Math.max(base, planned.target) } : {}) };
}

/**
 * The zone of the delay. The account zone came with the entry claim (absent for instances that entered before
 * it did); the patch is asked only when that zone changes the answer, so older histories never see it.
 */
function zoneOf(node: NodeOfType<'delay'>, userZone: unknown, ctx: NodeContext): string {
  const before = firstKnownZone(node.timezone, userZone, ctx.graph.settings.timezone);
  const withAccount = firstKnownZone(node.timezone, userZone, ctx.graph.settings.timezone, ctx.accountZone);
  if (withAccount === before || !ctx.patches.hasSinceLean(PATCHES.accountAtEntry)) return before;
  return withAccount;
}
