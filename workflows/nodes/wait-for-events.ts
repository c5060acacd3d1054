import type { NodeOfType } from '../../domain/definition/schema';
import { eventFilterScope, evaluateCondition } from '../../domain/conditions/evaluate';
import { durationToMs } from '../../domain/time/duration';
import { triggerEvent, type NodeContext, type NodeOutcome } from '../context';
import type { ReceivedEvent } from '../contract';
import { waitInEventTime } from './wait-for-event';

/**
 * Waits for the first of several events: the earliest event (by event time) that matches one of the node's
 * events takes that event's path; an event matching several takes the first listed; `timeout` when none
 * happened within the window. Each filter sees the event at the root and the trigger event as `trigger`,
 * as in waitForEvent. A new node type, so it always decides by event time (no instance from before the
 * event-time patch can hold one); without the patch the window starts when the node starts.
 */
export async function runWaitForEvents(node: NodeOfType<'waitForEvents'>, ctx: NodeContext): Promise<NodeOutcome> {
  const trigger = triggerEvent(ctx.input);
  const pathOf = (event: ReceivedEvent): string | undefined => {
    const scope = () => eventFilterScope({ name: event.name, properties: event.properties ?? {}, timestamp: event.timestamp }, trigger);
    return node.events.find((path) => path.event === event.name && (path.where === undefined || evaluateCondition(path.where, scope())))
      ?.name;
  };
  const reachedAt = ctx.eventTime ? ctx.reachedAt : Date.now();
  const names = [...new Set(node.events.map((path) => path.event))];
  return waitInEventTime(
    ctx,
    pathOf,
    { reachedAt, deadline: reachedAt + durationToMs(node.within), includePrior: node.includePrior === true },
    `event ${names.join(' | ')}`,
  );
}
