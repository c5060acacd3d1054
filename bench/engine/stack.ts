import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startProcess, waitUntil, type ManagedProcess } from '../../infra/processes';
import { assertInstalled, startFerretDb, startTemporalDevServer } from '../../infra/servers';
import type { PayloadKey } from '../../platform/payload-codec';
import { findPids } from './cpu';

const root = resolve(__dirname, '..', '..');
export const benchApiKey = 'bench-admin-key-0123456789';

/** The payload encryption key of the bench's processes and clients (random per run): benches measure with encryption on, as deployed. */
export const benchPayloadKeys: PayloadKey[] = [{ id: 'bench-1', key: randomBytes(32) }];

/** The servers and the engine's two processes under test, with what the benchmark reads from them. */
export interface BenchStack {
  temporalAddress: string;
  apiUrl: string;
  workerMetricsUrl: string;
  taskQueue: string;
  /** Pids to read CPU time from, by process. */
  pids: Record<'worker' | 'api' | 'temporal' | 'ferretdb', number | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts FerretDB and a Temporal dev server on free ports with throwaway data (or uses the running ones:
 * TEMPORAL_ADDRESS and MONGO_URL, default the `npm start` ports), then the real worker and API processes,
 * as `npm start` runs them, on a task queue and database of the benchmark's own.
 */
export async function startBenchStack(opts: { useRunning: boolean; log: (line: string) => void }): Promise<BenchStack> {
  const host = '127.0.0.1';
  const owned: ManagedProcess[] = [];
  let dataDir: string | undefined;
  let temporalAddress: string;
  let mongoBase: string;
  const pids: BenchStack['pids'] = { worker: undefined, api: undefined, temporal: undefined, ferretdb: undefined };
  const stopAll = async () => {
    for (const child of owned.reverse()) await child.stop(15_000);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (opts.useRunning) {
      temporalAddress = process.env.TEMPORAL_ADDRESS ?? `${host}:7233`;
      mongoBase = (process.env.MONGO_URL ?? `mongodb://${host}:27017/journeys`).replace(/\/[^/?]*(\?.*)?$/, '/');
      // Their CPU time is read from /proc: find them by the ports in their command lines.
      const temporalPort = temporalAddress.split(':').at(-1);
      const mongoPort = new URL(mongoBase).port || '27017';
      pids.temporal = findPids('start-dev', `--port ${temporalPort}`)[0];
      pids.ferretdb = findPids('ferretdb-embedded', `:${mongoPort}`)[0];
    } else {
      assertInstalled();
      dataDir = mkdtempSync(join(tmpdir(), 'journeys-bench-'));
      const [ferretPort, temporalPort] = [await freePort(), await freePort()];
      opts.log(`starting FerretDB (:${ferretPort}) and the Temporal dev server (:${temporalPort}) in ${dataDir}`);
      const [ferret, temporal] = await Promise.all([
        startFerretDb({ host, port: ferretPort, dataDir: join(dataDir, 'ferretdb') }),
        // On disk like `npm start` (SQLite, WAL), not in memory: the figures should be the product's.
        startTemporalDevServer({ host, port: temporalPort, dbFile: join(dataDir, 'temporal', 'temporal.db') }),
      ]);
      owned.push(ferret.process, temporal.process);
      pids.ferretdb = ferret.process.child.pid;
      pids.temporal = temporal.process.child.pid;
      temporalAddress = `${host}:${temporalPort}`;
      mongoBase = `mongodb://${host}:${ferretPort}/`;
    }

    const suffix = Date.now().toString(36);
    const taskQueue = `bench-${suffix}`;
    const [apiPort, metricsPort, sdkMetricsPort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGO_URL: `${mongoBase}bench_${suffix}`,
      API_HOST: host,
      API_PORT: String(apiPort),
      API_BOOTSTRAP_KEY: benchApiKey,
      PAYLOAD_ENCRYPTION_KEYS: benchPayloadKeys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(','),
      WEBHOOK_DELIVERY: 'sink',
      WORKER_METRICS_HOST: host,
      WORKER_METRICS_PORT: String(metricsPort),
      WORKER_SDK_METRICS_PORT: String(sdkMetricsPort),
    };
    opts.log(`starting the worker and the API (task queue ${taskQueue}, database bench_${suffix})`);
    let workerReady = false;
    const worker = startNode('worker', 'worker/main.ts', env, opts.log, (text) => {
      if (text.includes('worker ready')) workerReady = true;
    });
    owned.push(worker);
    const api = startNode('API', 'api/main.ts', env, opts.log);
    owned.push(api);
    pids.worker = worker.child.pid;
    pids.api = api.child.pid;
    const apiUrl = `http://${host}:${apiPort}`;
    await waitUntil(api, 'GET /health', async () => (await fetch(`${apiUrl}/health`)).ok, 120_000);
    await waitUntil(worker, 'worker ready', async () => workerReady, 240_000);
    return { temporalAddress, apiUrl, workerMetricsUrl: `http://${host}:${metricsPort}/metrics`, taskQueue, pids, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A TypeScript entry point run with tsx, as `npm start` does; warnings and errors are passed on. */
function startNode(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  onOutput?: (text: string) => void,
): ManagedProcess {
  // LOG_LEVEL=info is needed to see "worker ready"; other lines are shown only when they look like problems.
  const child = startProcess(name, process.execPath, ['--import', 'tsx', join(root, entry)], {
    cwd: root,
    env: { ...env, LOG_LEVEL: 'info' },
  });
  const relay = (chunk: Buffer) => {
    const text = chunk.toString();
    onOutput?.(text);
    for (const line of text.split('\n')) if (/"level":(40|50|60)|error|Error/.test(line)) log(`[${name}] ${line.slice(0, 400)}`);
  };
  child.child.stdout?.on('data', relay);
  child.child.stderr?.on('data', relay);
  return child;
}
