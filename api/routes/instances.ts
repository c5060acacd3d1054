import { z } from 'zod';
import { slugSchema } from '../../domain/ids';
import { instanceDetail } from '../../temporal/instance-detail';
import { exitInstance } from '../../temporal/instance-exit';
import { listInstances } from '../../temporal/instance-listing';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { instanceDetailSchema, instanceListQuery, instanceParams, instanceSchema } from '../schemas/instances';

export function addInstanceRoutes(routes: Routes, { temporal, config, journeys, stores: { entries } }: ApiDeps): void {
  const tag = 'Instances';

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/instances',
    summary: "A journey's instances from Temporal visibility (eventually consistent); with `userId`, that user's instances",
    tag,
    scope: 'read',
    params: z.object({ id: slugSchema }),
    query: instanceListQuery,
    responses: {
      200: {
        description:
          'Running instances first, newest first, then closed ones, most recently closed first. With `userId`, also the ' +
          "user's entries that Temporal has forgotten (from the enrolment records, `source: entries`). Pass `nextPageToken` " +
          'back as `pageToken` for the next page.',
        schema: z.object({ items: z.array(instanceSchema), nextPageToken: z.string().optional() }),
      },
    },
    async handle({ params, query }) {
      return {
        status: 200,
        body: await listInstances({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, journeys, entries }, params.id, query),
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/instances/:workflowId',
    summary: 'One instance: where a running one is and what it waits for, or how a closed one ended',
    tag,
    scope: 'read',
    params: instanceParams,
    responses: { 200: { description: 'The instance (its latest run)', schema: instanceDetailSchema } },
    async handle({ params }) {
      return { status: 200, body: await instanceDetail(temporal, params.workflowId) };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/instances/:workflowId/exit',
    summary: 'Make a running instance exit now with reason `stopped` (support cases)',
    tag,
    scope: 'admin',
    params: instanceParams,
    responses: {
      202: {
        description:
          'The `stop` signal is delivered; the instance exits at once with reason `stopped`. 409 `instance_closed` when it has already ended.',
        schema: z.object({ workflowId: z.string(), runId: z.string(), reason: z.literal('stopped') }),
      },
    },
    async handle({ params }) {
      return { status: 202, body: await exitInstance(temporal, params.workflowId) };
    },
  });
}
