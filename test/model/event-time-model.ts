/**
 * A reference model of the event-time rules for one journey shape (spec section 3, issue 21), written
 * independently of the workflow code: given the events a user produced (name and time since entry), it says
 * how the instance must end, whatever the order in which the events reached it and however late a worker
 * processed them.
 *
 * The journey (`modelJourney`): goal `order_completed`; `wait-checkout` waits 5 s for `checkout_started`
 * (yes: `pause`, timeout: `gave-up`); `pause` waits 3 s; `wait-open` waits 8 s for `app_open` (yes: `opened`,
 * timeout: `closed`). `gave-up`, `opened` and `closed` are exit nodes.
 */
import type { JourneyDefinitionInput } from '../../domain/definition/schema';

/**
 * Seconds, not minutes: the lag tests run on the dev server in real time (a time-skipping server cannot move
 * its clock while a workflow task waits for a worker, which is exactly the lag under test).
 */
export const SECOND = 1_000;
export const CHECKOUT_WINDOW = 5 * SECOND;
export const PAUSE = 3 * SECOND;
export const OPEN_WINDOW = 8 * SECOND;

export const modelJourney: Omit<JourneyDefinitionInput, 'id'> = {
  name: 'Event-time model',
  entry: { type: 'api' },
  settings: { goals: [{ id: 'purchase', event: 'order_completed' }] },
  nodes: {
    'wait-checkout': { type: 'waitForEvent', event: 'checkout_started', within: 'PT5S', next: { yes: 'pause', timeout: 'gave-up' } },
    pause: { type: 'delay', duration: 'PT3S', next: 'wait-open' },
    'wait-open': { type: 'waitForEvent', event: 'app_open', within: 'PT8S', next: { yes: 'opened', timeout: 'closed' } },
    'gave-up': { type: 'exit' },
    opened: { type: 'exit' },
    closed: { type: 'exit' },
  },
} as Omit<JourneyDefinitionInput, 'id'>;

export type ModelEventName = 'checkout_started' | 'app_open' | 'order_completed' | 'noise';

/** An event of the user: its name and when it happened, in ms after the entry (negative: before it). */
export interface ModelEvent {
  name: ModelEventName;
  offsetMs: number;
}

export interface ModelOutcome {
  reason: 'goal' | 'exited';
  nodeId: string;
  path: string[];
}

/** How the instance ends when it decides by event time. Ties go to the goal (a goal ends the instance at once). */
export function expectedOutcome(events: readonly ModelEvent[]): ModelOutcome {
  const goalAt = earliest(events, 'order_completed', 0, Infinity);
  const path: string[] = [];
  const goalBy = (decidedAt: number, nodeId: string): ModelOutcome | undefined =>
    goalAt !== undefined && goalAt <= decidedAt ? { reason: 'goal', nodeId, path: [...path] } : undefined;

  path.push('wait-checkout');
  const checkout = earliest(events, 'checkout_started', 0, CHECKOUT_WINDOW);
  const checkoutDecided = checkout ?? CHECKOUT_WINDOW;
  const atCheckout = goalBy(checkoutDecided, 'wait-checkout');
  if (atCheckout) return atCheckout;
  if (checkout === undefined) {
    path.push('gave-up');
    return { reason: 'exited', nodeId: 'gave-up', path };
  }

  path.push('pause');
  const pauseEnds = checkout + PAUSE;
  const atPause = goalBy(pauseEnds, 'pause');
  if (atPause) return atPause;

  path.push('wait-open');
  const open = earliest(events, 'app_open', pauseEnds, pauseEnds + OPEN_WINDOW);
  const atOpen = goalBy(open ?? pauseEnds + OPEN_WINDOW, 'wait-open');
  if (atOpen) return atOpen;
  const end = open === undefined ? 'closed' : 'opened';
  path.push(end);
  return { reason: 'exited', nodeId: end, path };
}

function earliest(events: readonly ModelEvent[], name: ModelEventName, from: number, to: number): number | undefined {
  const times = events
    .filter((event) => event.name === name && event.offsetMs >= from && event.offsetMs <= to)
    .map((event) => event.offsetMs);
  return times.length > 0 ? Math.min(...times) : undefined;
}
