import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

/**
 * PAYLOAD_ENCRYPTION_KEYS of `npm start`: the variable when set; otherwise a key generated on the first start
 * into DATA_DIR (with the Temporal data it encrypts, git-ignored, readable by its owner only) and read back on
 * every later start, so that the histories stay readable.
 */
export function devPayloadKeys(config: Pick<DevConfig, 'DATA_DIR'>, env: NodeJS.ProcessEnv = process.env): string {
  const given = env.PAYLOAD_ENCRYPTION_KEYS?.trim();
  if (given) return given;
  const file = join(config.DATA_DIR, 'payload-encryption-keys');
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, `dev-1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}
