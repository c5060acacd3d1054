import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { eventBatchSchema, eventInputSchema, type EventInput } from '../../domain/events/schema';
import { durationToMs } from '../../domain/time/duration';
import type { ApiDeps } from '../deps';
import { createEventIngestion, type IngestResult } from '../events/ingest';
import { createPushOpenedReports, isPushOpened } from '../events/push-opened';
import { createEventRouter } from '../events/router';
import { engagementRecorderFor } from '../engagement-recorder';
import type { Routes } from '../http/route';

/** How long a publish or a stop may take to change where events go. */
const ROUTING_TTL_MS = 2_000;

const entryEffectSchema = z.object({
  journeyId: z.string(),
  result: z.enum(['started', 'inside', 'not_eligible', 'stale']),
  instanceId: z.string().optional(),
  detail: z.string().optional(),
});
const acceptedSchema = z.object({
  eventId: z.string(),
  status: z.enum(['accepted', 'duplicate']),
  entries: z.array(entryEffectSchema).optional().describe('Journeys whose entry listens for the event, and what happened.'),
  signalled: z.number().int().optional().describe("Instances of the user's journeys that got the event."),
});
const batchResultSchema = z.object({
  results: z.array(
    z.union([
      acceptedSchema,
      z.object({ eventId: z.string().optional(), status: z.literal('rejected'), code: z.string(), detail: z.string() }),
    ]),
  ),
});

export function addEventRoutes(routes: Routes, deps: ApiDeps): void {
  const ingestion = createEventIngestion({
    events: deps.stores.events,
    profiles: deps.profiles,
    settings: deps.settings,
    router: createEventRouter(deps.journeys, { ttlMs: ROUTING_TTL_MS }),
    temporal: deps.temporal,
    enrolment: { journeys: deps.journeys, entries: deps.stores.entries },
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    maxAgeMs: durationToMs(deps.config.EVENT_MAX_AGE ?? 'PT1H'),
  });
  const pushOpened = createPushOpenedReports(engagementRecorderFor(deps));
  /** `message_opened` is the app's report that a push was opened (api/events/push-opened.ts), not an ordinary event. */
  const ingest = (event: EventInput) => (isPushOpened(event) ? pushOpened(event) : ingestion.ingest(event));
  const answer = (result: IngestResult) => ({ status: result.status === 'accepted' ? 202 : 200, body: result });

  routes.add({
    method: 'post',
    path: '/v1/events',
    summary: 'Ingest one event of a user: live entry, and the instances that wait for it',
    tag: 'Events',
    scope: 'ingest',
    body: eventInputSchema,
    responses: {
      202: { description: 'Accepted and processed', schema: acceptedSchema },
      200: { description: 'A duplicate of an event already received (no effect)', schema: acceptedSchema },
      409: {
        description: '`event_in_progress`: another delivery of this eventId is still being processed; retry after `retryAfterSeconds`',
      },
      422: {
        description:
          '`event_stale` (older than EVENT_MAX_AGE), `event_in_future`, `unknown_user` (no profile, with the event setting `unknownUsers: reject`); ' +
          'for `message_opened` (a push opened, with `properties.deliveryKey`): `delivery_key_required`, `unknown_delivery` (no push to this user has the key), `not_a_push`',
      },
    },
    async handle({ body }) {
      return answer(await ingest(body));
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/events/batch',
    summary: 'Ingest up to 1,000 events, in order; each one is answered on its own',
    tag: 'Events',
    scope: 'ingest',
    body: eventBatchSchema,
    responses: { 200: { description: 'One result per event, in order', schema: batchResultSchema } },
    async handle({ body }) {
      const results = [];
      for (const event of body.events) {
        try {
          results.push(await ingest(event));
        } catch (error) {
          // Refused (422) or still in progress elsewhere (409): answered for this event, the batch goes on.
          if (!(error instanceof DomainError) || (error.status !== 422 && error.status !== 409)) throw error;
          results.push({
            ...(event.eventId ? { eventId: event.eventId } : {}),
            status: 'rejected' as const,
            code: error.code,
            detail: error.message,
          });
        }
      }
      return { status: 200, body: { results } };
    },
  });
}
