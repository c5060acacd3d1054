import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nodeService, type Readiness } from '../../infra/node-service';
import { freePort } from '../../infra/processes';
import { assertInstalled, launchFerretDb, launchTemporalDevServer } from '../../infra/servers';
import { Supervisor, type ServiceSpec } from '../../infra/supervisor';
import type { PayloadKey } from '../../platform/payload-codec';

const root = resolve(__dirname, '..', '..');
export const chaosApiKey = 'chaos-admin-key-0123456789';

/** The payload encryption key of the bench's processes and clients (random per run): benches measure with encryption on, as deployed. */
export const chaosPayloadKeys: PayloadKey[] = [{ id: 'chaos-1', key: randomBytes(32) }];

export type ServiceName = 'FerretDB' | 'Temporal' | 'worker' | 'API';

/** The chaos run's own system: the servers and the engine's processes, each supervised like `npm start` does. */
export interface ChaosStack {
  apiUrl: string;
  mongoUrl: string;
  temporalAddress: string;
  taskQueue: string;
  /** SIGKILLs a process and resolves once the supervisor has it back and healthy. */
  killAndAwaitRestart(name: ServiceName): Promise<{ downMs: number }>;
  /** Deaths the run did not cause (a process that died by itself), by service. */
  unplannedDeaths: Record<string, number>;
  /** Set when the supervisor gave up (a crash loop): the run is void. */
  gaveUp(): string | undefined;
  stop(): Promise<void>;
}

export async function startChaosStack(opts: { log: (line: string) => void; webhookUrlHost?: string }): Promise<ChaosStack> {
  assertInstalled();
  const host = '127.0.0.1';
  const dataDir = mkdtempSync(join(tmpdir(), 'journeys-chaos-'));
  const [ferretPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const backListeners = new Map<string, () => void>();
  const planned = new Set<string>();
  const unplannedDeaths: Record<string, number> = {};
  let gaveUp: string | undefined;
  const supervisor = new Supervisor({
    log(message) {
      opts.log(`[supervisor] ${message}`);
      const died = /^(\S+) died /.exec(message);
      if (died && !planned.delete(died[1]!)) unplannedDeaths[died[1]!] = (unplannedDeaths[died[1]!] ?? 0) + 1;
      const back = /^(\S+) is back and healthy$/.exec(message);
      if (back) backListeners.get(back[1]!)?.();
    },
    onGiveUp(reason) {
      gaveUp = reason;
      for (const listener of backListeners.values()) listener();
    },
  });
  // Idempotent: an interrupted run and the run's own cleanup may both stop it.
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await supervisor.stop(15_000);
      rmSync(dataDir, { recursive: true, force: true });
    })());
  try {
    opts.log(`starting FerretDB (:${ferretPort}) and Temporal (:${temporalPort}) in ${dataDir}`);
    const ferretDb = { host, port: ferretPort, dataDir: join(dataDir, 'ferretdb') };
    const temporal = { host, port: temporalPort, dbFile: join(dataDir, 'temporal', 'temporal.db') };
    await Promise.all([
      supervisor.add({ name: 'FerretDB', launch: () => launchFerretDb(ferretDb) }),
      supervisor.add({ name: 'Temporal', launch: () => launchTemporalDevServer(temporal) }),
    ]);
    const taskQueue = 'chaos';
    const mongoUrl = `mongodb://${host}:${ferretPort}/journeys`;
    const temporalAddress = `${host}:${temporalPort}`;
    // The variables infra/start.ts gives the two processes, except that webhooks really go out over HTTP.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGO_URL: mongoUrl,
      API_HOST: host,
      API_PORT: String(apiPort),
      API_BOOTSTRAP_KEY: chaosApiKey,
      PAYLOAD_ENCRYPTION_KEYS: chaosPayloadKeys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(','),
      WEBHOOK_DELIVERY: 'http',
      // The webhook receiver (test/fakes/webhook-receiver.ts) listens on loopback, which the outbound guard refuses otherwise.
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      // Metrics off: their fixed default ports could clash with another run on the machine.
      WORKER_METRICS_PORT: '0',
      WORKER_SDK_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    };
    const apiUrl = `http://${host}:${apiPort}`;
    opts.log('starting the worker and the API');
    await Promise.all([
      supervisor.add(tsxService('worker', 'worker/main.ts', env, opts.log, { logLine: 'worker ready', timeoutMs: 240_000 })),
      supervisor.add(tsxService('API', 'api/main.ts', env, opts.log, { url: `${apiUrl}/health`, timeoutMs: 120_000 })),
    ]);
    return {
      apiUrl,
      mongoUrl,
      temporalAddress,
      taskQueue,
      unplannedDeaths,
      gaveUp: () => gaveUp,
      async killAndAwaitRestart(name) {
        const current = supervisor.current(name);
        if (!current) throw new Error(`${name} is not running`);
        const back = new Promise<void>((resolveBack) => backListeners.set(name, resolveBack));
        const killedAt = Date.now();
        planned.add(name);
        current.child.kill('SIGKILL');
        await back;
        backListeners.delete(name);
        if (gaveUp) throw new Error(`the supervisor gave up: ${gaveUp}`);
        return { downMs: Date.now() - killedAt };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A TypeScript entry point run with tsx; only warnings and errors are passed on, the first few of each life. */
function tsxService(name: string, entry: string, env: NodeJS.ProcessEnv, log: (line: string) => void, readiness: Readiness): ServiceSpec {
  return nodeService(name, ['--import', 'tsx', join(root, entry)], { cwd: root, env }, readiness, () => {
    // Outages make the processes log connection errors every few seconds.
    let shown = 0;
    return (line) => {
      if (!/"level":(50|60)|Error:/.test(line) || shown >= 5) return;
      shown++;
      log(`[${name}] ${line.slice(0, 300)}${shown === 5 ? ' (further errors of this process not shown)' : ''}`);
    };
  });
}
