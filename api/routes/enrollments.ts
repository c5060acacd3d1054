import { z } from 'zod';
import { ConflictError } from '../../shared/errors';
import { slugSchema, userIdSchema } from '../../shared/ids';
import { enrolUser } from '../../shared/instances';
import { createEntryStore } from '../../shared/store/entries';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const enrollmentBody = z.strictObject({
  userId: userIdSchema,
  /** Small entry data available to templates and conditions as `context`. */
  context: z.record(z.string(), z.unknown()).optional(),
});
const enrollmentResult = z.object({
  instanceId: z.string(),
  /** The first run id of the instance. */
  runId: z.string(),
  journeyId: z.string(),
  version: z.number().int(),
  /** The user is in the journey's control group: tracked for goals, sent nothing. */
  control: z.boolean(),
});

export function addEnrollmentRoutes(routes: Routes, { journeys, temporal, config, models }: ApiDeps): void {
  const entries = createEntryStore(models);

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/enrollments',
    summary: 'Enrol one user in the running version of a journey',
    tag: 'Enrolments',
    scope: 'ingest',
    params: z.object({ id: slugSchema }),
    body: enrollmentBody,
    responses: {
      202: {
        description:
          'Enrolled; the instance runs in Temporal. A duplicate request while the user is inside answers the same instance. ' +
          '409 `not_eligible` with `reason` `already_entered` (re-entry is off) or `cooldown` (with `until`); 409 `journey_not_running`.',
        schema: enrollmentResult,
      },
    },
    async handle({ params, body }) {
      const outcome = await enrolUser(
        { temporal, journeys, entries },
        { journeyId: params.id, userId: body.userId, ...(body.context ? { context: body.context } : {}), taskQueue: config.TEMPORAL_TASK_QUEUE },
      );
      switch (outcome.status) {
        case 'not_running':
          throw new ConflictError(`journey ${params.id} has no running version`, { journeyId: params.id }, 'journey_not_running');
        case 'not_eligible':
          throw new ConflictError(
            `user ${body.userId} may not enter journey ${params.id} now: ${outcome.detail}`,
            { userId: body.userId, reason: outcome.reason, ...(outcome.until ? { until: outcome.until.toISOString() } : {}) },
            'not_eligible',
          );
        case 'started':
        case 'existing': {
          const { instanceId, runId, journeyId, version, control } = outcome;
          return { status: 202, body: { instanceId, runId, journeyId, version, control } };
        }
      }
    },
  });
}
