import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import type { journeyWorkflow } from '../../workflows';
import { ConflictError } from '../../shared/errors';
import { instanceWorkflowId, slugSchema, userIdSchema } from '../../shared/ids';
import { journeyIdKey, journeyNodeKey, journeyStatusKey, journeyVersionKey, userIdKey } from '../../shared/search-attributes';
import { activeVersion } from '../../shared/lifecycle/states';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const enrollmentBody = z.strictObject({
  userId: userIdSchema,
  /** Small entry data available to templates and conditions as `context`. */
  context: z.record(z.string(), z.unknown()).optional(),
});
const enrollmentResult = z.object({ instanceId: z.string(), runId: z.string(), journeyId: z.string(), version: z.number().int() });

export function addEnrollmentRoutes(routes: Routes, { journeys, temporal, config }: ApiDeps): void {
  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/enrollments',
    summary: 'Enrol one user in the running version of a journey',
    tag: 'Enrolments',
    scope: 'ingest',
    params: z.object({ id: slugSchema }),
    body: enrollmentBody,
    responses: { 202: { description: 'Enrolled; the instance runs in Temporal', schema: enrollmentResult } },
    async handle({ params, body }) {
      const journey = await journeys.getJourney(params.id);
      const active = activeVersion(journey);
      if (!active || active.state !== 'running') {
        throw new ConflictError(`journey ${params.id} has no running version`, { journeyId: params.id }, 'journey_not_running');
      }
      const workflowId = instanceWorkflowId(params.id, body.userId);
      try {
        const handle = await temporal.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
          workflowId,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [{ journeyId: params.id, version: active.version, userId: body.userId, context: body.context }],
          // A duplicate request while the instance lives gets the same instance back.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: journeyIdKey, value: params.id },
            { key: journeyVersionKey, value: active.version },
            { key: userIdKey, value: body.userId },
            { key: journeyNodeKey, value: 'entry' },
            { key: journeyStatusKey, value: 'active' },
          ],
          staticSummary: `User **${body.userId}** in journey **${journey.name}** (${params.id} v${active.version})`,
        });
        return {
          status: 202,
          body: { instanceId: workflowId, runId: handle.firstExecutionRunId, journeyId: params.id, version: active.version },
        };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          throw new ConflictError(`user ${body.userId} already went through journey ${params.id}`, { userId: body.userId }, 'not_eligible');
        }
        throw error;
      }
    },
  });
}
