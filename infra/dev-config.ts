import { resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../platform/config';

const port = z.coerce.number().int().min(1).max(65535);

/** Settings of `npm start` (the embedded servers); the API and worker read platform/config.ts. */
export const devConfigSchema = z.object({
  /** The host every embedded server and process binds to. */
  DEV_HOST: z.string().min(1).default('127.0.0.1'),
  /** The Temporal dev server's gRPC port. */
  TEMPORAL_PORT: port.default(7233),
  /** The Temporal UI port. */
  TEMPORAL_UI_PORT: port.default(8233),
  /** FerretDB's MongoDB wire protocol port. */
  FERRETDB_PORT: port.default(27017),
  /** The API port. */
  API_PORT: port.default(3000),
  /** Where Temporal (SQLite) and FerretDB keep their data; delete it to start from scratch. */
  DATA_DIR: z
    .string()
    .min(1)
    .default(resolve(__dirname, '..', 'data')),
  /** The admin key of the local API (printed at start); set your own to override. */
  API_BOOTSTRAP_KEY: z.string().min(16).default('dev-admin-key-change-me'),
  /** Set to "false" to start without deploying the example journeys. */
  DEPLOY_EXAMPLES: z.enum(['true', 'false']).default('true'),
});

export type DevConfig = z.infer<typeof devConfigSchema>;

export function loadDevConfig(env: NodeJS.ProcessEnv = process.env): DevConfig {
  return parseEnv(devConfigSchema, env);
}
