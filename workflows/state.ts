import { jsonBytes } from '../domain/input-limits';
import type { EnrolmentRecord, ExperimentGoalTracker, JourneyEvent, NodeError, ReceivedEvent } from './contract';

/**
 * The mutable state of one instance, shared by the signal handler and the node handlers.
 * Kept small (ids and short strings), ready to be carried over by continue-as-new.
 */
export interface InstanceState {
  events: ReceivedEvent[];
  eventIds: Set<string>;
  /** How many distinct events have arrived so far (the next `seq`). */
  received: number;
  errors: NodeError[];
  enrolments: EnrolmentRecord[];
  /** Experiment node id -> path taken. */
  experiments: Record<string, string>;
  /** Experiments with goals of their own: events from `from` (a `seq`) on score them; `met` goal ids count once. */
  experimentGoals: Record<string, ExperimentGoalTracker>;
  /** About the JSON size of `events` (kept as they arrive and leave; not carried, recounted by `restore`). */
  keptBytes: number;
  /** Events dropped from `events` for its byte budget (carried; the count bound drops silently, as before). */
  droppedEvents: number;
  /**
   * Whether this instance bounds its state by bytes (the `bounded-state` patch). Asked only when a bound is
   * exceeded, so that instances that never exceed one record no marker, and older histories replay unchanged.
   */
  bounded: () => boolean;
}

/** Events kept for waits with `includePrior`; older ones are dropped (their ids are still de-duplicated). */
export const MAX_KEPT_EVENTS = 200;
/** Event ids remembered for de-duplication. */
export const MAX_KEPT_EVENT_IDS = 2_000;
/**
 * The JSON size the kept events may take (with the `bounded-state` patch): each event may be 32 KB (API input
 * limits), so 200 of them could pass Temporal's 2 MB payload limit when continue-as-new carries them. The
 * oldest are dropped first; the newest event is always kept (a wait in progress may need it).
 */
export const MAX_KEPT_EVENT_BYTES = 512 * 1024;
/** Node errors kept (the latest; with the `bounded-state` patch): each is at most ~600 bytes. */
export const MAX_KEPT_ERRORS = 50;

export function createInstanceState(bounded: () => boolean = () => false): InstanceState {
  return {
    events: [],
    eventIds: new Set(),
    received: 0,
    errors: [],
    enrolments: [],
    experiments: {},
    experimentGoals: {},
    keptBytes: 0,
    droppedEvents: 0,
    bounded,
  };
}

/** Drops the oldest kept events until they fit MAX_KEPT_EVENT_BYTES (keeping the newest), when the patch allows. */
export function boundKeptEvents(state: InstanceState): void {
  if (state.keptBytes <= MAX_KEPT_EVENT_BYTES || state.events.length <= 1 || !state.bounded()) return;
  while (state.keptBytes > MAX_KEPT_EVENT_BYTES && state.events.length > 1) {
    state.keptBytes -= jsonBytes(state.events.shift());
    state.droppedEvents++;
  }
}

/** Records an event signal; answers false (and ignores it) when malformed or already seen. */
export function recordEvent(state: InstanceState, event: JourneyEvent, now: number): boolean {
  if (!event || typeof event.id !== 'string' || event.id === '' || typeof event.name !== 'string') return false;
  if (state.eventIds.has(event.id)) return false;
  state.eventIds.add(event.id);
  if (state.eventIds.size > MAX_KEPT_EVENT_IDS) {
    const oldest = state.eventIds.values().next().value;
    if (oldest !== undefined) state.eventIds.delete(oldest);
  }
  const received: ReceivedEvent = { ...event, seq: state.received++, receivedAt: now, at: eventTime(event, now) };
  state.events.push(received);
  state.keptBytes += jsonBytes(received);
  if (state.events.length > MAX_KEPT_EVENTS) state.keptBytes -= jsonBytes(state.events.shift());
  if (state.keptBytes > MAX_KEPT_EVENT_BYTES) boundKeptEvents(state);
  return true;
}

export function recordError(state: InstanceState, nodeId: string, message: string, now: number): void {
  state.errors.push({ nodeId, message: message.slice(0, 500), at: now });
  if (state.errors.length > MAX_KEPT_ERRORS && state.bounded()) state.errors.splice(0, state.errors.length - MAX_KEPT_ERRORS);
}

/**
 * When an event happened: its timestamp when it parses, else the time it arrived. A timestamp of whole seconds
 * is as late as its precision and the API's receipt allow (the event may have happened until the end of that
 * second), so an event stamped in the second a wait began is not taken for one from before it.
 */
export function eventTime(event: Pick<JourneyEvent, 'timestamp' | 'ingestedAt'>, arrival: number): number {
  const stamped = typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : Number.NaN;
  if (!Number.isFinite(stamped)) return arrival;
  const received = typeof event.ingestedAt === 'string' ? Date.parse(event.ingestedAt) : Number.NaN;
  if (stamped % 1000 !== 0 || !Number.isFinite(received)) return stamped;
  return Math.max(stamped, Math.min(stamped + 999, received));
}
