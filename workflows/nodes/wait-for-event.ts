import { condition } from '@temporalio/workflow';
import type { NodeOfType } from '../../domain/definition/schema';
import { eventFilterScope, evaluateCondition } from '../../domain/conditions/evaluate';
import { durationToMs } from '../../domain/time/duration';
import { triggerEvent, type NodeContext, type NodeOutcome } from '../context';
import type { ReceivedEvent } from '../contract';
import { countsForWait, type WaitWindow } from '../runtime/event-time';

/**
 * Waits for an event (the `event` signal): `yes` when one with the node's name, passing its `where` filter,
 * arrives within the window; `timeout` otherwise (the inaction path). The filter sees the event's own
 * fields at the root (`name`, `properties`, `timestamp`) and the trigger event as `trigger`. Events that
 * happened before the wait began count only with `includePrior` (those still kept by the instance).
 */
export async function runWaitForEvent(node: NodeOfType<'waitForEvent'>, ctx: NodeContext): Promise<NodeOutcome> {
  const { state } = ctx;
  const trigger = triggerEvent(ctx.input);
  const matches = (event: ReceivedEvent) =>
    event.name === node.event &&
    (node.where === undefined ||
      evaluateCondition(
        node.where,
        eventFilterScope({ name: event.name, properties: event.properties ?? {}, timestamp: event.timestamp }, trigger),
      ));

  const within = durationToMs(node.within);
  if (ctx.eventTime)
    return waitInEventTime(
      ctx,
      (event) => (matches(event) ? 'yes' : undefined),
      { reachedAt: ctx.reachedAt, deadline: ctx.reachedAt + within, includePrior: node.includePrior === true },
      `event ${node.event}`,
    );

  // Before the event-time patch: events are scanned once each, in arrival order, from the first one that may count.
  let next = node.includePrior ? 0 : ctx.since;
  let matched: ReceivedEvent | undefined;
  const arrived = (): boolean => {
    if (matched) return true;
    for (const event of state.events) {
      if (event.seq < next) continue;
      next = event.seq + 1;
      if (matches(event)) {
        matched = event;
        return true;
      }
    }
    return false;
  };

  ctx.waiting({ for: `event ${node.event}`, until: Date.now() + within });
  const yes = arrived() || (await condition(arrived, within));
  return { connector: yes ? 'yes' : 'timeout' };
}

/**
 * The wait in event time: the connector `pathOf` gives the earliest event that happened within the window (see
 * countsForWait) among those that have reached the instance, whenever they did; `timeout` at the window's end.
 * A worker that gets to the wait late decides at once from what has arrived; the node ends at the event's time
 * or the deadline. Shared by waitForEvent (`yes`) and waitForEvents (the path of the event).
 */
export async function waitInEventTime(
  ctx: NodeContext,
  pathOf: (event: ReceivedEvent) => string | undefined,
  window: WaitWindow,
  waitingFor: string,
): Promise<NodeOutcome> {
  let matched: { event: ReceivedEvent; connector: string } | undefined;
  let next = 0;
  const arrived = (): boolean => {
    for (const event of ctx.state.events) {
      if (event.seq < next) continue;
      next = event.seq + 1;
      if (matched && event.at >= matched.event.at) continue;
      if (!countsForWait(event, window, ctx.triggerId)) continue;
      const connector = pathOf(event);
      if (connector !== undefined) matched = { event, connector };
    }
    return matched !== undefined;
  };
  ctx.waiting({ for: waitingFor, until: window.deadline });
  // A goal that happened after this wait's event, or after its end, leaves the decision to the wait.
  ctx.settlesBefore((at) => window.deadline < at || (arrived() && matched!.event.at < at));
  const remaining = window.deadline - Date.now();
  if (!arrived() && remaining > 0) await condition(arrived, remaining);
  if (!matched) return { connector: 'timeout', at: window.deadline };
  matched.event.used = true;
  return { connector: matched.connector, at: Math.max(window.reachedAt, matched.event.at) };
}
