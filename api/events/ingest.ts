import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { evaluateCondition, eventFilterScope } from '../../domain/conditions/evaluate';
import { DomainError, UnavailableError } from '../../domain/errors';
import { MAX_CLOCK_SKEW_MS, type EventInput } from '../../domain/events/schema';
import { enrolUser, type EnrolmentDependencies } from '../../temporal/instances';
import { instanceWorkflowId } from '../../domain/naming';
import { isStoreUnreachable } from '../../store/mongo/errors';
import { withStoreRetry } from '../../store/mongo/retry';
import type { ProfileStore } from '../../store/profiles';
import { ABANDONED_AFTER_MS, type EventStore } from '../../store/events';
import { eventSignal, type JourneyEvent } from '../../workflows/contract';
import type { EventRouter } from './router';

/** What an event did to one journey whose entry listens for it. */
export interface EntryEffect {
  journeyId: string;
  /** `started`: a new instance; `inside`: the user's instance got the event; `not_eligible`, `stale`. */
  result: 'started' | 'inside' | 'not_eligible' | 'stale';
  instanceId?: string;
  detail?: string;
}

export type IngestResult =
  { eventId: string; status: 'accepted'; entries: EntryEffect[]; signalled: number } | { eventId: string; status: 'duplicate' };

/** An event refused as a whole (answered 422 with its code). */
export class EventRejected extends DomainError {
  constructor(code: 'event_stale' | 'event_in_future' | 'unknown_user', message: string, details: Record<string, unknown>) {
    super(422, code, message, details);
  }
}

export interface IngestionDependencies {
  events: Pick<EventStore, 'claim' | 'release' | 'markProcessed'>;
  profiles: Pick<ProfileStore, 'get'>;
  router: EventRouter;
  temporal: Client;
  enrolment: Omit<EnrolmentDependencies, 'temporal'>;
  taskQueue: string;
  /** Events older than this are refused (`event_stale`). */
  maxAgeMs: number;
  clock?: () => Date;
}

/**
 * Event ingestion: checks the event (staleness, future dates, known user), claims it in the event store
 * (exactly one of concurrent deliveries of one event id takes effect), then enrols the user in the running
 * versions that enter on it (with the event as trigger) and signals the user's instances of the journeys
 * that may wait for it. A failure gives the claim back, so the sender's retry is processed. Transient store
 * errors (SQLite busy) are retried here; a store or Temporal that is down is answered 503 by the API.
 */
export function createEventIngestion(deps: IngestionDependencies) {
  const clock = deps.clock ?? (() => new Date());

  function check(input: EventInput, now: number): number {
    const timestamp = input.timestamp ? Date.parse(input.timestamp) : now;
    if (now - timestamp > deps.maxAgeMs) {
      throw new EventRejected('event_stale', `the event is older than ${deps.maxAgeMs / 60_000} minutes: it is refused`, {
        timestamp: input.timestamp,
      });
    }
    if (timestamp - now > MAX_CLOCK_SKEW_MS) {
      throw new EventRejected('event_in_future', 'the event is dated in the future (more than 5 minutes ahead of this server)', {
        timestamp: input.timestamp,
      });
    }
    return timestamp;
  }

  async function signal(workflowId: string, event: JourneyEvent): Promise<boolean> {
    try {
      await deps.temporal.workflow.getHandle(workflowId).signal(eventSignal, event);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  async function effects(input: EventInput, event: JourneyEvent, now: number): Promise<{ entries: EntryEffect[]; signalled: number }> {
    const route = await deps.router.route(input.name);
    const entries: EntryEffect[] = [];
    const started = new Set<string>();
    const scope = eventFilterScope({ name: event.name, properties: event.properties, timestamp: event.timestamp });
    for (const entry of route.entries) {
      if (entry.where && !evaluateCondition(entry.where, scope)) continue;
      if (now - Date.parse(event.timestamp) > entry.maxAgeMs) {
        entries.push({ journeyId: entry.journeyId, result: 'stale' });
        continue;
      }
      const outcome = await enrolUser(
        { ...deps.enrolment, temporal: deps.temporal },
        { journeyId: entry.journeyId, userId: input.userId, context: { event }, taskQueue: deps.taskQueue },
      );
      switch (outcome.status) {
        case 'started':
          started.add(entry.journeyId);
          entries.push({ journeyId: entry.journeyId, result: 'started', instanceId: outcome.instanceId });
          break;
        case 'existing':
          entries.push({ journeyId: entry.journeyId, result: 'inside', instanceId: outcome.instanceId });
          break;
        case 'not_eligible':
          entries.push({ journeyId: entry.journeyId, result: 'not_eligible', detail: outcome.detail });
          break;
        case 'not_running':
          break;
      }
    }
    // The instance just started has the event as its trigger; every other instance of the user that may
    // wait for it gets it as a signal (the workflow ignores an event id it has seen).
    const targets = new Set([...route.listeners, ...entries.filter((e) => e.result === 'inside').map((e) => e.journeyId)]);
    let signalled = 0;
    for (const journeyId of targets) {
      if (!started.has(journeyId) && (await signal(instanceWorkflowId(journeyId, input.userId), event))) signalled++;
    }
    return { entries, signalled };
  }

  /**
   * Gives a failed event's claim back. When even that fails (the store is down), the claim stays until it
   * counts as abandoned: the sender is told to retry after that, when its retry is processed, not a duplicate.
   */
  async function release(eventId: string): Promise<void> {
    try {
      await withStoreRetry(() => deps.events.release(eventId), { attempts: 6 });
    } catch {
      throw new UnavailableError(
        'store_unavailable',
        'the event could not be processed and the store is unavailable; retry it (same eventId) after Retry-After',
        Math.ceil(ABANDONED_AFTER_MS / 1000) + 1,
      );
    }
  }

  return {
    async ingest(input: EventInput): Promise<IngestResult> {
      const now = clock().getTime();
      const timestamp = check(input, now);
      if (!(await withStoreRetry(() => deps.profiles.get(input.userId)))) {
        throw new EventRejected('unknown_user', `user ${input.userId} has no profile: create it with PUT /v1/users/${input.userId} first`, {
          userId: input.userId,
        });
      }
      const eventId = input.eventId ?? randomUUID();
      const properties = input.properties ?? {};
      let claim: 'new' | 'duplicate';
      try {
        // A busy store refused the insert (nothing was written), so claiming again is safe.
        claim = await withStoreRetry(() =>
          deps.events.claim({ eventId, userId: input.userId, name: input.name, properties, timestamp: new Date(timestamp) }),
        );
      } catch (error) {
        // The insert may have reached the store before the connection dropped: give back what may be a claim.
        if (isStoreUnreachable(error)) await release(eventId);
        throw error;
      }
      if (claim === 'duplicate') return { eventId, status: 'duplicate' };
      // Event time (see workflows/runtime/event-time.ts): the timestamp, refined by when it was received.
      const event: JourneyEvent = {
        id: eventId,
        name: input.name,
        properties,
        timestamp: new Date(timestamp).toISOString(),
        ingestedAt: new Date(now).toISOString(),
      };
      try {
        const done = await effects(input, event, now);
        await withStoreRetry(() => deps.events.markProcessed(eventId));
        return { eventId, status: 'accepted', ...done };
      } catch (error) {
        await release(eventId);
        throw error;
      }
    },
  };
}

export type EventIngestion = ReturnType<typeof createEventIngestion>;
