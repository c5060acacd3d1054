import { type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApi } from '../../api/app';
import { startReportsService, reportsWorkflowId } from '../../temporal/services';
import type { ReportsInput } from '../../workflows/contract';
import type { ProfileStore } from '../../store/profiles';
import type { SendDependencies } from '../../activities/send';
import type { AppConfig } from '../../platform/config';
import type { ProviderNames } from '../../domain/delivery/provider-names';
import { payloadDataConverter, type PayloadKey } from '../../platform/payload-codec';
import type { SettingsStore } from '../../store/settings';
import { createChannelWorkers, createJourneyWorker, createWorkerActivities, createWorkers, type WorkerSetup } from '../../worker/workers';
import { createDevServerEnv, createOwnDevServerEnv, openTestDatabase, uniqueTaskQueue, workflowBundle } from './servers';

/**
 * The real system for one test file: the API on an ephemeral port and the workers, against the shared
 * Temporal dev server and a fresh FerretDB database. Only the task queue and database are the file's own.
 */
export interface TestStack {
  baseUrl: string;
  env: TestWorkflowEnvironment;
  client: Client;
  db: Awaited<ReturnType<typeof openTestDatabase>>;
  profiles: ProfileStore;
  settings: SettingsStore;
  taskQueue: string;
  workers: Worker[];
  /** Starts the channel workers of a stack created with `deferChannelWorkers`. */
  startChannelWorkers(): Promise<void>;
  /** Starts every worker of a stack created with `deferWorkers`. */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** The bootstrap admin key of test stacks; `call` sends it unless told otherwise. */
export const testAdminKey = 'test-admin-key-0123456789';

export interface TestStackOptions {
  /** Provider adapters and send settings of the channel workers (default: every channel goes to the sink). */
  channel?: Pick<SendDependencies, 'adapters' | 'emailFrom'>;
  /** Per-channel send rate of the channel workers (default: 1000/s). */
  channelRatePerSecond?: number;
  api?: Partial<Pick<AppConfig, 'SENDGRID_WEBHOOK_PUBLIC_KEY'>>;
  /** The providers the API knows per channel (api/main.ts passes providerNames(config)); unset: names are not checked. */
  providerNames?: ProviderNames;
  /** Start without channel workers, so sends queue up until `startChannelWorkers()`. */
  deferChannelWorkers?: boolean;
  /** Start without any worker (instances wait for their first task, as behind a busy worker) until `startWorkers()`. */
  deferWorkers?: boolean;
  /** Start the reports service (the counter folder and the experiment re-weighter) with these settings. */
  reports?: ReportsInput;
  /** Payload encryption keys of the API's client and the workers, as PAYLOAD_ENCRYPTION_KEYS (default: testPayloadKeys). */
  payloadKeys?: PayloadKey[];
  /** Run on a dev server of the stack's own started with these arguments, instead of the shared one. */
  temporalServerArgs?: string[];
}

/** The payload encryption key of test stacks: every test runs with encrypted payloads, as production does. */
export const testPayloadKeys: PayloadKey[] = [{ id: 'test-1', key: Buffer.alloc(32, 7) }];

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const dataConverter = payloadDataConverter(options.payloadKeys ?? testPayloadKeys);
  const env = options.temporalServerArgs
    ? await createOwnDevServerEnv(options.temporalServerArgs, dataConverter)
    : await createDevServerEnv(dataConverter);
  const db = await openTestDatabase();
  const taskQueue = uniqueTaskQueue('it');
  const client = env.client;
  // The API and the workers as their entry points build them (api/main.ts, worker/main.ts), sharing the stores.
  const { app, journeys, profiles, settings } = await createApi({
    config: { TEMPORAL_TASK_QUEUE: taskQueue, ...options.api },
    mongo: db.connection,
    models: db.models,
    temporal: client,
    bootstrapKey: testAdminKey,
    authEnabled: true,
    log: (error) => console.error(error),
    ...(options.providerNames ? { providerNames: options.providerNames } : {}),
  });
  const setup: WorkerSetup = {
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createWorkerActivities({
      models: db.models,
      journeys,
      profiles,
      settings,
      temporal: client,
      taskQueue,
      channel: { ...options.channel },
    }),
    channelRatePerSecond: options.channelRatePerSecond ?? 1000,
    workflowBundle: await workflowBundle(),
    dataConverter,
  };
  const workers = options.deferWorkers ? [] : options.deferChannelWorkers ? [await createJourneyWorker(setup)] : await createWorkers(setup);
  const runs = workers.map((worker) => worker.run());
  function run(started: Worker[]): void {
    workers.push(...started);
    runs.push(...started.map((worker) => worker.run()));
  }
  async function startChannelWorkers(): Promise<void> {
    run(await createChannelWorkers(setup));
  }
  async function startWorkers(): Promise<void> {
    run(await createWorkers(setup));
  }

  if (options.reports) await startReportsService(client, taskQueue, options.reports);

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    env,
    client,
    db,
    profiles,
    settings,
    taskQueue,
    workers,
    startChannelWorkers,
    startWorkers,
    async close() {
      if (options.reports) await client.workflow.getHandle(reportsWorkflowId(taskQueue)).terminate('test stack closed');
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      for (const worker of workers) worker.shutdown();
      await Promise.all(runs);
      await env.teardown();
      await db.close();
    },
  };
}

/** A JSON request to the API under test; answers status and parsed body. */
export async function call(
  stack: Pick<TestStack, 'baseUrl'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${testAdminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
