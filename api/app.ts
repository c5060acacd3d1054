import express from 'express';
import { Registry } from 'prom-client';
import swaggerUi from 'swagger-ui-express';
import { httpMetrics } from '../platform/metrics';
import type { Client } from '@temporalio/client';
import type { ProviderNames } from '../domain/delivery/provider-names';
import type { Connection } from 'mongoose';
import { createApiKeyStore, type ApiKeyStore } from '../store/api-keys';
import { createJourneyStore } from '../store/journeys';
import type { Models } from '../store/mongo/models';
import { createProfileStore } from '../store/profiles';
import { createSettingsStore } from '../store/settings';
import type { AppDeps } from './deps';
import { authenticate } from './http/auth';
import { consoleRouter } from './http/console';
import { storeGate, temporalDeadline } from './http/outage';
import { errorHandler, notFoundHandler } from './http/problem';
import { Routes } from './http/route';
import { openApiDocument } from './openapi';
import { addApiKeyRoutes } from './routes/api-keys';
import { addAppMessageRoutes } from './routes/app-messages';
import { addBatchRoutes } from './routes/batches';
import { addCodecRoutes, codecBeforeAuth } from './routes/codec';
import { addDryRunRoutes } from './routes/dry-run';
import { addEnrollmentRoutes } from './routes/enrollments';
import { addHealthRoutes } from './routes/health';
import { addInstanceRoutes } from './routes/instances';
import { addJourneyRoutes } from './routes/journeys';
import { addEventRoutes } from './routes/events';
import { addExperimentRoutes } from './routes/experiments';
import { addProviderEventRoutes } from './routes/provider-events';
import { addReportRoutes } from './routes/reports';
import { addSettingsRoutes } from './routes/settings';
import { addSinkRoutes } from './routes/sink';
import { addUserInstanceRoutes } from './routes/user-instances';
import { addUserRoutes } from './routes/users';
import { createApiStores } from './stores';

/** What the API process builds its app from (the test stack passes the same, on its own servers). */
export interface ApiOptions {
  config: AppDeps['config'];
  mongo: Connection;
  models: Models;
  temporal: Client;
  /** API_BOOTSTRAP_KEY: an admin key accepted without being stored. */
  bootstrapKey?: string;
  authEnabled: boolean;
  log: AppDeps['log'];
  metrics?: AppDeps['metrics'];
  /** The providers configured per channel: publish and What edits refuse content naming another (unset: not checked). */
  providerNames?: ProviderNames;
}

/**
 * The API process's stores and app: api/main.ts and the test stack both build the API here. Answers the stores
 * it built, which the test stack shares with its workers.
 */
export async function createApi(
  options: ApiOptions,
): Promise<{ app: express.Express } & Pick<AppDeps, 'journeys' | 'apiKeys' | 'settings' | 'profiles'>> {
  const { config, mongo, models, temporal, authEnabled, log, metrics } = options;
  const apiKeys: ApiKeyStore = createApiKeyStore(mongo, { bootstrapKey: options.bootstrapKey });
  await apiKeys.ensureIndexes();
  const stores = {
    journeys: createJourneyStore(models, undefined, undefined, options.providerNames ? { providerNames: options.providerNames } : {}),
    apiKeys,
    settings: createSettingsStore(models),
    profiles: createProfileStore(mongo),
  };
  const app = createApp({ config, mongo, models, ...stores, authEnabled, temporal, log, ...(metrics ? { metrics } : {}) });
  return { app, ...stores };
}

/** Builds the express app: routes, OpenAPI document and docs page, problem+json errors. */
export function createApp(appDeps: AppDeps): express.Express {
  const deps = { ...appDeps, stores: createApiStores(appDeps.models) };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const metrics = deps.metrics ?? new Registry();
  app.use(httpMetrics(metrics));
  // Public like /health: Prometheus scrapes without a key.
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  app.use(
    express.json({
      limit: '1mb',
      strict: true,
      type: ['application/json', 'application/*+json'],
      // Signed provider webhooks are verified over the exact bytes received.
      verify: (req, _res, raw) => {
        (req as typeof req & { rawBody?: Buffer }).rawBody = raw;
      },
    }),
  );

  const publicRouter = express.Router();
  const publicRoutes = new Routes(publicRouter);
  addHealthRoutes(publicRoutes, deps);

  const router = express.Router();
  const routes = new Routes(router, publicRoutes.registry);
  addJourneyRoutes(routes, deps);
  addExperimentRoutes(routes, deps);
  addDryRunRoutes(routes, deps);
  addEnrollmentRoutes(routes, deps);
  addBatchRoutes(routes, deps);
  addInstanceRoutes(routes, deps);
  addReportRoutes(routes, deps);
  addUserRoutes(routes, deps);
  addUserInstanceRoutes(routes, deps);
  addSinkRoutes(routes, deps);
  addAppMessageRoutes(routes, deps);
  addApiKeyRoutes(routes, deps.apiKeys);
  addSettingsRoutes(routes, deps);
  addEventRoutes(routes, deps);
  addProviderEventRoutes({ public: publicRoutes, keyed: routes }, deps);
  addCodecRoutes(routes, deps);

  const document = openApiDocument(routes.registry);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));
  // The web console's static files: no key (its data comes from the API with the user's key), no outage gate.
  app.use('/console', consoleRouter());
  // While a server is down, requests answer 503 within seconds instead of hanging (api/http/outage.ts).
  app.use(temporalDeadline(deps.temporal.connection));
  // Temporal UI calls the codec routes from its own origin (CORS); its preflight carries no key.
  app.use(
    codecBeforeAuth({
      ...(deps.config.CODEC_CORS_ORIGINS ? { origins: deps.config.CODEC_CORS_ORIGINS } : {}),
      openOnLoopback: deps.config.CODEC_OPEN_ON_LOOPBACK === 'on',
      temporal: deps.temporal,
    }),
  );
  app.use(publicRouter);
  app.use(storeGate(deps.mongo));
  app.use(authenticate(deps.apiKeys, { enabled: deps.authEnabled }));
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log, () => [...publicRoutes.paths, ...routes.paths]));
  return app;
}
