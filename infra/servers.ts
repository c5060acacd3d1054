import { Connection } from '@temporalio/client';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { searchAttributesForCli } from '../domain/search-attributes';
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

/** A server just spawned: `ready` resolves once it is healthy, or stops it and rejects with its output. */
export interface LaunchedServer extends ServerHandle {
  ready: Promise<void>;
}

export interface FerretDbOptions {
  host: string;
  port: number;
  dataDir: string;
}

/** FerretDB with its SQLite backend; resolves when it has bound its port. */
export async function startFerretDb(opts: FerretDbOptions): Promise<ServerHandle> {
  const { ready, ...handle } = launchFerretDb(opts);
  await ready;
  return handle;
}

/** Spawns FerretDB without waiting, so a supervisor holds the process from its first moment. */
export function launchFerretDb(opts: FerretDbOptions): LaunchedServer {
  mkdirSync(opts.dataDir, { recursive: true });
  const process = startProcess('FerretDB', binaries.ferretdb, ['-listen', `${opts.host}:${opts.port}`, '-data', opts.dataDir]);
  const output = captureOutput(process);
  const ready = untilReady(process, output, `listening on ${opts.port}`, async () => output().includes('ferretdb ready'), 30_000);
  return { process, output, ready };
}

/**
 * The Temporal CLI dev server: a full single-node server with SQLite persistence, the Web UI, and our
 * search attributes registered. Resolves when its frontend answers.
 */
export interface TemporalDevServerOptions {
  host: string;
  port: number;
  uiPort?: number;
  /** Where the Web UI decodes encrypted payloads (the API's codec endpoint, `<api>/v1/codec`). */
  uiCodecEndpoint?: string;
  /** Absent: in memory (tests). */
  dbFile?: string;
  namespace?: string;
}

export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<ServerHandle> {
  const { ready, ...handle } = launchTemporalDevServer(opts);
  await ready;
  return handle;
}

/** Spawns the Temporal dev server without waiting; `ready` resolves when its frontend answers. */
export function launchTemporalDevServer(opts: TemporalDevServerOptions): LaunchedServer {
  const args = ['server', 'start-dev', '--ip', opts.host, '--port', String(opts.port), '--log-level', 'error'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  if (opts.uiPort && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  // WAL and relaxed fsync make the SQLite store several times faster; the dev server is not for production.
  args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  // One partition per task queue: on a single node it costs nothing, and a channel's rate limit is then
  // enforced by one limiter instead of being split across partitions that pollers drain unevenly.
  args.push(
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
  );
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const attribute of searchAttributesForCli()) args.push('--search-attribute', attribute);

  const process = startProcess('Temporal dev server', binaries.temporal, args);
  const output = captureOutput(process);
  const address = `${opts.host}:${opts.port}`;
  const ready = untilReady(process, output, `frontend on ${address}`, () => temporalAnswers(address), 60_000);
  return { process, output, ready };
}

async function untilReady(
  process: ManagedProcess,
  output: () => string,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  try {
    await waitUntil(process, what, check, timeoutMs);
  } catch (error) {
    await process.stop();
    throw withOutput(error, output());
  }
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
