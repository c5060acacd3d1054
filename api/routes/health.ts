import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { RETRY_AFTER_SECONDS } from '../http/unavailable';

const partSchema = z.enum(['up', 'down']);
const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), mongo: partSchema, temporal: partSchema });

/** How long each check may take: /health must answer within seconds even while a part hangs. */
const CHECK_TIMEOUT_MS = 2_000;

export function addHealthRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/health',
    summary: 'Liveness and readiness: 200 when Mongo and Temporal answer, 503 (with Retry-After) naming the part that is down otherwise',
    tag: 'Health',
    scope: 'public',
    responses: {
      200: { description: 'Healthy', schema: healthSchema },
      503: { description: 'Degraded: `mongo` or `temporal` is `down`', schema: healthSchema },
    },
    async handle() {
      const [mongo, temporal] = await Promise.all([
        check(deps.mongo.db!.admin().ping()),
        // Not raced: the deadline and the API client's retry budget (api/temporal.ts) end the call in time, and
        // a call left behind in back-off would outlive the request.
        deps.temporal.connection
          .withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => deps.temporal.workflowService.getSystemInfo({}))
          .then(
            () => 'up' as const,
            () => 'down' as const,
          ),
      ]);
      const ok = mongo === 'up' && temporal === 'up';
      return {
        status: ok ? 200 : 503,
        body: { status: ok ? 'ok' : 'degraded', mongo, temporal },
        ...(ok ? {} : { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } }),
      };
    },
  });
}

/** `up` when the store answers in time: a store that is down would otherwise be waited for (server selection). */
async function check(ping: Promise<unknown>): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'down'>((resolve) => (timer = setTimeout(() => resolve('down'), CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([
      ping.then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
