import { z } from 'zod';
import { DEFAULT_EXPERIMENT_FLOOR, DEFAULT_EXPERIMENT_INTERVAL, type ExperimentNode } from '../../shared/definition/schema';
import { ConflictError, DomainError, NotFoundError } from '../../shared/errors';
import { experimentGoalsOf } from '../../shared/experiments/reweight';
import { slugSchema } from '../../shared/ids';
import type { VersionState } from '../../shared/lifecycle/states';
import { createExperimentStore, type WeightChange } from '../../shared/store/experiments';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const nodeParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1).max(1_000_000), nodeId: slugSchema });

const weightsSchema = z.record(z.string(), z.number()).describe('Path name -> weight (percent).');
const changeSchema = z.object({
  seq: z.number().int(),
  at: z.date(),
  weights: weightsSchema,
  reason: z.enum(['reweighted', 'winner', 'published', 'edited']),
  actor: z.string(),
  detail: z.unknown().optional().describe('For `reweighted`: the goal, floor and per-path stats it used.'),
});
const experimentViewSchema = z.object({
  journeyId: z.string(),
  version: z.number().int(),
  nodeId: z.string(),
  mode: z.enum(['manual', 'auto']),
  paths: z.array(z.string()),
  goals: z.array(z.object({ id: z.string(), event: z.string() })).describe('The goals that score the paths; auto mode optimises the first.'),
  floor: z.number().optional().describe('Auto mode: the share each path keeps.'),
  interval: z.string().optional().describe('Auto mode: how often the paths are re-weighted.'),
  weights: weightsSchema.describe('The weights new users are assigned with now (a winner takes 100).'),
  winner: z.string().optional(),
  winnerBy: z.string().optional(),
  winnerAt: z.date().optional(),
  history: z.array(changeSchema).describe('Weight changes, oldest first (the newest `limit`).'),
});

/** States whose instances can still be steered by a winner: published and not stopped. */
function acceptsWinner(state: VersionState): boolean {
  switch (state) {
    case 'scheduled':
    case 'running':
    case 'paused':
    case 'completed':
    case 'restricted':
      return true;
    case 'draft':
    case 'stopped':
      return false;
  }
}

/** IntelliNODE experiments: their current weights and history, and declaring a winner (auto mode). */
export function addExperimentRoutes(routes: Routes, { journeys, models }: ApiDeps): void {
  const experiments = createExperimentStore(models);
  const tag = 'Experiments';

  async function loadNode(journeyId: string, version: number, nodeId: string) {
    const found = await journeys.getVersion(journeyId, version);
    const node = found.definition.nodes[nodeId];
    if (!node) throw new NotFoundError(`version ${version} of journey ${journeyId} has no node ${nodeId}`, { journeyId, version, nodeId });
    if (node.type !== 'experiment') {
      throw new DomainError(422, 'not_an_experiment', `node ${nodeId} is a ${node.type} node, not an experiment`, { nodeId, type: node.type });
    }
    return { version: found, node };
  }

  async function view(journeyId: string, version: number, nodeId: string, limit: number) {
    const { version: found, node } = await loadNode(journeyId, version, nodeId);
    const paths = Object.keys(node.paths);
    const base = {
      journeyId,
      version,
      nodeId,
      mode: node.mode,
      paths,
      goals: experimentGoalsOf(node, found.definition.settings.goals).map(({ id, event }) => ({ id, event })),
    };
    switch (node.mode) {
      case 'manual': {
        // A manual experiment's weights are its What: the current content, and its revisions as history.
        const weights = (found.definition.content[nodeId]?.weights ?? {}) as Record<string, number>;
        const revisions = await journeys.contentHistory(journeyId, version, nodeId);
        const history: WeightChange[] = revisions.flatMap(({ revision, content, actor, at }) => {
          const edited = (content as { weights?: unknown } | undefined)?.weights;
          if (typeof edited !== 'object' || edited === null) return [];
          return [{ seq: revision, at, weights: edited as Record<string, number>, reason: revision === 0 ? 'published' : 'edited', actor }];
        });
        return { ...base, weights, history: history.slice(-limit) };
      }
      case 'auto': {
        const [current, history] = await Promise.all([experiments.current(journeyId, version, nodeId), experiments.history(journeyId, version, nodeId, { limit })]);
        const winner = current.winner;
        const weights =
          winner !== undefined
            ? Object.fromEntries(paths.map((path) => [path, path === winner ? 100 : 0]))
            : (current.weights ?? Object.fromEntries(paths.map((path) => [path, 100 / paths.length])));
        return {
          ...base,
          floor: node.floor ?? DEFAULT_EXPERIMENT_FLOOR,
          interval: node.interval ?? DEFAULT_EXPERIMENT_INTERVAL,
          weights,
          ...(winner !== undefined ? { winner, winnerBy: current.winnerBy, winnerAt: current.winnerAt } : {}),
          history,
        };
      }
    }
  }

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
      return { status: 200, body: await view(params.id, params.version, params.nodeId, query.limit) };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/experiments/:nodeId/winner',
    summary: 'Declare the winner of an auto experiment: every new instance takes that path from now on',
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
          '`winner_declared` (naming the existing winner)',
      },
      422: { description: '`not_an_experiment`, or `unknown_path` naming `body.path`' },
    },
    async handle({ params, body, actor }) {
      const { version, node } = await loadNode(params.id, params.version, params.nodeId);
      if (!acceptsWinner(version.state)) {
        throw new ConflictError(
          `cannot declare a winner on version ${params.version}: it is ${version.state} (only a published version that is not stopped takes one)`,
          { version: params.version, state: version.state },
          'version_not_live',
        );
      }
      assertAuto(params.nodeId, node);
      const paths = Object.keys(node.paths);
      if (!paths.includes(body.path)) {
        const message = `node ${params.nodeId} has no path ${JSON.stringify(body.path)} (its paths: ${paths.join(', ')})`;
        throw new DomainError(422, 'unknown_path', message, { nodeId: params.nodeId, paths, problems: [{ path: 'body.path', message }] });
      }
      await experiments.declareWinner(params.id, params.version, params.nodeId, body.path, actor, paths);
      return { status: 200, body: await view(params.id, params.version, params.nodeId, 100) };
    },
  });
}

function assertAuto(nodeId: string, node: ExperimentNode): void {
  switch (node.mode) {
    case 'auto':
      return;
    case 'manual':
      throw new ConflictError(
        `node ${nodeId} is a manual experiment: edit its weights in place (PATCH .../content) instead of declaring a winner`,
        { nodeId, mode: node.mode },
        'manual_experiment',
      );
  }
}
