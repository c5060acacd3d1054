import { z } from 'zod';
import { slugSchema } from '../../domain/ids';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { nodeParams, versionParams } from '../schemas/journeys';

/** The What of a live version: content edited in place, and each node's revision history. */
export function addJourneyContentRoutes(routes: Routes, { journeys }: ApiDeps): void {
  const tag = 'Journeys';

  routes.add({
    method: 'patch',
    path: '/v1/journeys/:id/versions/:version/content',
    summary: 'Edit the What in place (message content, provider, manual experiment weights) of a live version',
    tag,
    scope: 'admin',
    params: versionParams,
    body: z
      .record(slugSchema, z.record(z.string(), z.unknown()))
      .refine((changes) => Object.keys(changes).length > 0, 'name at least one node'),
    responses: {
      200: {
        description: 'The new content revision of each edited node',
        schema: z.object({ journeyId: z.string(), version: z.number().int(), revisions: z.record(z.string(), z.number().int()) }),
      },
    },
    async handle({ params, body, actor }) {
      return { status: 200, body: await journeys.editContent(params.id, params.version, body, actor) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/versions/:version/content/:nodeId/revisions',
    summary: "The revision history of one node's content (revision 0 is what was published)",
    tag,
    scope: 'read',
    params: nodeParams,
    responses: {
      200: {
        description: 'Revisions, oldest first',
        schema: z.object({
          items: z.array(z.object({ revision: z.number().int(), content: z.unknown(), actor: z.string(), at: z.date() })),
        }),
      },
    },
    async handle({ params }) {
      return { status: 200, body: { items: await journeys.contentHistory(params.id, params.version, params.nodeId) } };
    },
  });
}
