import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { Registry } from 'prom-client';
import type { AppConfig } from '../shared/config';
import type { Models } from '../shared/mongo/models';
import type { ApiKeyStore } from '../shared/store/api-keys';
import type { JourneyStore } from '../shared/store/journeys';
import type { SettingsStore } from '../shared/store/settings';
import type { ProfileStore } from '../shared/profiles/store';

/** Everything the API's handlers use, injected so tests can point them at their own servers. */
export interface ApiDeps {
  config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE'> & Partial<Pick<AppConfig, 'SENDGRID_WEBHOOK_PUBLIC_KEY' | 'EVENT_MAX_AGE'>>;
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
