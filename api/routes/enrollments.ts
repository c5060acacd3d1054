import type { Request } from 'express';
import { z } from 'zod';
import { ConflictError, InvalidInputError } from '../../domain/errors';
import { slugSchema, userIdSchema } from '../../domain/ids';
import { enrolUser } from '../../temporal/instances';
import { profilePatchSchema } from '../../domain/profiles/schema';
import { contextSchema } from '../../domain/input-limits';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { profileWritesOf } from '../profiles/profile-writes';

const enrollmentBody = z.strictObject({
  userId: userIdSchema,
  /** Small entry data available to templates and conditions as `context` (size and depth bounded). */
  context: contextSchema.optional(),
  profile: profilePatchSchema
    .optional()
    .describe(
      "Merged into the user's profile before the enrolment (the PATCH /v1/users/{id} rules), so the instance reads it; kept even when the enrolment is refused.",
    ),
});
const enrollmentResult = z.object({
  instanceId: z.string(),
  /** The first run id of the instance. */
  runId: z.string(),
  journeyId: z.string(),
  version: z.number().int(),
  /** The user is held out (the journey's control group, or the account's global one): tracked for goals, sent nothing. */
  control: z.boolean(),
});

/** The `Idempotency-Key` header, when sent: 1 to 255 visible ASCII characters. */
function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    const message = 'must be 1 to 255 visible ASCII characters, e.g. a UUID';
    throw new InvalidInputError(`invalid Idempotency-Key header: ${message}`, [{ path: 'headers.idempotency-key', message }]);
  }
  return key;
}

export function addEnrollmentRoutes(
  routes: Routes,
  { journeys, temporal, config, profiles, settings, stores: { entries, idempotency } }: ApiDeps,
): void {
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
          '409 `not_eligible` with `reason` `already_entered` (re-entry is off) or `cooldown` (with `until`); 409 `journey_not_running`. ' +
          'With an `Idempotency-Key` header (1 to 255 visible ASCII characters), every repeat of the request within 24 hours gets ' +
          'the first answer (including its 4xx problem) and never runs it again; a different request under the same key answers 422 ' +
          '`idempotency_key_reused`; a repeat still waiting for the first answer after 10 s answers 409 `idempotency_key_in_progress`.',
        schema: enrollmentResult,
      },
    },
    async handle({ params, body, req }) {
      const key = idempotencyKeyOf(req);
      const enrol = () => enrolOne(params.id, body);
      return key === undefined ? enrol() : idempotency.once(key, [req.method, req.path, body], enrol);
    },
  });

  /** Merges the profile given, then enrols: the instance reads the profile as it now is. */
  async function enrolOne(journeyId: string, body: z.infer<typeof enrollmentBody>) {
    if (body.profile) await profileWritesOf({ profiles, journeys, temporal }).patch(body.userId, body.profile);
    const outcome = await enrolUser(
      { temporal, journeys, entries, controlGroup: settings },
      { journeyId, userId: body.userId, ...(body.context ? { context: body.context } : {}), taskQueue: config.TEMPORAL_TASK_QUEUE },
    );
    switch (outcome.status) {
      case 'not_running':
        throw new ConflictError(`journey ${journeyId} has no running version`, { journeyId }, 'journey_not_running');
      case 'not_eligible':
        throw new ConflictError(
          `user ${body.userId} may not enter journey ${journeyId} now: ${outcome.detail}`,
          { userId: body.userId, reason: outcome.reason, ...(outcome.until ? { until: outcome.until.toISOString() } : {}) },
          'not_eligible',
        );
      case 'started':
      case 'existing': {
        const { instanceId, runId, version, control } = outcome;
        return { status: 202, body: { instanceId, runId, journeyId: outcome.journeyId, version, control } };
      }
    }
  }
}
