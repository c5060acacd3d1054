import type { Client } from '@temporalio/client';
import { api } from './journeys';
import { quantile, runPool } from './pool';

/** What one measured run did: its duration, the instances it ran, and per-user latencies when measured. */
export interface RunResult {
  seconds: number;
  workflowIds: string[];
  latenciesMs?: number[];
  /** Users whose start or instance failed (first errors kept), counted instead of stopping the run. */
  failures: string[];
}

/** Runs one user's work; a failure is recorded in `failures` (the run goes on and reports it). */
async function guarded(failures: string[], work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    failures.push(error instanceof Error ? error.message.slice(0, 300) : String(error));
  }
}

export interface RunTarget {
  client: Client;
  apiUrl: string;
  plainTaskQueue: string;
}

const vip = (index: number) => index % 2 === 0;

/** Plain Temporal: each lane starts a workflow and waits for its result, `users` times in all. */
export async function completePlain(target: RunTarget, prefix: string, users: number, concurrency: number): Promise<RunResult> {
  const workflowIds = ids(prefix, users);
  const failures: string[] = [];
  const seconds = await runPool(users, concurrency, (index) =>
    guarded(failures, async () => {
      const handle = await target.client.workflow.start('plainJourney', {
        taskQueue: target.plainTaskQueue,
        workflowId: workflowIds[index]!,
        args: [workflowIds[index]!, { vip: vip(index) }],
      });
      await handle.result();
    }),
  );
  return { seconds, workflowIds, failures };
}

/** The engine: each lane enrols a user through the API and waits for the instance's result from Temporal. */
export async function completeEngine(
  target: RunTarget,
  journeyId: string,
  prefix: string,
  users: number,
  concurrency: number,
): Promise<RunResult> {
  const workflowIds: string[] = [];
  const failures: string[] = [];
  const seconds = await runPool(users, concurrency, (index) =>
    guarded(failures, async () => {
      const instanceId = await enrol(target, journeyId, `${prefix}-${index}`, { vip: vip(index) });
      workflowIds.push(instanceId);
      await target.client.workflow.getHandle(instanceId).result();
    }),
  );
  return { seconds, workflowIds, failures };
}

/** Starts only: the time until every start call has answered (the instances finish afterwards). */
export async function startPlain(target: RunTarget, prefix: string, users: number, concurrency: number): Promise<RunResult> {
  const workflowIds = ids(prefix, users);
  const failures: string[] = [];
  const seconds = await runPool(users, concurrency, (index) =>
    guarded(failures, async () => {
      await target.client.workflow.start('plainJourney', {
        taskQueue: target.plainTaskQueue,
        workflowId: workflowIds[index]!,
        args: [workflowIds[index]!, { vip: vip(index) }],
      });
    }),
  );
  return { seconds, workflowIds, failures };
}

export async function startEngine(
  target: RunTarget,
  journeyId: string,
  prefix: string,
  users: number,
  concurrency: number,
): Promise<RunResult> {
  const workflowIds: string[] = [];
  const failures: string[] = [];
  const seconds = await runPool(users, concurrency, (index) =>
    guarded(failures, async () => {
      workflowIds.push(await enrol(target, journeyId, `${prefix}-${index}`, { vip: vip(index) }));
    }),
  );
  return { seconds, workflowIds, failures };
}

/** Waits for every instance to close (after a starts-only run). */
export async function awaitAll(client: Client, workflowIds: string[]): Promise<void> {
  await runPool(workflowIds.length, 50, async (index) => {
    await client.workflow
      .getHandle(workflowIds[index]!)
      .result()
      .catch(() => undefined);
  });
}

/**
 * Event -> resume: instances that wait for `go` are started first; then each lane sends the event (a raw
 * signal, or `POST /v1/events`) and waits for the instance to finish. Latency: send to result.
 */
export async function resumePlain(target: RunTarget, prefix: string, users: number, concurrency: number): Promise<RunResult> {
  const workflowIds = ids(prefix, users);
  await runPool(users, concurrency, async (index) => {
    await target.client.workflow.start('plainWait', { taskQueue: target.plainTaskQueue, workflowId: workflowIds[index]! });
  });
  await waitIdle(target.client, workflowIds, 1);
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  const seconds = await runPool(users, concurrency, (index) =>
    guarded(failures, async () => {
      const handle = target.client.workflow.getHandle(workflowIds[index]!);
      const sent = performance.now();
      await handle.signal('go');
      await handle.result();
      latenciesMs.push(performance.now() - sent);
    }),
  );
  return { seconds, workflowIds, latenciesMs, failures };
}

export async function resumeEngine(
  target: RunTarget,
  journeyId: string,
  prefix: string,
  users: number,
  concurrency: number,
): Promise<RunResult> {
  const workflowIds: string[] = [];
  const userIds = ids(prefix, users);
  // Events need a profile (unknown users are refused).
  await runPool(users, concurrency, async (index) => {
    await api(target.apiUrl, 'PUT', `/v1/users/${userIds[index]}`, { attributes: {} }, [200, 201]);
    workflowIds.push(await enrol(target, journeyId, userIds[index]!, {}));
  });
  await waitIdle(target.client, workflowIds, 5);
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  const seconds = await runPool(users, concurrency, (index) =>
    guarded(failures, async () => {
      const sent = performance.now();
      await api(target.apiUrl, 'POST', '/v1/events', { eventId: `${userIds[index]}-go`, userId: userIds[index], name: 'go' }, [202]);
      await target.client.workflow.getHandle(`journey:${journeyId}:user:${userIds[index]}`).result();
      latenciesMs.push(performance.now() - sent);
    }),
  );
  return { seconds, workflowIds, latenciesMs, failures };
}

export function p99(result: RunResult): number {
  return quantile(result.latenciesMs ?? [], 0.99);
}

async function enrol(target: RunTarget, journeyId: string, userId: string, context: Record<string, unknown>): Promise<string> {
  const answer = await api(target.apiUrl, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId, context }, [202]);
  return answer.instanceId as string;
}

/** Waits until no instance has a workflow task or activity pending (each has reached its wait). */
async function waitIdle(client: Client, workflowIds: string[], minEvents: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    let busy = 0;
    await runPool(workflowIds.length, 20, async (index) => {
      const description = await client.workflow.getHandle(workflowIds[index]!).describe();
      const raw = description.raw;
      const pending = (raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask != null;
      if (pending || (description.historyLength ?? 0) < minEvents) busy++;
    });
    if (busy === 0) return;
    if (Date.now() > deadline) throw new Error(`${busy} instances still busy after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
}
