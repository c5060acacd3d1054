import { condition } from '@temporalio/workflow';
import type { NodeOfType } from '../../shared/definition/schema';
import { eventFilterScope, evaluateCondition } from '../../shared/conditions/evaluate';
import { durationToMs } from '../../shared/time/duration';
import { triggerEvent, type NodeContext, type NodeOutcome } from '../context';
import type { ReceivedEvent } from '../state';

/**
 * Waits for an event (the `event` signal): `yes` when one with the node's name, passing its `where` filter,
 * arrives within the window; `timeout` otherwise (the inaction path). The filter sees the event's own
 * fields at the root (`name`, `properties`, `timestamp`) and the trigger event as `trigger`. Events that
 * arrived before the wait began count only with `includePrior` (those still kept by the instance).
 */
export async function runWaitForEvent(node: NodeOfType<'waitForEvent'>, ctx: NodeContext): Promise<NodeOutcome> {
  const { state } = ctx;
  const trigger = triggerEvent(ctx.input);
  const matches = (event: ReceivedEvent) =>
    event.name === node.event &&
    (node.where === undefined ||
      evaluateCondition(node.where, eventFilterScope({ name: event.name, properties: event.properties ?? {}, timestamp: event.timestamp }, trigger)));

  // Events are scanned once each, in arrival order, from the first one that may count.
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

  const within = durationToMs(node.within);
  ctx.waiting({ for: `event ${node.event}`, until: Date.now() + within });
  const yes = arrived() || (await condition(arrived, within));
  return { connector: yes ? 'yes' : 'timeout' };
}
