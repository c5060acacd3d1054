import { z } from 'zod';
import { publishVersion, setVersionPaused, stopVersion } from '../../temporal/version-lifecycle';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { journeySchema, presentJourney, versionParams } from '../schemas/journeys';

/** Publish, pause, resume and stop: each change also starts what it needs on Temporal (temporal/version-lifecycle.ts). */
export function addVersionLifecycleRoutes(routes: Routes, { journeys, temporal, config }: ApiDeps): void {
  const tag = 'Journeys';
  const lifecycle = { journeys, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE };

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/publish',
    summary: 'Publish a draft after validating it; `oldVersion` says what happens to the previous live version',
    tag,
    scope: 'admin',
    params: versionParams,
    body: z.strictObject({ oldVersion: z.enum(['restrict', 'stop', 'keep']).optional() }),
    responses: { 200: { description: 'Published', schema: journeySchema } },
    async handle({ params, body, actor }) {
      return { status: 200, body: presentJourney(await publishVersion(lifecycle, params.id, params.version, body, actor)) };
    },
  });

  for (const action of ['pause', 'resume'] as const) {
    routes.add({
      method: 'post',
      path: `/v1/journeys/:id/versions/:version/${action}`,
      summary: action === 'pause' ? 'Pause: no new entries; users inside keep moving' : 'Resume a paused version (no back-fill)',
      tag,
      scope: 'admin',
      params: versionParams,
      responses: { 200: { description: 'Done', schema: journeySchema } },
      async handle({ params, actor }) {
        return { status: 200, body: presentJourney(await setVersionPaused(lifecycle, action, params.id, params.version, actor)) };
      },
    });
  }

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/stop',
    summary: 'Stop: `exit` (default) ends every instance now; `drain` closes entry and stops once instances finish',
    tag,
    scope: 'admin',
    params: versionParams,
    body: z.strictObject({ mode: z.enum(['exit', 'drain']).default('exit') }),
    responses: { 200: { description: 'Stopped or draining', schema: journeySchema } },
    async handle({ params, body, actor }) {
      return { status: 200, body: presentJourney(await stopVersion(lifecycle, params.id, params.version, body.mode, actor)) };
    },
  });
}
