import { Connection } from '@temporalio/client';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { searchAttributesForCli } from '../shared/search-attributes';
import { captureOutput, startProcess, waitUntil, type ManagedProcess } from './processes';

/** Binaries installed by infra/install.sh. */
export const toolsBin = resolve(__dirname, '..', '.tools', 'bin');
export const binaries = {
  temporal: join(toolsBin, 'temporal'),
  testServer: join(toolsBin, 'temporal-test-server'),
  ferretdb: join(toolsBin, 'ferretdb-embedded'),
};

export function assertInstalled(): void {
  for (const [name, path] of Object.entries(binaries)) {
    if (!existsSync(path)) throw new Error(`${name} is not installed at ${path}: run "bash infra/install.sh"`);
  }
}

export interface ServerHandle {
  process: ManagedProcess;
  output: () => string;
}

/** FerretDB with its SQLite backend; resolves when it has bound its port. */
export async function startFerretDb(opts: { host: string; port: number; dataDir: string }): Promise<ServerHandle> {
  mkdirSync(opts.dataDir, { recursive: true });
  const process = startProcess('FerretDB', binaries.ferretdb, ['-listen', `${opts.host}:${opts.port}`, '-data', opts.dataDir]);
  const output = captureOutput(process);
  try {
    await waitUntil(process, `listening on ${opts.port}`, async () => output().includes('ferretdb ready'), 30_000);
  } catch (error) {
    await process.stop();
    throw withOutput(error, output());
  }
  return { process, output };
}

/**
 * The Temporal CLI dev server: a full single-node server with SQLite persistence, the Web UI, and our
 * search attributes registered. Resolves when its frontend answers.
 */
export async function startTemporalDevServer(opts: {
  host: string;
  port: number;
  uiPort?: number;
  /** Absent: in memory (tests). */
  dbFile?: string;
  namespace?: string;
}): Promise<ServerHandle> {
  const args = ['server', 'start-dev', '--ip', opts.host, '--port', String(opts.port), '--log-level', 'error'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  // WAL and relaxed fsync make the SQLite store several times faster; the dev server is not for production.
  args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  // One partition per task queue: on a single node it costs nothing, and a channel's rate limit is then
  // enforced by one limiter instead of being split across partitions that pollers drain unevenly.
  args.push('--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1', '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1');
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const attribute of searchAttributesForCli()) args.push('--search-attribute', attribute);

  const process = startProcess('Temporal dev server', binaries.temporal, args);
  const output = captureOutput(process);
  const address = `${opts.host}:${opts.port}`;
  try {
    await waitUntil(process, `frontend on ${address}`, () => temporalAnswers(address), 60_000);
  } catch (error) {
    await process.stop();
    throw withOutput(error, output());
  }
  return { process, output };
}

export async function temporalAnswers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({}));
    return true;
  } finally {
    await connection.close();
  }
}

function withOutput(error: unknown, output: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(output.trim() ? `${message}\n--- output ---\n${output.trim()}` : message);
}
