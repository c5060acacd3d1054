import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { captureOutput, freePort, startProcess, waitUntil, type ManagedProcess } from '../../infra/processes';
import { assertInstalled, startFerretDb, startTemporalDevServer, type ServerHandle } from '../../infra/servers';

const root = resolve(__dirname, '..', '..');

/**
 * The API as its own process (api/main.ts under tsx) on its own FerretDB and Temporal dev server, with a worker
 * process (without one, reading an instance waits on a query no worker answers: 503 after 5 s).
 */
export interface ApiUnderTest {
  apiUrl: string;
  adminKey: string;
  process: ManagedProcess;
  /** The process's recent output, for a crash report. */
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startApiProcess(log: (line: string) => void): Promise<ApiUnderTest> {
  assertInstalled();
  const host = '127.0.0.1';
  const dataDir = mkdtempSync(join(tmpdir(), 'journeys-fuzz-'));
  const [ferretPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const servers: ServerHandle[] = [];
  let api: ManagedProcess | undefined;
  let worker: ManagedProcess | undefined;
  const stop = async () => {
    await api?.stop();
    await worker?.stop();
    for (const server of servers.reverse()) await server.process.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    log(`starting FerretDB (:${ferretPort}) and Temporal (:${temporalPort}) in ${dataDir}`);
    servers.push(
      ...(await Promise.all([
        startFerretDb({ host, port: ferretPort, dataDir: join(dataDir, 'ferretdb') }),
        startTemporalDevServer({ host, port: temporalPort }),
      ])),
    );
    const adminKey = randomBytes(24).toString('base64url');
    const apiUrl = `http://${host}:${apiPort}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: `${host}:${temporalPort}`,
      TEMPORAL_TASK_QUEUE: 'fuzz',
      MONGO_URL: `mongodb://${host}:${ferretPort}/journeys`,
      // Metrics off: their fixed default ports could clash with another run on the machine.
      WORKER_METRICS_PORT: '0',
      WORKER_SDK_METRICS_PORT: '0',
    };
    log('starting the worker');
    worker = startProcess('worker', process.execPath, ['--import', 'tsx', join(root, 'worker/main.ts')], {
      cwd: root,
      env: { ...env, LOG_LEVEL: 'info' },
    });
    const workerOutput = captureOutput(worker);
    await waitUntil(worker, 'worker ready', async () => workerOutput().includes('worker ready'), 240_000);
    log(`starting the API (:${apiPort})`);
    api = startProcess('API', process.execPath, ['--import', 'tsx', join(root, 'api/main.ts')], {
      cwd: root,
      env: { ...env, API_HOST: host, API_PORT: String(apiPort), API_BOOTSTRAP_KEY: adminKey, LOG_LEVEL: 'error' },
    });
    const output = captureOutput(api, 200_000);
    const process_ = api;
    await waitUntil(api, `GET ${apiUrl}/health`, async () => (await fetch(`${apiUrl}/health`)).status === 200, 120_000);
    return {
      apiUrl,
      adminKey,
      process: process_,
      output,
      alive: () => process_.child.exitCode === null && process_.child.signalCode === null,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
