import { DEFAULT_TEMPORAL_UI_URL } from '../../platform/config';
import type { Instance } from '../../temporal/instance-view';
import { listUserInstances } from '../../temporal/user-instance-listing';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { userInstancesParams, userInstancesQuery, userInstancesResponseSchema } from '../schemas/user-instances';

/** Where Temporal UI shows one run's history. */
export function temporalUiRunUrl(uiUrl: string, namespace: string, instance: Pick<Instance, 'workflowId' | 'runId'>): string {
  const part = encodeURIComponent;
  return `${uiUrl}/namespaces/${part(namespace)}/workflows/${part(instance.workflowId)}/${part(instance.runId)}/history`;
}

/** A user's instances in every journey: what support opens first, from a user id (the console's user page). */
export function addUserInstanceRoutes(routes: Routes, { temporal, config, journeys, stores: { entries } }: ApiDeps): void {
  const uiUrl = (config.TEMPORAL_UI_URL ?? DEFAULT_TEMPORAL_UI_URL).replace(/\/+$/, '');
  const { namespace } = temporal.options;
  routes.add({
    method: 'get',
    path: '/v1/users/:id/instances',
    summary: "A user's instances across journeys, from Temporal visibility (eventually consistent) and the enrolment records",
    tag: 'Instances',
    scope: 'read',
    params: userInstancesParams,
    query: userInstancesQuery,
    responses: {
      200: {
        description:
          "The user's instances in every journey of this deployment, newest first, each with its entry number and a link to the run in " +
          'Temporal UI; entries that Temporal has forgotten come from the enrolment records (`source: entries`, no link). An unknown ' +
          'user has none. Pass `nextPageToken` back as `pageToken` for the next page.',
        schema: userInstancesResponseSchema,
      },
    },
    async handle({ params, query }) {
      const page = await listUserInstances({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, journeys, entries }, params.id, query);
      const items = page.items.map((item) =>
        item.source === 'temporal' ? { ...item, temporalUiUrl: temporalUiRunUrl(uiUrl, namespace, item) } : item,
      );
      return { status: 200, body: { ...page, items } };
    },
  });
}
