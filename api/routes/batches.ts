import { z } from 'zod';
import { NotFoundError } from '../../domain/errors';
import { slugSchema } from '../../domain/ids';
import { batchNotEligibleReasons } from '../../store/batches';
import { startBatchEnrollment } from '../../temporal/batch-start';
import { batchRequestSchema, distinctUsers, readBatchRequest } from '../batches/request';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const batchQuery = z.strictObject({
  ratePerSecond: z.coerce.number().int().min(1).max(1000).default(200).describe('Enrolments per second (default 200).'),
});

/** Batch ids: UUIDs from this API, or ids derived from the workflow that stored the batch (a segment run). */
const batchIdSchema = z.string().regex(/^[\w.:-]{1,200}$/, 'use letters, digits, "_", ".", ":" and "-"');

const acceptedSchema = z.object({
  batchId: z.string(),
  journeyId: z.string(),
  received: z.number().int().describe('Users in the request.'),
  duplicates: z.number().int().describe('Repeated user ids: each user is enrolled once, with its first context.'),
  total: z.number().int().describe('Distinct users the batch enrols.'),
  ratePerSecond: z.number().int(),
});

const progressSchema = z.object({
  batchId: z.string(),
  journeyId: z.string(),
  total: z.number().int().describe('Distinct users in the batch.'),
  processed: z.number().int().describe('Users enrolled so far, whatever the outcome: started + existing + notEligible + failed.'),
  started: z.number().int().describe('New instances.'),
  control: z.number().int().describe('Of `started`, users held out in the control group (tracked for goals, sent nothing).'),
  existing: z.number().int().describe('Users already inside the journey (a live instance).'),
  notEligible: z.number().int().describe('Users the journey did not admit; `notEligibleReasons` counts them per reason.'),
  notEligibleReasons: z.partialRecord(z.enum(batchNotEligibleReasons), z.number().int()),
  failed: z.number().int().describe('Users whose start Temporal refused (a context too large, say).'),
  failures: z.array(z.object({ userId: z.string(), error: z.string() })).describe('The first few failures.'),
  done: z.boolean(),
  startedAt: z.date().describe('When the batch was accepted.'),
  finishedAt: z.date().optional().describe('When its last user was enrolled.'),
});

/**
 * Batch enrolment (spec 2.1, `list` entry): the users are stored in chunks, the batch-entry workflow enrols
 * them throttled, and progress is summed from the chunks' results in Mongo (the workflow is never queried).
 */
export function addBatchRoutes(routes: Routes, { journeys, temporal, config, stores: { batches } }: ApiDeps): void {
  routes.add({
    method: 'post',
    // `\\:`: a literal colon (Google-style custom method), not a path parameter.
    path: '/v1/journeys/:id/enrollments\\:batch',
    summary: 'Enrol up to 10,000 users (JSON or NDJSON), throttled; follow the batch at its Location',
    tag: 'Enrolments',
    scope: 'ingest',
    params: z.object({ id: slugSchema }),
    query: batchQuery,
    body: batchRequestSchema,
    readBody: readBatchRequest,
    responses: {
      202: {
        description:
          'Accepted: the users are enrolled in the background with the rules of a single enrolment, each user once. ' +
          '`Location` is the batch (`GET /v1/batches/{batchId}`). Every entry is checked first: 400 lists each bad one ' +
          '(`body[3].userId`, `line 4.userId`); 404 unknown journey; 409 `journey_not_running`; 413 over 1 MB of JSON or 5 MB of NDJSON.',
        schema: acceptedSchema,
      },
    },
    async handle({ params, query, body }) {
      const received = Array.isArray(body) ? body : body.users;
      const users = distinctUsers(received);
      const { batchId, journeyId } = await startBatchEnrollment(
        { temporal, journeys, batches, taskQueue: config.TEMPORAL_TASK_QUEUE },
        params.id,
        users,
        query.ratePerSecond,
      );
      return {
        status: 202,
        headers: { Location: `/v1/batches/${batchId}` },
        body: {
          batchId,
          journeyId,
          received: received.length,
          duplicates: received.length - users.length,
          total: users.length,
          ratePerSecond: query.ratePerSecond,
        },
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/batches/:batchId',
    summary: 'Progress of a batch enrolment',
    tag: 'Enrolments',
    // The ingest key that started a batch reads the Location it was handed.
    scope: ['read', 'ingest'],
    params: z.object({ batchId: batchIdSchema }),
    responses: { 200: { description: 'Counts so far; `done` once every user has been enrolled', schema: progressSchema } },
    async handle({ params }) {
      const progress = await batches.progress(params.batchId);
      if (!progress) throw new NotFoundError(`batch ${params.batchId} does not exist`, { batchId: params.batchId });
      return { status: 200, body: progress };
    },
  });
}
