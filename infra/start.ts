import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../platform/config';
import { devPayloadKeys, loadDevConfig } from './dev-config';
import { nodeService, type Readiness } from './node-service';
import { captureOutput, isPortOpen, startProcess } from './processes';
import { assertInstalled, launchFerretDb, launchTemporalDevServer } from './servers';
import { Supervisor, type ServiceSpec } from './supervisor';

/**
 * `npm start`: the whole system on one machine. Starts FerretDB and the Temporal dev server (data in DATA_DIR,
 * kept across restarts), then the worker and the API, deploys the example journeys, and prints the URLs.
 * Every process is supervised: one that dies is restarted (see infra/supervisor.ts). Ctrl-C or SIGTERM
 * stops everything, in reverse order.
 */
const root = resolve(__dirname, '..');
const supervisor = new Supervisor({
  log,
  onGiveUp: () => {
    log('stopped: fix the cause above, then run npm start again');
    process.exit(1);
  },
});
let shuttingDown = false;

async function main(): Promise<void> {
  const config = loadDevConfig();
  assertInstalled();
  const host = config.DEV_HOST;
  for (const [name, port] of [
    ['TEMPORAL_PORT', config.TEMPORAL_PORT],
    ['TEMPORAL_UI_PORT', config.TEMPORAL_UI_PORT],
    ['FERRETDB_PORT', config.FERRETDB_PORT],
    ['API_PORT', config.API_PORT],
  ] as const) {
    if (await isPortOpen(host, port))
      throw new ConfigError(`${name}: port ${port} on ${host} is already in use (is another instance running?)`);
  }

  log(`starting FerretDB and the Temporal dev server (data in ${config.DATA_DIR})`);
  const ferretDb = { host, port: config.FERRETDB_PORT, dataDir: join(config.DATA_DIR, 'ferretdb') };
  const temporal = {
    host,
    port: config.TEMPORAL_PORT,
    uiPort: config.TEMPORAL_UI_PORT,
    dbFile: join(config.DATA_DIR, 'temporal', 'temporal.db'),
    // The UI decodes encrypted payloads through the API (keyless from this machine: CODEC_OPEN_ON_LOOPBACK below).
    uiCodecEndpoint: `http://${host}:${config.API_PORT}/v1/codec`,
  };
  await Promise.all([
    supervisor.add({ name: 'FerretDB', launch: () => launchFerretDb(ferretDb) }),
    supervisor.add({ name: 'Temporal', launch: () => launchTemporalDevServer(temporal) }),
  ]);

  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: `${host}:${config.TEMPORAL_PORT}`,
    MONGO_URL: `mongodb://${host}:${config.FERRETDB_PORT}/journeys`,
    API_HOST: host,
    API_PORT: String(config.API_PORT),
    API_BOOTSTRAP_KEY: config.API_BOOTSTRAP_KEY,
    // Payloads encrypted in Temporal, with a key kept in DATA_DIR (infra/dev-config.ts); the local UI decodes them.
    PAYLOAD_ENCRYPTION_KEYS: devPayloadKeys(config),
    CODEC_OPEN_ON_LOOPBACK: process.env.CODEC_OPEN_ON_LOOPBACK ?? (process.env.APP_ENV === 'production' ? 'off' : 'on'),
    CODEC_CORS_ORIGINS:
      process.env.CODEC_CORS_ORIGINS ??
      [...new Set(['localhost', '127.0.0.1', host])].map((name) => `http://${name}:${config.TEMPORAL_UI_PORT}`).join(','),
    // The console's user page links each run to the UI started here.
    TEMPORAL_UI_URL: process.env.TEMPORAL_UI_URL ?? `http://${host}:${config.TEMPORAL_UI_PORT}`,
    // Without provider keys every channel goes to the dev sink; webhooks too, unless asked for.
    WEBHOOK_DELIVERY: process.env.WEBHOOK_DELIVERY ?? 'sink',
  };
  log('starting the worker and the API');
  const apiUrl = `http://${host}:${config.API_PORT}`;
  await Promise.all([
    supervisor.add(
      compiledService(
        'worker',
        'worker/main.ts',
        { ...env, WORKFLOW_BUNDLE_PATH: join(root, 'dist', 'workflow-bundle.js') },
        { logLine: 'worker ready', timeoutMs: 120_000 },
      ),
    ),
    // A restarted API is up when /health answers, even 503 while a server it uses is still coming back.
    supervisor.add(compiledService('API', 'api/main.ts', env, { url: `${apiUrl}/health`, timeoutMs: 60_000 })),
  ]);

  if (config.DEPLOY_EXAMPLES === 'true') await deployExamples(apiUrl, config.API_BOOTSTRAP_KEY);

  log('ready');
  console.log(`
  Console        ${apiUrl}/console/
  API            ${apiUrl}
  API docs       ${apiUrl}/docs
  API key        ${config.API_BOOTSTRAP_KEY}  (admin; header "Authorization: Bearer <key>")
  Temporal UI    http://${host}:${config.TEMPORAL_UI_PORT}
  Temporal gRPC  ${host}:${config.TEMPORAL_PORT}
  MongoDB        mongodb://${host}:${config.FERRETDB_PORT}/journeys (FerretDB)
  Metrics        ${apiUrl}/metrics (API), ${workerMetricsUrl()} (worker)

  Press Ctrl-C to stop everything.
`);
}

/**
 * An entry point compiled by infra/build.sh (dist/), its output prefixed with its name: plain JavaScript
 * starts in a fraction of the time and memory of compiling at start-up.
 */
function compiledService(name: string, entry: string, env: NodeJS.ProcessEnv, readiness: Readiness): ServiceSpec {
  return nodeService(name, [compiled(entry)], { cwd: root, env }, readiness, () => (line) => process.stdout.write(`[${name}] ${line}\n`));
}

/**
 * Deploys examples/ with the journeys CLI, as an engineer would: new journeys are created and published,
 * unchanged ones are left alone, changed ones get a new version (the old one is restricted).
 */
async function deployExamples(apiUrl: string, apiKey: string): Promise<void> {
  const dir = join(root, 'examples');
  const files = readdirSync(dir)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => join(dir, name));
  const cli = startProcess(
    'journeys deploy',
    process.execPath,
    [compiled('cli/main.ts'), 'deploy', ...files, '--publish', '--old-version', 'restrict'],
    {
      cwd: root,
      env: { ...process.env, JOURNEYS_API_URL: apiUrl, JOURNEYS_API_KEY: apiKey },
    },
  );
  const output = captureOutput(cli);
  const [code] = (await once(cli.child, 'exit')) as [number | null];
  for (const line of output().split('\n')) if (line.trim()) log(`examples: ${line}`);
  if (code !== 0) throw new Error(`deploying examples/ failed (exit ${code})`);
}

/** Where the worker serves Prometheus metrics (its own configuration, or its default). */
function workerMetricsUrl(): string {
  const port = process.env.WORKER_METRICS_PORT ?? '9464';
  return port === '0' ? 'off (WORKER_METRICS_PORT=0)' : `http://${process.env.WORKER_METRICS_HOST ?? '127.0.0.1'}:${port}/metrics`;
}

/** The compiled JavaScript of a TypeScript entry point (built by infra/build.sh, which `npm start` runs first). */
function compiled(entry: string): string {
  return join(root, 'dist', entry.replace(/\.ts$/, '.js'));
}

async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log('stopping');
  // Reverse order: the API and worker first, then the servers they use.
  await supervisor.stop(15_000);
  log('stopped');
  process.exit(code);
}

function log(message: string): void {
  console.log(`[start] ${message}`);
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

main().catch((error: unknown) => {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
