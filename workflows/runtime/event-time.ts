import type { ReceivedEvent } from '../contract';

/**
 * The rules of spec section 3 in event time (pure, shared by the goal check, the wait and the tests'
 * reference model). "Happened" is the event's time (`at`); "entered" and "reached" are the instance's
 * logical times: its start, and the completion of the step that led to the node. Neither depends on when a
 * workflow task happened to process the signal, so a busy worker decides as an idle one would.
 */

/** An event counts for a journey goal when it happened at or after the entry and is not the trigger. */
export function countsForGoal(event: Pick<ReceivedEvent, 'id' | 'at'>, enteredAt: number, triggerId: string | undefined): boolean {
  return event.id !== triggerId && event.at >= enteredAt;
}

/** A wait's window in logical time: from when the user reached the node to the end of `within`. */
export interface WaitWindow {
  reachedAt: number;
  deadline: number;
  /** Events from before the wait began count too (those the instance still keeps). */
  includePrior: boolean;
}

/**
 * An event counts for a wait when it happened within its window (or before it, with `includePrior`), did not
 * decide an earlier wait, and is not the trigger.
 */
export function countsForWait(
  event: Pick<ReceivedEvent, 'id' | 'at' | 'used'>,
  window: WaitWindow,
  triggerId: string | undefined,
): boolean {
  if (event.used || event.id === triggerId || event.at > window.deadline) return false;
  return window.includePrior || event.at >= window.reachedAt;
}

/** The id of the trigger event (`context.event.id`), if the instance entered on an event. */
export function triggerIdOf(trigger: unknown): string | undefined {
  if (typeof trigger !== 'object' || trigger === null) return undefined;
  const id = (trigger as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}
