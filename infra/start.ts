import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../shared/config';
import { loadDevConfig } from './dev-config';
import { isPortOpen, startProcess, waitUntil, type ManagedProcess } from './processes';
import { assertInstalled, startFerretDb, startTemporalDevServer } from './servers';

/**
 * `npm start`: the whole system on one machine. Starts FerretDB and the Temporal dev server (data in DATA_DIR,
 * kept across restarts), then the worker and the API, deploys the example journeys, and prints the URLs.
 * Ctrl-C or SIGTERM stops everything, in reverse order.
 */
const root = resolve(__dirname, '..');
const running: ManagedProcess[] = [];
let stopping = false;

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
    if (await isPortOpen(host, port)) throw new ConfigError(`${name}: port ${port} on ${host} is already in use (is another instance running?)`);
  }

  log(`starting FerretDB and the Temporal dev server (data in ${config.DATA_DIR})`);
  const [ferret, temporal] = await Promise.allSettled([
    startFerretDb({ host, port: config.FERRETDB_PORT, dataDir: join(config.DATA_DIR, 'ferretdb') }),
    startTemporalDevServer({
      host,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: join(config.DATA_DIR, 'temporal', 'temporal.db'),
    }),
  ]);
  for (const result of [ferret, temporal]) if (result.status === 'fulfilled') running.push(result.value.process);
  for (const result of [ferret, temporal]) if (result.status === 'rejected') throw result.reason;

  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: `${host}:${config.TEMPORAL_PORT}`,
    MONGO_URL: `mongodb://${host}:${config.FERRETDB_PORT}/journeys`,
    API_HOST: host,
    API_PORT: String(config.API_PORT),
  };
  log('starting the worker and the API');
  const worker = startNodeProcess('worker', 'worker/main.ts', env);
  const api = startNodeProcess('API', 'api/main.ts', env);
  const apiUrl = `http://${host}:${config.API_PORT}`;
  await waitUntil(api, 'GET /health', async () => (await fetch(`${apiUrl}/health`)).ok, 60_000);
  await waitUntil(worker, 'worker ready', async () => workerReady, 120_000);

  if (config.DEPLOY_EXAMPLES === 'true') await deployExamples(apiUrl);

  log('ready');
  console.log(`
  API            ${apiUrl}
  API docs       ${apiUrl}/docs
  Temporal UI    http://${host}:${config.TEMPORAL_UI_PORT}
  Temporal gRPC  ${host}:${config.TEMPORAL_PORT}
  MongoDB        mongodb://${host}:${config.FERRETDB_PORT}/journeys (FerretDB)

  Press Ctrl-C to stop everything.
`);
}

let workerReady = false;

/** Runs a TypeScript entry point with tsx, its output prefixed with its name. */
function startNodeProcess(name: string, entry: string, env: NodeJS.ProcessEnv): ManagedProcess {
  const child = startProcess(name, process.execPath, ['--import', 'tsx', join(root, entry)], { cwd: root, env });
  const prefix = (chunk: Buffer) => {
    const text = chunk.toString();
    if (name === 'worker' && text.includes('worker ready')) workerReady = true;
    for (const line of text.split('\n')) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`);
  };
  child.child.stdout?.on('data', prefix);
  child.child.stderr?.on('data', prefix);
  child.child.once('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
      void shutdown(1);
    }
  });
  running.push(child);
  return child;
}

/** Deploys every journey file of examples/ through the API; an existing journey is left as it is. */
async function deployExamples(apiUrl: string): Promise<void> {
  const dir = join(root, 'examples');
  for (const file of readdirSync(dir).filter((name) => /\.(ya?ml|json)$/.test(name)).sort()) {
    const definition = parseYaml(readFileSync(join(dir, file), 'utf8')) as { id: string };
    const created = await post(`${apiUrl}/v1/journeys`, definition);
    if (created.status === 409) {
      log(`example ${definition.id}: already deployed`);
      continue;
    }
    if (created.status !== 201) throw new Error(`deploying ${file} failed: ${created.status} ${await created.text()}`);
    const published = await post(`${apiUrl}/v1/journeys/${definition.id}/versions/1/publish`, {});
    if (!published.ok) throw new Error(`publishing ${file} failed: ${published.status} ${await published.text()}`);
    log(`example ${definition.id}: deployed and running`);
  }
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping');
  // Reverse order: the API and worker first, then the servers they use.
  for (const child of running.reverse()) await child.stop(15_000);
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
