import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), mongo: z.boolean(), temporal: z.boolean() });

export function addHealthRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/health',
    summary: 'Liveness and readiness: answers 200 when Mongo and Temporal are reachable, 503 otherwise',
    tag: 'Health',
    scope: 'public',
    responses: { 200: { description: 'Healthy', schema: healthSchema }, 503: { description: 'Degraded', schema: healthSchema } },
    async handle() {
      const [mongo, temporal] = await Promise.all([
        deps.mongo.db!.admin().ping().then(() => true, () => false),
        deps.temporal.connection
          .withDeadline(Date.now() + 2000, () => deps.temporal.workflowService.getSystemInfo({}))
          .then(() => true, () => false),
      ]);
      const ok = mongo && temporal;
      return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', mongo, temporal } };
    },
  });
}
