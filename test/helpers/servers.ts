import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { SearchAttributeType, type DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../store/mongo/connection';
import { createModels, ensureIndexes, type Models } from '../../store/mongo/models';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { binaries } from '../../infra/servers';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (test/setup/global-setup.ts)`);
  return value;
}

export const temporalAddress = () => required('TEST_TEMPORAL_ADDRESS');

let runtimeInstalled = false;
/** Keeps the SDK's own logs to warnings so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
}

/** A fresh database on the shared FerretDB, so test files never see each other's data. */
export async function openTestDatabase(): Promise<{ connection: Connection; models: Models; close(): Promise<void> }> {
  const connection = await connectMongo(`${required('TEST_MONGO_URL')}t_${randomUUID().slice(0, 8)}`);
  const models = createModels(connection);
  await ensureIndexes(models);
  return {
    connection,
    models,
    async close() {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** A time-skipping test server of its own for one test file, from the binary installed by infra/install.sh. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: required('TEST_TIME_SKIPPING_SERVER') } },
  });
  // The test server, like a real one, refuses search attributes that were not registered first.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(searchAttributeKeys.map((key) => [key.name, indexedValueTypes[key.type]!])),
  });
  return env;
}

const { IndexedValueType } = temporal.api.enums.v1;
const indexedValueTypes: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/**
 * An environment on the shared dev server (real persistence, search attributes, visibility); its client uses
 * `dataConverter` (the test stack's payload encryption) when given.
 */
export function createDevServerEnv(dataConverter?: DataConverter): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createFromExistingServer({
    address: temporalAddress(),
    ...(dataConverter ? { client: { dataConverter } } : {}),
  });
}

/**
 * A dev server of its own (the installed binary) with extra arguments, e.g. a small
 * `limit.historyCount.suggestContinueAsNew` so that instances continue as new within seconds.
 */
export function createOwnDevServerEnv(extraArgs: string[], dataConverter?: DataConverter): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: binaries.temporal },
      searchAttributes: [...searchAttributeKeys],
      extraArgs: [...extraArgs, '--log-level', 'error'],
    },
    ...(dataConverter ? { client: { dataConverter } } : {}),
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
