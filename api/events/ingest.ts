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
import type { SettingsStore } from '../../store/settings';
import { CLAIM_LEASE_MS, type ClaimResult, type EventStore, type StoredEvent } from '../../store/events';
import { eventSignal, type JourneyEvent } from '../../workflows/contract';
import { TEMPORAL_DEADLINE_MS } from '../http/outage';
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
  events: Pick<EventStore, 'claim' | 'renew' | 'release' | 'markProcessed'>;
  profiles: Pick<ProfileStore, 'get' | 'createEmpty'>;
  /** `unknownUsers`: whether an event of a user without a profile creates one or is refused. */
  settings: Pick<SettingsStore, 'cachedEventSettings'>;
  router: EventRouter;
  temporal: Client;
  enrolment: Omit<EnrolmentDependencies, 'temporal'>;
  taskQueue: string;
  /** Events older than this are refused (`event_stale`). */
  maxAgeMs: number;
  clock?: () => Date;
}

/** How long a delivery waits for another one processing the same event before asking its sender to retry. */
const MAX_PENDING_WAIT_MS = CLAIM_LEASE_MS + 5_000;

/**
 * Event ingestion: checks the event (staleness, future dates), makes sure the user has a profile (creates an
 * empty one, or refuses the event, as the event settings say), claims it in the event store
 * (exactly one of concurrent deliveries of one event id takes effect), then enrols the user in the running
 * versions that enter on it (with the event as trigger) and signals the user's instances of the journeys
 * that may wait for it, and marks the claim done. A failure gives the claim back, so the sender's retry is
 * processed. Transient store errors (SQLite busy) are retried here; a store or Temporal that is down is
 * answered 503 by the API.
 *
 * The claim is a lease renewed while the effects run. A delivery that finds the event claimed and not done
 * waits: for the claim to be done (a duplicate), given back (it claims it), or left to expire by a holder that
 * died (an API killed mid-way): it takes the claim over and processes the event again, answered as a first
 * delivery. Processing twice is safe: the enrolment starts the instance by workflow id (`USE_EXISTING`,
 * temporal/instances.ts `startInstance`) and an instance ignores an event id it already has
 * (`recordEvent`, workflows/state.ts; a trigger is never counted by a wait or goal, runtime/event-time.ts).
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

  /**
   * An event may be the first we hear of a user: with `unknownUsers: create` it creates their empty profile
   * (before the entries, which read it), with `reject` it is refused.
   */
  async function ensureProfile(userId: string): Promise<void> {
    if (await withStoreRetry(() => deps.profiles.get(userId))) return;
    const { unknownUsers } = await withStoreRetry(() => deps.settings.cachedEventSettings());
    if (unknownUsers === 'reject') {
      throw new EventRejected('unknown_user', `user ${userId} has no profile: create it with PUT /v1/users/${userId} first`, { userId });
    }
    // An insert by `_id` (a lost race with another first event or with the profiles API changes nothing).
    await withStoreRetry(() => deps.profiles.createEmpty(userId));
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
   * Gives a failed event's claim back. When even that fails (the store is down), the claim stays until its
   * lease runs out: the sender is told to retry after that, when its retry takes the claim over.
   */
  async function release(eventId: string, holder: string): Promise<void> {
    try {
      await withStoreRetry(() => deps.events.release(eventId, holder), { attempts: 6 });
    } catch {
      throw new UnavailableError(
        'store_unavailable',
        'the event could not be processed and the store is unavailable; retry it (same eventId) after Retry-After',
        Math.ceil(CLAIM_LEASE_MS / 1000) + 1,
      );
    }
  }

  /** Claims the event, waiting while another delivery holds a live claim on it (see above). */
  async function claim(event: StoredEvent, holder: string): Promise<{ status: 'claimed' | 'duplicate'; waited: boolean }> {
    const waitUntil = Date.now() + MAX_PENDING_WAIT_MS;
    for (let pause = 50, waited = false; ; pause = Math.min(pause * 2, 1_000), waited = true) {
      // A busy store refused the insert (nothing was written), so claiming again is safe.
      const result: ClaimResult = await withStoreRetry(() => deps.events.claim(event, holder));
      if (result.status !== 'pending') return { status: result.status, waited };
      if (Date.now() >= waitUntil) {
        throw new DomainError(
          409,
          'event_in_progress',
          `event ${event.eventId} is being processed by another delivery; retry it (same eventId) in ${CLAIM_LEASE_MS / 1000} s`,
          { retryAfterSeconds: Math.ceil(CLAIM_LEASE_MS / 1000) },
        );
      }
      await delay(Math.min(pause, Math.max(0, result.leaseUntil.getTime() - clock().getTime()) + 10));
    }
  }

  /** Renews the claim every third of its lease until `stop()`; a failed renewal is left to the next one. */
  function keepClaim(eventId: string, holder: string): () => void {
    const timer = setInterval(() => void deps.events.renew(eventId, holder).catch(() => undefined), CLAIM_LEASE_MS / 3);
    return () => clearInterval(timer);
  }

  return {
    async ingest(input: EventInput): Promise<IngestResult> {
      const now = clock().getTime();
      const timestamp = check(input, now);
      await ensureProfile(input.userId);
      const eventId = input.eventId ?? randomUUID();
      const properties = input.properties ?? {};
      // This delivery's name on the claim: only the holder renews it or gives it back.
      const holder = randomUUID();
      let claimed: Awaited<ReturnType<typeof claim>>;
      try {
        claimed = await claim({ eventId, userId: input.userId, name: input.name, properties, timestamp: new Date(timestamp) }, holder);
      } catch (error) {
        // The insert may have reached the store before the connection dropped: give back what may be a claim.
        if (isStoreUnreachable(error)) await release(eventId, holder);
        throw error;
      }
      if (claimed.status === 'duplicate') return { eventId, status: 'duplicate' };
      // Event time (see workflows/runtime/event-time.ts): the timestamp, refined by when it was received.
      const event: JourneyEvent = {
        id: eventId,
        name: input.name,
        properties,
        timestamp: new Date(timestamp).toISOString(),
        ingestedAt: new Date(now).toISOString(),
      };
      const stopRenewing = keepClaim(eventId, holder);
      try {
        // The request's Temporal deadline (api/http/outage.ts) counts Temporal's time, not the wait for a claim.
        const done = claimed.waited
          ? await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () => effects(input, event, now))
          : await effects(input, event, now);
        await withStoreRetry(() => deps.events.markProcessed(eventId));
        return { eventId, status: 'accepted', ...done };
      } catch (error) {
        await release(eventId, holder);
        throw error;
      } finally {
        stopRenewing();
      }
    },
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type EventIngestion = ReturnType<typeof createEventIngestion>;
