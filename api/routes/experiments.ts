import { z } from 'zod';
import { declareWinner } from '../../domain/experiments/declare-winner';
import { experimentView } from '../../domain/experiments/experiment-view';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { experimentViewSchema } from '../schemas/experiments';
import { nodeParams } from '../schemas/journeys';

/** IntelliNODE experiments: their current weights and history, and declaring a winner (auto mode). */
export function addExperimentRoutes(routes: Routes, { journeys, stores: { experiments } }: ApiDeps): void {
  const deps = { journeys, experiments };
  const tag = 'Experiments';

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/versions/:version/experiments/:nodeId',
    summary: 'An experiment node: its mode, paths, current weights, winner and weight history',
    tag,
    scope: 'read',
    params: nodeParams,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    responses: {
      200: { description: 'The experiment', schema: experimentViewSchema },
      404: { description: '`not_found`: no such journey, version or node' },
      422: { description: '`not_an_experiment`: the node is of another type' },
    },
    async handle({ params, query }) {
      return { status: 200, body: await experimentView(deps, params.id, params.version, params.nodeId, query.limit) };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/experiments/:nodeId/winner',
    summary:
      'Declare the winner of an auto experiment: every new instance takes that path from now on. ' +
      'An automatic winner (`autoWinner`) can be overridden once; a winner declared through this route is final',
    tag,
    scope: 'admin',
    params: nodeParams,
    body: z.strictObject({ path: z.string().min(1).max(200).describe('The winning path.') }),
    responses: {
      200: { description: 'The experiment with its winner', schema: experimentViewSchema },
      404: { description: '`not_found`: no such journey, version or node' },
      409: {
        description:
          '`version_not_live` (a draft or stopped version), `manual_experiment` (edit its weights in place instead), ' +
          '`winner_declared` (naming the existing winner: one declared here, or an override of an automatic one)',
      },
      422: { description: '`not_an_experiment`, or `unknown_path` naming `body.path`' },
    },
    async handle({ params, body, actor }) {
      return { status: 200, body: await declareWinner(deps, params.id, params.version, params.nodeId, body.path, actor) };
    },
  });
}
