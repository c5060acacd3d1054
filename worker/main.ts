import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadAppConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { payloadDataConverter } from '../platform/payload-codec';
import { connectMongo } from '../store/mongo/connection';
import { createModels, ensureIndexes } from '../store/mongo/models';
import { ensureRetentionSchedule, startReportsService } from '../temporal/services';
import { ensureVersionSweepSchedule } from '../temporal/version-sweep';
import { createJourneyStore } from '../store/journeys';
import { createProfileStore } from '../store/profiles';
import { createSettingsStore } from '../store/settings';
import { createProviderAdapters } from '../activities/channels';
import { activityMetrics, createMetricsRegistry, instrumentStore } from '../platform/metrics';
import { sdkMetricsExporter, startWorkerMetrics } from './metrics';
import { temporalConnectionOptions } from '../platform/temporal-connection';
import { connectWorkerTemporal } from './temporal';
import { workerTuning } from './tuning';
import { createWorkerActivities, createWorkers, runWorkers } from './workers';

/** The worker process: journey workflows plus one rate-limited worker per channel. Stops on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadAppConfig();
  const log = createLogger('worker', config.LOG_LEVEL);
  if (!config.PAYLOAD_ENCRYPTION_KEYS) log.warn('PAYLOAD_ENCRYPTION_KEYS is not set: payloads reach Temporal in plaintext');
  const metricsExporter = sdkMetricsExporter(config);
  Runtime.install({
    logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN'),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(metricsExporter ? { metrics: metricsExporter } : {}),
    },
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });

  const mongo = await connectMongo(config.MONGO_URL);
  const metrics = createMetricsRegistry('worker');
  instrumentStore(metrics, mongo);
  const stopMetrics = await startWorkerMetrics(config, metrics);
  const models = createModels(mongo);
  await ensureIndexes(models);
  const journeys = createJourneyStore(models);
  // TLS, mTLS and an API key from the TEMPORAL_* variables; the client connection serves enterJourney nodes.
  const { connection, clientConnection } = await connectWorkerTemporal(temporalConnectionOptions(config));
  // Payloads encrypted when PAYLOAD_ENCRYPTION_KEYS is set, by the client (enterJourney) and the workers alike.
  const dataConverter = payloadDataConverter(config.PAYLOAD_ENCRYPTION_KEYS);
  const temporal = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const workers = await createWorkers({
    ...(config.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } } : {}),
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createWorkerActivities({
      models,
      journeys,
      profiles: createProfileStore(mongo),
      settings: createSettingsStore(models),
      temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      channel: {
        adapters: createProviderAdapters(config, log),
        ...(config.EMAIL_FROM ? { emailFrom: config.EMAIL_FROM } : {}),
        log,
      },
    }),
    channelRatePerSecond: config.CHANNEL_RATE_PER_SECOND,
    channelRates: config.CHANNEL_RATES,
    activityInterceptors: [activityMetrics(metrics)],
    tuning: workerTuning(config),
    dataConverter,
  });
  await startReportsService(temporal, config.TEMPORAL_TASK_QUEUE);
  await ensureRetentionSchedule(temporal, config.TEMPORAL_TASK_QUEUE, { every: config.RETENTION_EVERY });
  await ensureVersionSweepSchedule(temporal, config.TEMPORAL_TASK_QUEUE, { every: config.VERSION_SWEEP_EVERY });
  const metricsUrl =
    config.WORKER_METRICS_PORT === 0 ? undefined : `http://${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}/metrics`;
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, workers: workers.length, metrics: metricsUrl }, 'worker ready');
  try {
    await runWorkers(workers);
  } finally {
    await connection.close();
    await clientConnection.close();
    await stopMetrics();
    await mongo.close();
    log.info('worker stopped');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
