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
