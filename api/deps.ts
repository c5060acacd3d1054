import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { Registry } from 'prom-client';
import type { AppConfig } from '../platform/config';
import type { Models } from '../store/mongo/models';
import type { ApiKeyStore } from '../store/api-keys';
import type { JourneyStore } from '../store/journeys';
import type { SettingsStore } from '../store/settings';
import type { ProfileStore } from '../store/profiles';
import type { ApiStores } from './stores';

/** What `createApp` is given, injected so tests can point the API at their own servers and share its stores. */
export interface AppDeps {
  config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE'> &
    Partial<
      Pick<
        AppConfig,
        | 'SENDGRID_WEBHOOK_PUBLIC_KEY'
        | 'PROVIDERS'
        | 'EVENT_MAX_AGE'
        | 'CODEC_CORS_ORIGINS'
        | 'CODEC_OPEN_ON_LOOPBACK'
        | 'APP_ENV'
        | 'TEMPORAL_UI_URL'
      >
    >;
  mongo: Connection;
  models: Models;
  journeys: JourneyStore;
  apiKeys: ApiKeyStore;
  settings: SettingsStore;
  profiles: ProfileStore;
  /** false: every request is an admin (API_AUTH=off). */
  authEnabled: boolean;
  temporal: Client;
  log: (error: unknown) => void;
  /** The process's Prometheus registry (store commands...); the app adds its request durations and serves it. */
  metrics?: Registry;
}

/** Everything the API's handlers use: the app's deps and the stores `createApp` built once for them (api/stores.ts). */
export interface ApiDeps extends AppDeps {
  stores: ApiStores;
}
