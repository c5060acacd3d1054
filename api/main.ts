import { Client } from '@temporalio/client';
import { loadApiConfig } from '../platform/api-security';
import { createLogger } from '../platform/logger';
import { payloadDataConverter } from '../platform/payload-codec';
import { providerNames } from '../platform/providers';
import { connectMongo } from '../store/mongo/connection';
import { createModels, ensureIndexes } from '../store/mongo/models';
import { createMetricsRegistry, instrumentStore } from '../platform/metrics';
import { temporalConnectionOptions } from '../platform/temporal-connection';
import { createApi } from './app';
import { stopDryRuns } from './dry-run/runner';
import { connectApiTemporal } from './temporal';

/** The API process. Stops accepting connections on SIGINT/SIGTERM, then closes its clients. */
async function main(): Promise<void> {
  // Outside development, refuses a weak or placeholder API_BOOTSTRAP_KEY and API_AUTH=off (platform/api-security.ts).
  const config = loadApiConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGO_URL);
  const metrics = createMetricsRegistry('api');
  instrumentStore(metrics, mongo);
  const models = createModels(mongo);
  await ensureIndexes(models);
  const connection = await connectApiTemporal(temporalConnectionOptions(config));
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: payloadDataConverter(config.PAYLOAD_ENCRYPTION_KEYS),
  });

  if (config.API_AUTH === 'off') log.warn('API_AUTH=off: every request is treated as an admin');
  else if (!config.API_BOOTSTRAP_KEY) log.warn('API_BOOTSTRAP_KEY is not set: only keys already stored can call the API');
  if (!config.PAYLOAD_ENCRYPTION_KEYS) log.warn('PAYLOAD_ENCRYPTION_KEYS is not set: payloads reach Temporal in plaintext');
  const { app } = await createApi({
    config,
    mongo,
    models,
    temporal,
    bootstrapKey: config.API_BOOTSTRAP_KEY,
    authEnabled: config.API_AUTH === 'on',
    log: (error) => log.error({ err: error }, 'unexpected error'),
    metrics,
    // The names the worker builds adapters for, from the same variables (PROVIDERS and the legacy ones).
    providerNames: providerNames(config),
  });
  const server = app.listen(config.API_PORT, config.API_HOST, () => {
    log.info(`API listening on http://${config.API_HOST}:${config.API_PORT} (metrics: /metrics)`);
  });

  const stop = () => {
    server.close(() => {
      void Promise.all([connection.close(), mongo.close(), stopDryRuns()]).then(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
