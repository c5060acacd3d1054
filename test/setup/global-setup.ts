import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../infra/processes';
import { assertInstalled, binaries, startFerretDb, startTemporalDevServer, type ServerHandle } from '../../infra/servers';

/**
 * Starts the real servers the tests share, on free ports, with throwaway data:
 * FerretDB and the Temporal dev server. Time-skipping tests start their own test server per file
 * (time skipping is global to a server), from the binary path exported here.
 */
export default async function globalSetup(): Promise<void> {
  assertInstalled();
  buildConsole();
  const host = '127.0.0.1';
  const [ferretPort, temporalPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'journeys-test-'));
  const servers: ServerHandle[] = await Promise.all([
    startFerretDb({ host, port: ferretPort, dataDir: join(dataDir, 'ferretdb') }),
    startTemporalDevServer({ host, port: temporalPort }),
  ]);
  (globalThis as { __servers?: ServerHandle[]; __dataDir?: string }).__servers = servers;
  (globalThis as { __dataDir?: string }).__dataDir = dataDir;

  // Test workers are forked after global setup and inherit these.
  process.env.TEST_MONGO_URL = `mongodb://${host}:${ferretPort}/`;
  process.env.TEST_TEMPORAL_ADDRESS = `${host}:${temporalPort}`;
  process.env.TEST_TIME_SKIPPING_SERVER = binaries.testServer;
}

/**
 * The console's end-to-end tests need console/dist; building it here, once, keeps parallel test files from
 * building it at the same time (infra/build-console.sh is a no-op when it is up to date). A console that does
 * not build fails only the tests that open it (their harness builds again and shows the error).
 */
function buildConsole(): void {
  try {
    execFileSync('bash', [join(__dirname, '../../infra/build-console.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    console.warn(`[global setup] the web console did not build: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
}
